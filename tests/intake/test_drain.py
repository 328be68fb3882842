"""Draining the inbound log: oldest first, and one number's notifications never processed by two
pumps at once (their batches would lock the same conversations and wait on each other)."""

import threading

import pytest
from django.db import connection, transaction

from mostrador.intake.jobs import claim_batch, store

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_pump_takes_another_number_never_the_same_one():
    first_number = [store("whatsapp", b"{}", account="109876543210001").pk for _ in range(3)]
    second_number = [store("whatsapp", b"{}", account="109876543210002").pk for _ in range(2)]
    claimed, release, taken = threading.Event(), threading.Event(), {}

    def first_pump():
        try:
            with transaction.atomic():
                taken["first"] = [entry.pk for entry in claim_batch(10)]
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    pump = threading.Thread(target=first_pump)
    pump.start()
    try:
        assert claimed.wait(10)
        if connection.vendor == "postgresql":
            # While the first pump holds the oldest number, the second drains the other one.
            with transaction.atomic():
                taken["second"] = [entry.pk for entry in claim_batch(10)]
            assert taken == {"first": first_number, "second": second_number}
        else:
            # SQLite has one writer at a time: a pump simply takes the oldest, whatever the number.
            assert taken == {"first": first_number + second_number}
    finally:
        release.set()
        pump.join(10)


def test_notifications_are_taken_in_arrival_order_up_to_the_limit():
    ids = [store("whatsapp", b"{}", account="109876543210001").pk for _ in range(5)]
    with transaction.atomic():
        assert [entry.pk for entry in claim_batch(3)] == ids[:3]
