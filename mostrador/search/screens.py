"""Search on screen: the top bar's button and its dialog (Ctrl+K on every page), and the
results as the person types, grouped as conversations, contacts and messages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mostrador.inbox.hooks import TopbarItem
from mostrador.inbox.queries import visible_conversations

from . import finder
from .snippets import snippet

SHOWN = 8  # of each kind; the rest is one more word away


def search_button(user) -> TopbarItem:
    return TopbarItem("search", _("Search"), reverse("search-results"), template="search/_dialog.html")


def script(user) -> str:
    return "search/search.js"


def style(user) -> str:
    return "search/search.css"


@login_required
@require_GET
def results(request):
    query = request.GET.get("q", "")[:200]
    found = finder.find(request.user, query, limit=SHOWN)
    # A contact opens on their newest chat this person may see.
    newest = dict(
        visible_conversations(request.user)
        .filter(contact_id__in=[c.pk for c in found.contacts])
        .values("contact_id").annotate(last=Max("pk")).values_list("contact_id", "last")
    )
    context = {
        "query": query,
        "found": found,
        "contacts": [(contact, newest.get(contact.pk)) for contact in found.contacts],
        "messages": [(m, snippet(m.text, query)) for m in found.messages],
        "anything": bool(found.conversations or found.contacts or found.messages),
    }
    return render(request, "search/_results.html", context)
