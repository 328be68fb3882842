"""A worker killed (SIGKILL) in the middle of a send leaves its job running with nobody behind it.
Its lease lapses and any live runner takes it again: the reply goes out, seconds later, not ten
minutes later and not never."""

from __future__ import annotations

import textwrap
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Message
from mostrador.jobs.lanes import LEASE, reap_lapsed_jobs
from mostrador.jobs.runner import run_due_jobs
from tests.conftest import customer_says
from tests.workers import ROOT, kill_when_marked

from .outside import HangingEndpoint

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

WORKER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django
    django.setup()
    from mostrador.jobs.runner import make_worker
    make_worker(batch=True).run()
""")


def test_a_send_whose_worker_was_killed_goes_out_after_its_lease(agent, agent_api, tmp_path):
    marker = tmp_path / "sending"
    # The first send hangs (the worker dies waiting for it); the next one lands.
    receiver = HangingEndpoint(threading.Event(), only_first=True, marker=marker)
    shop = create_inbox("Tienda", "api", {"outbound_url": receiver.url})
    shop.members.add(agent)
    conv_id = customer_says(shop.pk, "¿tienen frenos?")["conversation_id"]
    sent = agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Sí, quedan dos."}).json_body

    kill_when_marked(WORKER.format(root=str(ROOT)), marker, "the send")
    job = DBTaskResult.objects.get(status="RUNNING")
    assert Message.objects.get(pk=sent["id"]).status == "queued"

    # A live runner's beat-and-reap finds the job's runner silent once the lease has lapsed.
    assert reap_lapsed_jobs(now=timezone.now() + LEASE + timedelta(seconds=1)) == 1
    run_due_jobs()
    assert DBTaskResult.objects.get(pk=job.pk).status == "SUCCESSFUL"
    assert Message.objects.get(pk=sent["id"]).status == "sent"
    # The api channel cannot ask the other side whether the first attempt arrived: it may get
    # the reply twice (README, "Background work").
    assert receiver.requests == 2
    receiver.close()
