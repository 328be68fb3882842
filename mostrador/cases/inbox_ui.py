"""What cases add to the seller's screens, through the core's hooks:

- the "seen, unanswered" marker on list rows: someone opened the chat while the customer waited,
  and that same wait went past the wait target with nobody answering (DESIGN.md section 3, left
  on read); the marker goes when the wait ends;
- the contact's earlier cases, above the conversation's timeline;
- their lines on the timeline: cases as dividers, survey answers, left on read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from mostrador.inbox.hooks import Panel, RowMark
from mostrador.inbox.models import EventKind
from mostrador.inbox.queries import visible_inboxes

from .models import Case

EARLIER_SHOWN = 5


def left_on_read_marks(conversations) -> dict[int, list[RowMark]]:
    waits = {c.pk: c.waiting_since for c in conversations if c.waiting_since and not c.resolved}
    if not waits:
        return {}
    # The open case of each waiting row (the one-open-case index), not the event log: this runs
    # on every refresh of every open list.
    seen = (
        Case.objects.filter(conversation_id__in=list(waits), closed_at__isnull=True, left_on_read_wait__isnull=False)
        .order_by()
        .values_list("conversation_id", "left_on_read_wait")
    )
    mark = RowMark(
        "left-on-read",
        _("Seen, unanswered"),
        _("Someone opened this chat while the customer waited, and nobody answered within the wait target."),
    )
    return {conv_id: [mark] for conv_id, wait in seen if wait == waits[conv_id]}


def earlier_cases_panel(conversation, user) -> Panel | None:
    closed = Case.objects.filter(
        contact_id=conversation.contact_id, closed_at__isnull=False, inbox__in=visible_inboxes(user)
    ).select_related("inbox", "closed_by")
    shown = list(closed.order_by("-closed_at")[:EARLIER_SHOWN])
    if not shown:
        return None
    count = len(shown) if len(shown) < EARLIER_SHOWN else closed.count()
    return Panel("cases/_earlier_cases.html", {"cases": shown, "count": count, "conversation": conversation})


def timeline_label(event) -> str:
    data = event.data
    if event.kind == EventKind.CASE_OPENED:
        return _("Case #%(number)s opened") % {"number": data.get("case_id")}
    if event.kind == EventKind.CASE_CLOSED:
        closed = _("Case #%(number)s closed") % {"number": data.get("case_id")}
        return f"{closed} · {data['reason']}" if data.get("reason") else closed
    if event.kind == EventKind.SURVEY_ANSWERED:
        if data.get("kind") == "csat":
            return _("Customer rated the service %(score)s/5") % {"score": data.get("score")}
        return _("Customer answered %(score)s/10 to recommending us") % {"score": data.get("score")}
    who = event.actor.name if event.actor else ""
    return "👁 " + _("Seen by %(who)s and not answered within the wait target") % {"who": who}
