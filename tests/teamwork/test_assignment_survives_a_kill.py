"""A worker killed (SIGKILL) in the middle of draining a queue leaves every chat either assigned
once or still queued, with exact counters; the next worker finishes the job."""

from __future__ import annotations

import textwrap
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from mostrador.inbox.models import Conversation, ConversationEvent
from mostrador.jobs.lanes import LEASE, reap_lapsed_jobs
from mostrador.jobs.runner import run_due_jobs
from mostrador.teamwork import loads
from tests.workers import ROOT, kill_when_marked

from .conftest import chat, new_inbox

pytestmark = pytest.mark.django_db(transaction=True)

# A worker that stops for good inside its fourth assignment's transaction, and waits to be killed.
WORKER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django
    django.setup()
    from pathlib import Path
    from mostrador.inbox import hooks
    from mostrador.jobs.runner import make_worker

    seen = []

    def stall(change):
        if change.kind == "assigned":
            seen.append(change.conversation.pk)
            if len(seen) == 4:
                Path({marker!r}).write_text("assigning")
                time.sleep(120)

    hooks.conversation_changed.subscribe(stall)
    make_worker(batch=True).run()
""")


def test_a_kill_mid_drain_leaves_each_chat_assigned_once_or_queued(admin_api, sellers, tmp_path):
    for seller in sellers:
        seller.set("offline")
    inbox = new_inbox(admin_api, sellers, assignment="balanced")
    ids = [chat(admin_api, inbox, f"c{i}")["id"] for i in range(10)]
    assert Conversation.objects.filter(pk__in=ids, queued_since__isnull=False).count() == 10
    sellers[0].set("online")  # room: a drain job is due

    marker = tmp_path / "assigning"
    kill_when_marked(WORKER.format(root=str(ROOT), marker=str(marker)), marker, "the fourth assignment")

    def assigned_events() -> Counter:
        return Counter(
            ConversationEvent.objects.filter(conversation_id__in=ids, kind="assigned").values_list("conversation_id", flat=True)
        )

    # Three chats were given, oldest first; the fourth rolled back; the rest wait in order.
    convs = {c.pk: c for c in Conversation.objects.filter(pk__in=ids)}
    assert [pk for pk in ids if convs[pk].assignee_id] == ids[:3]
    assert all(convs[pk].queued_since is not None and convs[pk].assignee_id is None for pk in ids[3:])
    assert set(assigned_events().values()) == {1}
    assert loads.recount() == 0

    # The next worker takes the dead one's job back and finishes: each chat assigned once.
    assert reap_lapsed_jobs(now=timezone.now() + LEASE + timedelta(seconds=1)) >= 1
    run_due_jobs()
    assert Conversation.objects.filter(pk__in=ids, assignee_id=sellers[0].id, queued_since__isnull=True).count() == 10
    assert assigned_events() == Counter({pk: 1 for pk in ids})
    assert loads.recount() == 0
