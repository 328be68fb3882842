"""What teamwork adds to the screens through the core's hooks: Menciones in the top bar."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from mostrador.inbox.hooks import TopbarItem

from .notices import open_mentions


def mentions_item(user) -> TopbarItem:
    return TopbarItem("mentions", _("Mentions"), reverse("teamwork-mentions"), open_mentions(user).count())
