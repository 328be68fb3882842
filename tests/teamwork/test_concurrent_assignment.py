"""Many workers assigning at once never give an agent more than their capacity, and the queue
still drains oldest first. On PostgreSQL the workers really run at once (row locks decide); on
SQLite they take turns, and the outcome must be the same."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from mostrador.inbox.models import Conversation
from mostrador.teamwork import loads
from mostrador.teamwork.assignment import drain
from tests.conftest import Api

from .conftest import new_inbox

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(jobs) -> list:
    """Run each job on its own thread and connection, released together; return their results."""
    start, results, errors = threading.Barrier(len(jobs)), [None] * len(jobs), []

    def run(i, job):
        try:
            start.wait(timeout=30)
            results[i] = job()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def open_per_agent(inbox_id: int) -> Counter:
    return Counter(
        Conversation.objects.filter(inbox_id=inbox_id, resolved=False, assignee__isnull=False).values_list("assignee_id", flat=True)
    )


def test_concurrent_customers_never_push_an_agent_past_capacity(admin_api, sellers):
    inbox = new_inbox(admin_api, sellers, assignment="balanced", capacity=2)
    token = admin_api.headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")

    def customer(n):
        def write():
            api = Api(token)
            for k in range(3):
                body = {"contact": {"external_id": f"c{n}-{k}", "name": f"C {n}"}, "text": "hola"}
                assert api.post(f"/inboxes/{inbox}/messages", body).status_code == 201
        return write

    at_once([customer(n) for n in range(8)])
    held = open_per_agent(inbox)
    assert sorted(held.values()) == [2, 2, 2]
    assert Conversation.objects.filter(inbox_id=inbox, queued_since__isnull=False).count() == 24 - 6
    assert loads.recount() == 0

    # Room for everyone frees at once; two drains race over the queue.
    queued = list(
        Conversation.objects.filter(inbox_id=inbox, queued_since__isnull=False).order_by("queued_since", "id").values_list("pk", flat=True)
    )
    admin_api.patch(f"/inboxes/{inbox}", {"settings": {"capacity": 5}})
    given = at_once([lambda: drain(inbox), lambda: drain(inbox), lambda: drain(inbox)])
    assert sum(given) == 9
    assert sorted(open_per_agent(inbox).values()) == [5, 5, 5]
    still = list(
        Conversation.objects.filter(inbox_id=inbox, queued_since__isnull=False).order_by("queued_since", "id").values_list("pk", flat=True)
    )
    # The oldest nine left the queue; the newest nine still wait, in order.
    assert still == queued[9:]
    assert loads.recount() == 0


def test_an_agent_going_offline_while_chats_arrive_is_never_given_one_after(admin_api, sellers):
    ana, bruno, carla = sellers
    bruno.set("offline")
    carla.set("offline")
    inbox = new_inbox(admin_api, sellers, assignment="round_robin")
    token = admin_api.headers["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    went_offline = threading.Event()

    def customers():
        api = Api(token)
        for k in range(30):
            body = {"contact": {"external_id": f"c{k}", "name": "C"}, "text": "hola"}
            api.post(f"/inboxes/{inbox}/messages", body)

    def leave():
        ana.set("offline")
        went_offline.set()
        from mostrador.accounts.models import AvailabilityChange

        return AvailabilityChange.objects.filter(user=ana.user, availability="offline").latest("at").at

    _, left_at = at_once([customers, leave])
    from mostrador.inbox.models import ConversationEvent

    given_after = ConversationEvent.objects.filter(
        conversation__inbox_id=inbox, kind="assigned", data__to__user_id=ana.id, created_at__gt=left_at
    )
    assert not given_after.exists()
    assert loads.recount() == 0
