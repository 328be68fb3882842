"""Storing a burst costs a fixed number of queries, however many customers wrote in it: every
subscriber of the domain hooks (cases, assignment…) reads what it needs for the whole batch at
once. A field the hooks read but the locked conversation rows left out would cost one query per
chat, and ingest throughput with it."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mostrador.inbox.models import Message
from mostrador.intake.jobs import drain, store

from .conftest import PHONE_NUMBER_ID, fixture

pytestmark = pytest.mark.django_db(transaction=True)


def burst(customers: range, round_: int) -> bytes:
    """One notification carrying a text from each of these customers."""
    note = fixture("text")
    value = note["entry"][0]["changes"][0]["value"]
    template = value["messages"][0]
    value["contacts"] = [{"profile": {"name": f"Cliente {k}"}, "wa_id": f"5691000{k:04d}"} for k in customers]
    value["messages"] = [
        {**template, "from": f"5691000{k:04d}", "id": f"wamid.BURST.{round_}.{k}"} for k in customers
    ]
    return json.dumps(note).encode()


def queries_to_store(customers: range, round_: int) -> int:
    store("whatsapp", burst(customers, round_), account=PHONE_NUMBER_ID)
    with CaptureQueriesContext(connection) as queries:
        assert drain() == 1
    return len(queries)


def test_a_burst_costs_the_same_queries_for_few_or_many_customers(wa_inbox):
    # New customers (new contacts, chats and cases), then the same customers again (open chats).
    few, many = range(3), range(100, 130)
    few_new, many_new = queries_to_store(few, 0), queries_to_store(many, 1)
    few_again, many_again = queries_to_store(few, 2), queries_to_store(many, 3)
    assert Message.objects.filter(direction="in").count() == 66
    assert many_new == few_new
    assert many_again == few_again
