"""The rows a live frame carries: each page says over its socket which list it shows, and when
chats change, the hub asks here for their rows in that list, rendered once for every socket that
sees the same list the same way (realtime/hub.py)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone, translation

from mostrador.accounts.models import User
from mostrador.inbox.listing import changed_rows, list_filters, list_query
from mostrador.inbox.policy import remember_scope
from mostrador.inbox.queries import pending_total
from mostrador.realtime import hub

# Longer than any list query the pane writes (tab, whose, inbox, team).
LONGEST_QUERY = 200
# A frame carries the rows of up to a list's first page of changed chats (a busy number's frame
# names many); more, and the page fetches its list afresh.
MOST_IN_FRAME = 200


@dataclass(frozen=True)
class Watched:
    """One list as a page shows it: its query as the pane writes it, and the page's language."""

    query: str
    language: str
    mine: bool  # "Mine": the same query lists other chats for each person


class ListRows(hub.ListRows):
    def watch(self, query: object, language: object) -> Watched | None:
        if not isinstance(query, str) or len(query) > LONGEST_QUERY:
            return None
        _, selected = list_filters(QueryDict(query), 0)
        return Watched(list_query(selected), _spoken(language), mine=selected["scope"] == "mine")

    def share_key(self, user_id: int, view: hub.View, watching: Hashable) -> Hashable:
        assert isinstance(watching, Watched)
        # Those who see every chat of the same inboxes see the same rows and counts (and the same
        # Pendientes in the top bar); in an inbox where sellers see only their own chats, or in
        # "Mine", the rows are each person's.
        personal = watching.mine or bool(view.own_only)
        return (view, watching, user_id if personal else None)

    def render(self, jobs: list[tuple[int, Hashable, tuple[int, ...]]]) -> list[dict | None]:
        people = User.objects.filter(is_active=True).in_bulk({user_id for user_id, _, _ in jobs})
        for person in people.values():
            remember_scope(person)
        now = timezone.now()
        out: list[dict | None] = []
        for user_id, watching, ids in jobs:
            assert isinstance(watching, Watched)
            person = people.get(user_id)
            if person is None or len(ids) > MOST_IN_FRAME:
                out.append(None)  # the page fetches its list instead
                continue
            filters, selected = list_filters(QueryDict(watching.query), user_id)
            with translation.override(watching.language):
                html = changed_rows(person, filters, selected, list(ids), now)
            # With the person's Pendientes across every inbox (the top bar's), a frame of messages
            # leaves the page nothing to ask for.
            out.append({"type": hub.LIST_ROWS, "list": watching.query, "asked": list(ids), "html": html, "pending": pending_total(person)})
        return out


def _spoken(language: object) -> str:
    """The product language closest to the page's, else the organisation's."""
    if isinstance(language, str) and 0 < len(language) < 20:
        try:
            return translation.get_supported_language_variant(language.lower())
        except LookupError:
            pass
    return settings.LANGUAGE_CODE
