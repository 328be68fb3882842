"""The conversation timeline as people see it: messages, internal notes and the events worth
showing (resolved, reopened, hand-offs, AI windows, assignments), merged in time order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mostrador.inbox import hooks
from mostrador.inbox.models import Conversation, ConversationEvent, EventKind

SHOWN_EVENTS = [
    EventKind.RESOLVED,
    EventKind.REOPENED,
    EventKind.HANDOFF,
    EventKind.AI_WINDOW_ENDED,
    EventKind.ASSIGNED,
    EventKind.AI_TOGGLED,
    EventKind.AI_TURN_STARTED,
    EventKind.FIELD_SET,
    EventKind.TAGGED,
    EventKind.PRIORITY,
]


@dataclass(frozen=True)
class Entry:
    kind: str  # "message" | "note" | "event"
    at: datetime
    item: object


# The most a timeline reaches back to show one message (a search result), in messages.
FARTHEST_REACH = 5000


def timeline(conv: Conversation, limit: int = 300, reaching: int | None = None) -> list[Entry]:
    """The newest `limit` messages and what happened among them; far enough back to hold the
    message `reaching` when that one is older (a search result the seller opened)."""
    if reaching is not None:
        at = conv.messages.filter(pk=reaching).values_list("created_at", flat=True).first()
        if at is not None:
            limit = min(FARTHEST_REACH, max(limit, conv.messages.filter(created_at__gte=at).count() + 20))
    messages = list(conv.messages.select_related("author").order_by("-created_at", "-id")[:limit])
    since = messages[-1].created_at if len(messages) == limit else None
    notes = conv.notes.select_related("author").order_by("created_at")
    evs = ConversationEvent.objects.filter(conversation=conv, kind__in=SHOWN_EVENTS + hooks.timeline_events.kinds).select_related("actor")
    if since:
        notes = notes.filter(created_at__gte=since)
        evs = evs.filter(created_at__gte=since)
    entries = [Entry("message", m.created_at, m) for m in messages]
    entries += [Entry("note", n.created_at, n) for n in notes]
    evs = list(evs)
    _name_assignments([e for e in evs if e.kind == EventKind.ASSIGNED])
    for event in evs:
        # A capability's own event carries its line: the words, and whether it divides or leads.
        line = hooks.timeline_events.line(event.kind)
        event.label = line.label(event) if line else None
        event.divider = bool(line and line.divider)
        event.leads = bool(line and line.leads)
        entries.append(Entry("event", event.created_at, event))
    entries.sort(key=_order)
    return entries


def _name_assignments(events: list[ConversationEvent]) -> None:
    """Who an assignment went to, by name (people and teams fetched once for the timeline)."""
    from mostrador.accounts.models import Team, User

    def ids(key: str) -> set:
        return {e.data.get("to", {}).get(key) for e in events} - {None}

    people = dict(User.objects.filter(pk__in=ids("user_id")).values_list("pk", "name"))
    teams = dict(Team.objects.filter(pk__in=ids("team_id")).values_list("pk", "name"))
    for event in events:
        to = event.data.get("to") or {}
        event.assigned_to = people.get(to.get("user_id"), "")
        event.assigned_team = teams.get(to.get("team_id"), "")


def _order(entry: Entry) -> tuple:
    # At the same moment: a leading line first (a case opens before the message that opened
    # it); other events follow what caused them.
    if entry.kind == "event" and entry.item.leads:
        return (entry.at, -1)
    return (entry.at, {"message": 0, "note": 1, "event": 2}[entry.kind])
