"""What teamwork adds to the screens through the core's hooks: Menciones, the availability
switch and the notification bell in the top bar, and "queued" on list rows."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from mostrador.inbox import policy
from mostrador.inbox.hooks import RowMark, TopbarItem

from .assignment import queue_positions
from .notices import open_mentions, unread_count


def mentions_item(user) -> TopbarItem:
    return TopbarItem("mentions", "@ " + _("Mentions"), reverse("teamwork-mentions"), open_mentions(user).count())


def teams_item(user) -> TopbarItem | None:
    if not policy.may_configure(user):
        return None
    return TopbarItem("teams", _("Teams and people"), reverse("teamwork-teams"), menu=True)


def availability_item(user) -> TopbarItem:
    return TopbarItem("availability", _("Availability"), reverse("teamwork-availability"), template="teamwork/_availability.html")


def notifications_item(user) -> TopbarItem:
    return TopbarItem(
        "notifications", _("Notifications"), reverse("teamwork-notifications"), unread_count(user),
        template="teamwork/_bell.html",
    )


def queue_marks(conversations) -> dict[int, list[RowMark]]:
    """"Queued · 2" on the rows waiting for an agent with room (one query per inbox with a queue)."""
    queued = [c for c in conversations if c.queued_since is not None and not c.resolved]
    on_page = {c.pk for c in queued}
    positions = {pk: place for pk, place in queue_positions(queued).items() if pk in on_page}
    return {
        conversation_id: [
            RowMark(
                "queued", _("Queued · %(place)s") % {"place": place},
                _("Everyone is full: this chat is number %(place)s in line for the next agent with room") % {"place": place},
            )
        ]
        for conversation_id, place in positions.items()
    }
