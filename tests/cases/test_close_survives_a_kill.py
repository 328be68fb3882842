"""A process killed (SIGKILL) in the middle of closing a case loses no case and closes none twice:
the close is one transaction (the conversation, the case, its rollup, its event), and the timer
job that was running is run again by the next worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from mostrador.cases.models import Case, CaseDay
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Conversation, EventKind
from mostrador.jobs.runner import requeue_stale_jobs, run_due_jobs
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]

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


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{s.get('USER') or 'postgres'}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


def test_a_kill_mid_close_loses_nothing_and_the_retry_closes_once(agent_api, agent, tmp_path):
    shop = create_inbox("Tienda", "api", {"case_close_after_seconds": 1})
    shop.members.add(agent)
    with time_machine.travel(timezone.now() - timedelta(seconds=30), tick=False):
        conv_id = customer_says(agent_api, shop.pk, "¿tienen frenos?")["conversation_id"]
        agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Sí, quedan dos."})
    # The customer's silence is long past case_close_after_seconds: the close timer is due.

    marker = tmp_path / "closing"
    env = {**os.environ, "DATABASE_URL": database_url()}
    worker = subprocess.Popen([sys.executable, "-c", WORKER.format(root=str(ROOT), marker=str(marker))], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert worker.poll() is None, "the worker ended before it reached the close"
            assert time.monotonic() < deadline, "the worker never reached the close"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()

    # Nothing of the half-done close is left: the case is open, no rollup, no event.
    case = Case.objects.get(conversation_id=conv_id)
    assert case.closed_at is None and not Conversation.objects.get(pk=conv_id).resolved
    assert not CaseDay.objects.exists()
    assert not Conversation.objects.get(pk=conv_id).events.filter(kind=EventKind.CASE_CLOSED).exists()

    # The next worker gets the dead one's job back and closes the case, once.
    assert requeue_stale_jobs(older_than=timedelta(0)) >= 1
    run_due_jobs()
    run_due_jobs()
    case.refresh_from_db()
    assert case.close_reason == "inactivity" and case.closed_at is not None
    assert Case.objects.filter(conversation_id=conv_id).count() == 1
    assert Conversation.objects.get(pk=conv_id).events.filter(kind=EventKind.CASE_CLOSED).count() == 1
    assert CaseDay.objects.get(slice="").tally["closed"] == 1
    assert agent_api.get("/reports/summary").json_body["cases_closed"] == 1
