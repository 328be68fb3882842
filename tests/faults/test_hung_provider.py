"""A provider that hangs holds one send lane, nothing else: the AI window of another chat still
ends on time, and other replies still go out."""

from __future__ import annotations

import threading
import time

import pytest
from django.utils import timezone

from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Conversation, Message
from mostrador.jobs import lanes
from tests.conftest import customer_says

from .outside import HangingEndpoint

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_timers_and_other_sends_keep_going_while_one_provider_hangs(agent, agent_api):
    release, stop = threading.Event(), threading.Event()
    hanging = HangingEndpoint(release)
    stuck_inbox = create_inbox("Integración lenta", "api", {"outbound_url": hanging.url})
    ai_inbox = create_inbox("Con IA", "api", {"ai_enabled": True, "ai_window_seconds": 1})
    quick_inbox = create_inbox("Tienda", "api", {})
    for box in (stuck_inbox, ai_inbox, quick_inbox):
        box.members.add(agent)
    running = lanes.standard_lanes()
    threads = lanes.run_lanes(running, stop)
    try:
        stuck = customer_says(stuck_inbox.pk, "hola", who="a")["conversation_id"]
        agent_api.post(f"/conversations/{stuck}/messages", {"text": "ya le respondo"})
        until(lambda: any(lane.busy_since for lane in running if lane.name.startswith("sends")), 10, "the hanging send")

        waiting = customer_says(ai_inbox.pk, "¿precio?", who="b")["conversation_id"]
        deadline = Conversation.objects.get(pk=waiting).ai_deadline
        until(lambda: Conversation.objects.get(pk=waiting).state(timezone.now()).value == "pending"
              and Conversation.objects.get(pk=waiting).events.filter(kind="ai_window_ended").exists(),
              10, "the AI window to end")
        ended = Conversation.objects.get(pk=waiting).events.get(kind="ai_window_ended").created_at
        assert (ended - deadline).total_seconds() < 1.0, "the timer waited behind the hanging send"

        quick = customer_says(quick_inbox.pk, "hola", who="c")["conversation_id"]
        reply = agent_api.post(f"/conversations/{quick}/messages", {"text": "¡Hola!"}).json_body
        until(lambda: Message.objects.get(pk=reply["id"]).status == "sent", 10, "another reply to go out")
    finally:
        release.set()
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        lanes.RUNNING.clear()
        hanging.close()
