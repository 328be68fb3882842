"""`insert_rows` skips Django's per-field preparation on the ingest path, and `update_rows` writes
many rows with one statement; what they store must read back exactly as what `bulk_create` and
`save` store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mostrador.core.bulk import insert_rows, update_rows
from mostrador.inbox.models import Contact, Conversation, ConversationEvent, EventKind, Message
from mostrador.rules.attention import AuthorKind

pytestmark = pytest.mark.django_db


def rows(conv, agent, tag: str) -> list[ConversationEvent]:
    santiago = datetime(2026, 3, 2, 23, 59, 59, 123456, tzinfo=ZoneInfo("America/Santiago"))
    return [
        ConversationEvent(conversation=conv, kind=EventKind.CASE_OPENED, actor_kind=AuthorKind.AGENT, actor=agent,
                          data={"case_id": 7, "tag": tag, "ñ": ["á", None, 1.5]}, created_at=santiago),
        ConversationEvent(conversation=conv, kind=EventKind.MESSAGE, actor_kind=AuthorKind.CUSTOMER, bot_name="",
                          from_state="pending", to_state="with_ai", data={"tag": tag}, created_at=santiago + timedelta(microseconds=1)),
        ConversationEvent(conversation=conv, kind=EventKind.RESOLVED, actor_kind="system", data={"tag": tag},
                          created_at=datetime(2026, 1, 1, tzinfo=timezone.utc)),
    ]


def read_back(objs) -> list[tuple]:
    fields = ["conversation_id", "kind", "actor_kind", "actor_id", "bot_name", "from_state", "to_state", "data", "created_at"]
    got = {e.pk: e for e in ConversationEvent.objects.filter(pk__in=[o.pk for o in objs])}
    return [tuple(getattr(got[o.pk], f) if f != "data" else {k: v for k, v in got[o.pk].data.items() if k != "tag"} for f in fields) for o in objs]


def test_insert_rows_stores_what_bulk_create_stores(agent):
    conv = Conversation.objects.create(inbox=_inbox(), contact=Contact.objects.create(name="Ana"))
    fast, slow = rows(conv, agent, "fast"), rows(conv, agent, "slow")
    insert_rows(fast)
    ConversationEvent.objects.bulk_create(slow)
    assert all(o.pk and not o._state.adding for o in fast)
    assert read_back(fast) == read_back(slow)
    assert ConversationEvent.objects.filter(created_at__gte=datetime(2026, 3, 3, 2, 59, 59, tzinfo=timezone.utc)).count() == 4


def test_insert_rows_splits_what_one_statement_cannot_hold(agent):
    conv = Conversation.objects.create(inbox=_inbox(), contact=Contact.objects.create(name="Ana"))
    many = [row for n in range(1500) for row in rows(conv, agent, str(n))]
    insert_rows(many)
    assert len({o.pk for o in many}) == 4500
    assert ConversationEvent.objects.get(pk=many[-1].pk).data["tag"] == "1499"


def test_insert_rows_stores_messages_as_bulk_create_does_empty_json_as_sql_null():
    conv = Conversation.objects.create(inbox=_inbox(), contact=Contact.objects.create(name="Ana"))
    at = datetime(2026, 3, 2, 12, 0, 0, 1, tzinfo=timezone.utc)

    def messages(tag: str) -> list[Message]:
        return [
            Message(conversation=conv, inbox=conv.inbox, direction="in", author_kind="customer", text=f"hola {tag}",
                    external_id=f"wamid.{tag}.1", status="received", created_at=at),
            Message(conversation=conv, inbox=conv.inbox, direction="in", author_kind="customer", type="image",
                    media={"id": "m1", "caption": "ñ"}, payload={"n": [1, None]}, external_id=f"wamid.{tag}.2",
                    status="received", created_at=at),
        ]

    fast, slow = messages("fast"), messages("slow")
    insert_rows(fast)
    Message.objects.bulk_create(slow)
    fields = ["type", "media", "location", "payload", "reply_to_id", "status", "created_at", "edited_at"]
    stored = lambda objs: [tuple(getattr(Message.objects.get(pk=o.pk), f) for f in fields) for o in objs]  # noqa: E731
    assert stored(fast) == stored(slow)
    # A message without media has none in SQL too, as Django writes it: not a JSON null.
    assert set(Message.objects.filter(media__isnull=True).values_list("text", flat=True)) == {"hola fast", "hola slow"}
    assert Message.objects.filter(location__isnull=True).count() == 4


def test_insert_rows_gives_each_object_its_own_row_among_many():
    """The ids set match the rows as stored, in order, for a batch bigger than a burst."""
    inbox = _inbox()
    contacts = [Contact(name=f"c{n}", phone=f"+5691234{n:04d}", fields={"n": n} if n % 3 else {}) for n in range(700)]
    insert_rows(contacts)
    stored = dict(Contact.objects.filter(pk__in=[c.pk for c in contacts]).values_list("pk", "name"))
    assert [stored[c.pk] for c in contacts] == [f"c{n}" for n in range(700)]
    assert Contact.objects.get(pk=contacts[5].pk).fields == {"n": 5}
    assert Contact.objects.get(pk=contacts[6].pk).fields == {}
    convs = [Conversation(inbox=inbox, contact=c) for c in contacts[:3]]
    insert_rows(convs)
    assert Conversation.objects.get(pk=convs[1].pk).contact_id == contacts[1].pk


def test_insert_rows_can_leave_out_what_is_already_there():
    inbox = _inbox()
    ana, bea, eva = (Contact.objects.create(name=n) for n in ("Ana", "Bea", "Eva"))
    had = Conversation.objects.create(inbox=inbox, contact=bea, priority=2)
    insert_rows([Conversation(inbox=inbox, contact=c, priority=1) for c in (ana, bea, eva)], ignore_conflicts=True)
    assert dict(Conversation.objects.filter(inbox=inbox).values_list("contact__name", "priority")) == {"Ana": 1, "Bea": 2, "Eva": 1}
    assert Conversation.objects.get(contact=bea).pk == had.pk


def test_insert_rows_stores_numbers_and_choices_as_save_does():
    from mostrador.cases.models import Case, HandledBy

    inbox = _inbox()
    opened = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    values = [
        (HandledBy.NONE, None, 0.0, 0, "", []),
        (HandledBy.AI, 0.1 + 0.2, 1e-7, 3, "ventas/ñandú", ["a", "b"]),
        (HandledBy.NONE, 12345.678901234567, float("inf"), 2**31 - 1, 'say "hi"\\', [{"x": None}]),
    ]
    fields = ["handled_by", "first_response_seconds", "queue_seconds", "interactions", "route", "tags"]
    cases = []
    for n, row in enumerate(values):
        conv = Conversation.objects.create(inbox=inbox, contact=Contact.objects.create(name=f"c{n}"))
        cases.append(Case(conversation=conv, inbox=inbox, contact=conv.contact, opened_at=opened, **dict(zip(fields, row, strict=True))))
    insert_rows(cases)
    assert [tuple(getattr(Case.objects.get(pk=c.pk), f) for f in fields) for c in cases] == values


def test_update_rows_writes_what_save_writes(agent):
    inbox = _inbox()
    convs = [Conversation.objects.create(inbox=inbox, contact=Contact.objects.create(name=f"c{n}")) for n in range(4)]
    copies = [Conversation.objects.get(pk=c.pk) for c in convs]
    santiago = datetime(2026, 3, 2, 23, 59, 59, 123456, tzinfo=ZoneInfo("America/Santiago"))
    fields = ["waiting_since", "resolved", "assignee", "fields", "priority"]
    for n, (fast, slow) in enumerate(zip(convs, copies, strict=True)):
        for conv in (fast, slow):
            conv.waiting_since = None if n == 0 else santiago + timedelta(seconds=n)
            conv.resolved = n % 2 == 1
            conv.assignee = agent if n > 1 else None
            conv.fields = {"ñ": ["á", None, 1.5], "n": n} if n else {}
            conv.priority = n
    again = Conversation.objects.get(pk=convs[3].pk)  # as stored: not waiting, nobody on it
    again.priority, again.fields = 9, {"last": True}
    update_rows([*convs, again], fields)  # listed twice: the later appearance wins
    stored = {c.pk: c for c in Conversation.objects.filter(pk__in=[c.pk for c in convs])}
    for slow in copies[:3]:
        slow.save(update_fields=fields)
    saved = {c.pk: c for c in Conversation.objects.filter(pk__in=[c.pk for c in copies[:3]])}
    row = lambda c: (c.waiting_since, c.resolved, c.assignee_id, c.fields, c.priority)  # noqa: E731
    assert [row(stored[c.pk]) for c in convs[:3]] == [row(saved[c.pk]) for c in copies[:3]]
    assert row(stored[convs[3].pk]) == (None, False, None, {"last": True}, 9)


def test_update_rows_writes_numbers_and_choices_as_save_does(agent):
    from mostrador.cases.models import Case, HandledBy

    inbox = _inbox()
    opened = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
    cases = []
    for n in range(3):
        conv = Conversation.objects.create(inbox=inbox, contact=Contact.objects.create(name=f"c{n}"))
        cases.append(Case.objects.create(conversation=conv, inbox=inbox, contact=conv.contact, opened_at=opened))
    fields = ["handled_by", "first_response_seconds", "queue_seconds", "interactions", "route", "tags", "first_response_at"]
    values = [
        (HandledBy.NONE, None, 0.0, 0, "", [], None),
        (HandledBy.NONE, 0.1 + 0.2, 1e-7, 3, "ventas/ñandú", ["a", "b"], opened + timedelta(microseconds=1)),
        (HandledBy.NONE, 12345.678901234567, float("inf"), 2**31 - 1, 'say "hi"\\', [{"x": None}], opened),
    ]
    for case, row in zip(cases, values, strict=True):
        for field, value in zip(fields, row, strict=True):
            setattr(case, field, value)
    update_rows(cases, fields)
    stored = [tuple(getattr(Case.objects.get(pk=c.pk), f) for f in fields) for c in cases]
    assert stored == values


def _inbox():
    from mostrador.inbox.actions.inboxes import create_inbox

    return create_inbox("Tienda", "api", {})
