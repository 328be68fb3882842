"""Job lanes outlive their errors, report themselves to /healthz, and a job whose runner stopped
beating (killed mid-work) is given back for another runner."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mostrador.inbox.jobs import end_ai_window, sync_all_templates
from mostrador.jobs import lanes
from mostrador.jobs.models import WorkerBeat
from mostrador.jobs.retry import backoff_seconds

pytestmark = pytest.mark.django_db(transaction=True)


def until(condition, seconds=10.0, what="the condition"):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def stop():
    event = threading.Event()
    yield event
    event.set()
    lanes.RUNNING.clear()


def test_a_lane_survives_database_errors_and_reports_them(stop):
    calls = []

    def body():
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("server closed the connection unexpectedly")
        return False

    lane = lanes.Lane("timers", body=body)
    thread = threading.Thread(target=lanes.supervise, args=(lane, stop, 0.01), daemon=True)
    thread.start()
    until(lambda: lane.failures == 2, what="two failed rounds")
    assert lane.report(time.monotonic())["state"] == "failing" and "server closed" in lane.last_error
    until(lambda: len(calls) >= 4, what="rounds after the errors")
    assert thread.is_alive() and lane.failures == 0
    assert lane.report(time.monotonic())["state"] == "ok"


def test_healthz_names_a_lane_that_keeps_failing(stop):
    lane = lanes.Lane("timers", body=lambda: False, alive=True)
    lanes.RUNNING["timers"] = lane
    assert Client().get("/healthz").json() == {"status": "ok"}
    assert Client().get("/healthz?lanes=1").json()["lanes"]["timers"]["state"] == "ok"
    lane.failing_since, lane.last_error = time.monotonic() - 60, "OperationalError: connection refused"
    answer = Client().get("/healthz")
    assert answer.status_code == 503 and "lane timers" in answer.json()["reason"]
    lane.alive = False
    assert Client().get("/healthz?lanes=1").json()["lanes"]["timers"]["state"] == "stuck"


def claimed(worker_id: str, started_ago: float) -> DBTaskResult:
    result = sync_all_templates.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.status, row.worker_ids = "RUNNING", [worker_id]
    row.started_at = timezone.now() - timedelta(seconds=started_ago)
    row.save()
    return row


def test_a_job_of_a_runner_that_stopped_beating_is_given_back():
    WorkerBeat.objects.create(worker_id="alive", lane="default", process="here:1", beat_at=timezone.now())
    dead = claimed("killed", started_ago=30)
    busy = claimed("alive", started_ago=30)
    fresh = claimed(uuid.uuid4().hex, started_ago=1)  # just claimed: its lease has not lapsed
    assert lanes.reap_lapsed_jobs() == 1
    states = dict(DBTaskResult.objects.filter(pk__in=[dead.pk, busy.pk, fresh.pk]).values_list("pk", "status"))
    assert states == {dead.pk: "READY", busy.pk: "RUNNING", fresh.pk: "RUNNING"}


def test_the_beat_keeps_a_live_runners_jobs(stop):
    lane = lanes.Lane("default", body=lambda: False, alive=True)
    job = claimed(lane.worker_id, started_ago=30)
    lanes.beat([lane], "here:1")
    assert lanes.reap_lapsed_jobs() == 0
    assert DBTaskResult.objects.get(pk=job.pk).status == "RUNNING"


def test_timers_have_a_lane_of_their_own(stop):
    """A due timer runs while the default lane is busy with something slow."""
    slow = threading.Event()
    default = lanes.Lane("default", body=lambda: slow.wait(10) and False)
    timers = lanes.job_lane(lanes.TIMERS, [lanes.TIMERS])
    for lane in (default, timers):
        threading.Thread(target=lanes.supervise, args=(lane, stop, 0.02), daemon=True).start()
    job = end_ai_window.enqueue(999_999, timezone.now().isoformat())  # no such chat: done at once
    until(lambda: DBTaskResult.objects.get(pk=job.id).finished_at is not None, what="the timer")
    assert default.busy_since is None and not slow.is_set()
    slow.set()


def test_the_retry_policy_doubles_up_to_its_cap():
    assert 1.6 <= backoff_seconds(1) <= 2.0
    assert 3.2 <= backoff_seconds(2) <= 4.0
    assert 240 <= backoff_seconds(30) <= 300


def test_old_history_is_let_go_and_what_needs_a_person_is_kept(settings):
    from mostrador.intake.models import InboundLog, LogState
    from mostrador.jobs.retention import prune

    settings.MOSTRADOR_KEEP_JOBS_DAYS, settings.MOSTRADOR_KEEP_INBOUND_DAYS = 7, 30
    long_ago = timezone.now() - timedelta(days=40)
    done = sync_all_templates.enqueue()
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL", finished_at=long_ago)
    recent = sync_all_templates.enqueue()
    DBTaskResult.objects.filter(pk=recent.id).update(status="SUCCESSFUL", finished_at=timezone.now())
    applied = InboundLog.objects.create(channel="whatsapp", body=b"{}", state=LogState.PROCESSED, received_at=long_ago)
    unknown = InboundLog.objects.create(channel="whatsapp", body=b"{}", state=LogState.UNROUTABLE, received_at=long_ago)
    assert prune.call() == {"jobs": 1, "inbound": 1}
    assert not DBTaskResult.objects.filter(pk=done.id).exists() and DBTaskResult.objects.filter(pk=recent.id).exists()
    assert not InboundLog.objects.filter(pk=applied.pk).exists() and InboundLog.objects.filter(pk=unknown.pk).exists()
    assert DBTaskResult.objects.filter(task_path=prune.module_path, status="READY").count() == 1  # comes back


def test_recurring_jobs_start_once(stop):
    from mostrador.jobs.retention import prune
    from mostrador.jobs.runner import ensure_schedules

    ensure_schedules()
    ensure_schedules()
    assert DBTaskResult.objects.filter(task_path=prune.module_path).count() == 1
    assert DBTaskResult.objects.filter(task_path=sync_all_templates.module_path).count() == 1


def test_an_idle_lane_polls_without_reconnecting_each_time(stop):
    """An idle server polls for due work several times a second per lane; on SQLite each poll
    opening a connection anew cost a tenth of a core. A pooled PostgreSQL connection goes back to
    the pool between polls, so idle lanes never hold the connections requests need."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    polls, opened = [], []

    def body():
        polls.append(DBTaskResult.objects.exists())  # the poll: a plain read
        return False

    def counted(**kwargs):
        opened.append(threading.get_ident())

    lane = lanes.Lane("timers", body=body)
    connection_created.connect(counted)
    try:
        thread = threading.Thread(target=lanes.supervise, args=(lane, stop, 0.005), daemon=True)
        thread.start()
        until(lambda: len(polls) >= 30, what="thirty idle polls")
        stop.set()
        thread.join(timeout=10)
    finally:
        connection_created.disconnect(counted)
    by_the_lane = opened.count(thread.ident)
    if connection.vendor == "sqlite":
        assert by_the_lane == 1, by_the_lane
    else:
        assert by_the_lane >= 30, by_the_lane  # taken from the pool and given back each time


