"""Exports of cases, messages and events (DESIGN.md section 6): pages with cursors for the API,
and CSV streamed row by row so memory stays flat however many rows there are.

Rows come oldest first by primary key; a page's cursor is the last key it held, so paging is a
keyset walk that never skips or repeats a row written meanwhile.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from mostrador.cases.models import Case
from mostrador.inbox.models import ConversationEvent, Message
from mostrador.inbox.policy import visible_conversations

CHUNK = 2000


@dataclass(frozen=True)
class Kind:
    """One export: its rows, the moment since/until filter on, and its columns (model fields,
    which are also the CSV's header and the API's keys)."""

    model: type
    time_field: str
    columns: tuple[str, ...]

    def row(self, values: tuple) -> dict:
        return {column: _plain(value) for column, value in zip(self.columns, values, strict=True)}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return value


KINDS = {
    "cases": Kind(Case, "opened_at", (
        "id", "conversation_id", "inbox_id", "contact_id", "opened_at", "closed_at", "close_reason", "reason", "route", "tags",
        "assignee_id", "team_id", "closed_by_id", "handled_by", "first_response_seconds", "first_human_response_seconds",
        "queue_seconds", "end_to_end_seconds", "interactions", "transfers", "left_on_read", "csat", "nps", "survey_comment",
    )),
    "messages": Kind(Message, "created_at", (
        "id", "conversation_id", "inbox_id", "created_at", "direction", "author_kind", "author_id", "bot_name", "type", "text",
        "status", "external_id",
    )),
    "events": Kind(ConversationEvent, "created_at", (
        "id", "conversation_id", "created_at", "kind", "actor_kind", "actor_id", "bot_name", "from_state", "to_state",
    )),
}


def rows_of(user, kind: str, since: datetime | None, until: datetime | None, inbox_id: int | None):
    """The rows the person may see, as a queryset ordered by key (values_list of the fields)."""
    spec = KINDS[kind]
    qs = spec.model.objects.all()
    if not user.sees_every_inbox:
        qs = qs.filter(conversation__in=visible_conversations(user).values("pk"))
    if inbox_id is not None:
        qs = qs.filter(conversation__inbox_id=inbox_id) if kind == "events" else qs.filter(inbox_id=inbox_id)
    if since is not None:
        qs = qs.filter(**{f"{spec.time_field}__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{spec.time_field}__lt": until})
    return qs.order_by("pk").values_list(*spec.columns)


def page(qs, kind: str, after: int, limit: int) -> dict:
    spec = KINDS[kind]
    found = list(qs.filter(pk__gt=after)[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return {"items": [spec.row(values) for values in found], "next_cursor": str(found[-1][0]) if more and found else None}


def walk(qs) -> Iterator[tuple]:
    """Every row, CHUNK at a time by key: one query per chunk, no cursor held open."""
    after = 0
    while True:
        chunk = list(qs.filter(pk__gt=after)[:CHUNK])
        yield from chunk
        if len(chunk) < CHUNK:
            return
        after = chunk[-1][0]


class _Line:
    """csv.writer writes into this; each row becomes one string to stream."""

    def write(self, text: str) -> str:
        return text


def csv_lines(qs, kind: str) -> Iterator[str]:
    spec = KINDS[kind]
    writer = csv.writer(_Line())
    yield writer.writerow(spec.columns)
    for values in walk(qs):
        yield writer.writerow([_plain(v) for v in values])
