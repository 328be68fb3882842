"""A process killed (SIGKILL) in the middle of closing a case loses no case and closes none twice:
the close is one transaction (the conversation, the case, its rollup, its event), and the timer
job that was running is run again by the next worker."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mostrador.cases.models import Case, CaseDay
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Conversation, EventKind
from mostrador.jobs.lanes import LEASE, reap_lapsed_jobs
from mostrador.jobs.runner import run_due_jobs
from tests.conftest import customer_says
from tests.workers import ROOT, kill_when_marked

pytestmark = pytest.mark.django_db(transaction=True)

# A worker that stops for good inside the closing transaction, once the case and its rollup are
# written: it says so through a file, and waits there to be killed.
WORKER = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django
    django.setup()
    from pathlib import Path
    from mostrador.inbox import hooks
    from mostrador.jobs.runner import make_worker

    def stall(change):
        if change.kind == "resolved":
            Path({marker!r}).write_text("closing")
            time.sleep(120)

    hooks.conversation_changed.subscribe(stall)
    make_worker(batch=True).run()
""")


def test_a_kill_mid_close_loses_nothing_and_the_retry_closes_once(agent_api, agent, tmp_path):
    shop = create_inbox("Tienda", "api", {"case_close_after_seconds": 1})
    shop.members.add(agent)
    with time_machine.travel(timezone.now() - timedelta(seconds=30), tick=False):
        conv_id = customer_says(shop.pk, "¿tienen frenos?")["conversation_id"]
        agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Sí, quedan dos."})
    # The customer's silence is long past case_close_after_seconds: the close timer is due.

    marker = tmp_path / "closing"
    kill_when_marked(WORKER.format(root=str(ROOT), marker=str(marker)), marker, "the close")

    # Nothing of the half-done close is left: the case is open, no rollup, no event.
    case = Case.objects.get(conversation_id=conv_id)
    assert case.closed_at is None and not Conversation.objects.get(pk=conv_id).resolved
    assert not CaseDay.objects.exists()
    assert not Conversation.objects.get(pk=conv_id).events.filter(kind=EventKind.CASE_CLOSED).exists()

    # The next worker gets the dead one's job back and closes the case, once.
    assert reap_lapsed_jobs(now=timezone.now() + LEASE + timedelta(seconds=1)) >= 1
    run_due_jobs()
    run_due_jobs()
    case.refresh_from_db()
    assert case.close_reason == "inactivity" and case.closed_at is not None
    assert Case.objects.filter(conversation_id=conv_id).count() == 1
    assert Conversation.objects.get(pk=conv_id).events.filter(kind=EventKind.CASE_CLOSED).count() == 1
    assert CaseDay.objects.get(slice="").tally["closed"] == 1
    assert agent_api.get("/reports/summary").json_body["cases_closed"] == 1