def test_the_lanes_of_a_process_share_one_read_of_what_is_due(settings):
    """Six job lanes polling five times a second asked the database thirty times a second on an
    idle server; within half a poll interval they share one read, and work enqueued is seen on
    the next read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MOSTRADOR_JOB_POLL_SECONDS = 0.2
    now = [100.0]
    due = lanes._DueQueues(clock=lambda: now[0])
    timers = lanes._LaneWorker(lanes.Lane("timers", body=None), [lanes.TIMERS], [])
    default = lanes._LaneWorker(lanes.Lane("default", body=None), ["*"], [lanes.AGENTS, lanes.TIMERS, lanes.SENDS])
    original, lanes.due_queues = lanes.due_queues, due
    try:
        with CaptureQueriesContext(connection) as reads:
            for _ in range(6):
                assert not timers._anything_due() and not default._anything_due()
        assert len(reads) == 1
        sync_all_templates.enqueue()  # the default queue
        assert not default._anything_due(), "still within the shared read"
        now[0] += 0.2
        assert default._anything_due()
        assert not timers._anything_due(), "another queue's work is not the timers lane's"
        end_ai_window.enqueue(999_999, timezone.now().isoformat())
        now[0] += 0.2
        assert timers._anything_due()
    finally:
        lanes.due_queues = original
