"""Writers lock one conversation, not its inbox: two people acting on two chats of one inbox at
once never wait for each other (PostgreSQL; SQLite has one writer at a time by design)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from mostrador.inbox.actions.record import locked
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises every writer")
def test_two_chats_of_one_inbox_are_locked_apart(agent_api, inbox):
    first = customer_says(inbox.pk, "hola", who="uno")["conversation_id"]
    second = customer_says(inbox.pk, "hola", who="dos")["conversation_id"]
    holding, done = threading.Event(), threading.Event()

    def hold_first() -> None:
        try:
            with transaction.atomic():
                locked(first)
                holding.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_first)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            assert locked(second).inbox_id == inbox.pk  # would time out if the inbox row were locked
    finally:
        done.set()
        holder.join(timeout=30)
