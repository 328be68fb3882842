"""Background work runs in lanes, each on its own thread, so no kind of work waits behind another:

- `timers`: the moments the attention rule depends on (an AI window ending, a case closing after
  silence, left-on-read checks, queue drains). They must fire on time whatever else is busy.
- `agents`: AI turns, which wait on a model for seconds.
- `sends-1`…`sends-3`: replies going out, several at once (one customer's still in order).
- `default`: media, receipts, syncs, everything else.
- `intake`: the pump that applies stored webhook notifications.

A lane never dies quietly. Each round runs under a supervisor: an error (the database restarting,
a pooled connection the server closed) is logged, the thread's connections are dropped, and the
round is tried again after a backoff. Every lane of a process beats in `WorkerBeat` every couple
of seconds from one small thread; a job claimed by a runner whose beats stopped (the process was
killed) is given back within `LEASE` and run again by any live runner. `/healthz` reports each
lane and answers 503 while one is failing or stuck.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from .retry import backoff_seconds

log = logging.getLogger(__name__)

TIMERS, AGENTS, SENDS, DEFAULT, INTAKE = "timers", "agents", "sends", "default", "intake"
# Sends run this many at a time: one provider call that hangs holds one lane, not every reply.
SEND_LANES = 3

BEAT_EVERY = 2.0
# A runner silent this long is gone: its running jobs are given to others.
LEASE = timedelta(seconds=10)
# A lane failing for longer than this, or one job running longer, makes the process unhealthy.
FAILING_LIMIT = 10.0
BUSY_LIMIT = 600.0


@dataclass
class Lane:
    """One lane of this process: what it runs, and what `/healthz` reads about it."""

    name: str
    body: object  # a callable doing one round; returns whether it found work
    worker_id: str = field(default_factory=lambda: get_random_string(32))
    last_round: float = field(default_factory=time.monotonic)
    busy_since: float | None = None
    failing_since: float | None = None
    last_error: str = ""
    failures: int = 0
    alive: bool = False

    def report(self, now: float) -> dict:
        problem = ""
        if not self.alive:
            problem = "not running"
        elif self.failing_since is not None and now - self.failing_since > FAILING_LIMIT:
            problem = f"failing for {now - self.failing_since:.0f} s: {self.last_error}"
        elif self.busy_since is not None and now - self.busy_since > BUSY_LIMIT:
            problem = f"one job has run for {now - self.busy_since:.0f} s"
        return {
            "state": "stuck" if problem else ("failing" if self.failing_since is not None else "ok"),
            "last_round_seconds_ago": round(now - self.last_round, 2),
            "problem": problem or None,
        }


# The lanes this process runs (none in a plain web process started with --no-jobs).
RUNNING: dict[str, Lane] = {}


class _LaneWorker(Worker):
    """django-tasks' worker, run in batch mode: each call takes every due job of its queues,
    then returns, so the supervisor sees each round. Marks the lane busy while a job runs."""

    def __init__(self, lane: Lane, queues: list[str], exclude: list[str]):
        super().__init__(
            queue_names=queues, interval=0, batch=True, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id=lane.worker_id, excluded_queue_names=exclude,
        )
        self.lane = lane

    def run_task(self, db_task_result) -> None:
        self.lane.busy_since = time.monotonic()
        try:
            super().run_task(db_task_result)
        finally:
            self.lane.busy_since = None

    def round(self) -> bool:
        if not self._anything_due():
            return False
        self.running = True
        self._run_tasks = 0
        self.run()
        return self._run_tasks > 0

    def _anything_due(self) -> bool:
        """A plain read first: claiming takes the database's write lock (on SQLite, the only
        one), and idle lanes polling several times a second must not hold it for nothing."""
        due = due_queues(self.backend_name)
        if self.process_all_queues:
            return bool(due - set(self.excluded_queue_names))
        return bool(due & set(self.queue_names))


class _DueQueues:
    """Which queues have a job ready, read once for every lane of the process that asks within
    half a poll interval: six job lanes polling five times a second each asked the database on
    their own, thirty reads a second of an idle server."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.read: dict[str, tuple[float, frozenset[str]]] = {}

    def __call__(self, backend_name: str) -> frozenset[str]:
        from django_tasks_db.models import DBTaskResult

        with self.lock:
            at, queues = self.read.get(backend_name, (float("-inf"), frozenset()))
            if self.clock() - at >= settings.MOSTRADOR_JOB_POLL_SECONDS / 2:
                ready = DBTaskResult.objects.ready().filter(backend_name=backend_name).order_by()
                queues = frozenset(ready.values_list("queue_name", flat=True).distinct())
                self.read[backend_name] = (self.clock(), queues)
            return queues


due_queues = _DueQueues()


def job_lane(name: str, queues: list[str], exclude: list[str] = ()) -> Lane:
    lane = Lane(name, body=None)
    lane.body = _LaneWorker(lane, queues, list(exclude)).round
    return lane


def intake_lane() -> Lane:
    from mostrador.intake.jobs import drain

    return Lane(INTAKE, body=lambda: bool(drain()))


def standard_lanes() -> list[Lane]:
    return [
        job_lane(TIMERS, [TIMERS]),
        job_lane(AGENTS, [AGENTS]),
        *(job_lane(f"{SENDS}-{n}", [SENDS]) for n in range(1, SEND_LANES + 1)),
        job_lane(DEFAULT, ["*"], exclude=[AGENTS, TIMERS, SENDS]),
        intake_lane(),
    ]


def supervise(lane: Lane, stop: threading.Event, interval: float | None = None) -> None:
    """Run a lane's rounds until `stop`; survive anything a round raises."""
    interval = settings.MOSTRADOR_JOB_POLL_SECONDS if interval is None else interval
    RUNNING[lane.name] = lane
    lane.alive = True
    try:
        found = True
        while not stop.is_set():
            _between_rounds(idle=not found)
            try:
                if lane.failures:
                    _release_own(lane)
                found = lane.body()
            except Exception as exc:  # noqa: BLE001 - a lane must outlive any error of a round
                lane.failures += 1
                lane.failing_since = lane.failing_since or time.monotonic()
                lane.last_error = f"{type(exc).__name__}: {exc}"[:300]
                log.exception("lane %s failed (attempt %s); trying again", lane.name, lane.failures)
                _drop_connections()
                stop.wait(backoff_seconds(lane.failures, first=0.5, cap=10))
                continue
            if lane.failing_since is not None:
                log.warning("lane %s works again after %s failed rounds", lane.name, lane.failures)
            lane.failures, lane.failing_since, lane.last_error = 0, None, ""
            lane.last_round = time.monotonic()
            if not found:
                stop.wait(interval)
    finally:
        lane.alive = False
        connections.close_all()


def _between_rounds(idle: bool) -> None:
    """Give the round's connection back, as a request does, except an idle SQLite one: opening a
    SQLite connection (reading the schema and the WAL index) costs over a millisecond, and the
    lanes polling five times a second each had an idle server spend a tenth of a core
    reconnecting. A pooled PostgreSQL connection costs nothing to take again."""
    if idle and connection.vendor == "sqlite":
        return
    close_old_connections()


def _release_own(lane: Lane) -> None:
    """After a failed round, nothing runs in this lane: a job it had claimed when the error came
    (say, the database went away before the job could be marked done) is given back at once."""
    from django_tasks_db.models import DBTaskResult

    held = [
        pk for pk, ids in DBTaskResult.objects.filter(status="RUNNING").values_list("id", "worker_ids")
        if ids and ids[-1] == lane.worker_id
    ]
    if held:
        DBTaskResult.objects.filter(pk__in=held, status="RUNNING").update(status="READY", started_at=None)


def _drop_connections() -> None:
    """A connection that failed may be dead (the server restarted): never reuse it."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too
            log.debug("closing a broken connection failed", exc_info=True)


def beat_and_reap(lanes: list[Lane], stop: threading.Event) -> None:
    """One small thread per process: beat for its lanes, and give back jobs whose runner is gone."""
    process = f"{socket.gethostname()}:{os.getpid()}"[:200]
    while not stop.is_set():
        try:
            beat(lanes, process)
            reap_lapsed_jobs()
        except Exception:  # noqa: BLE001 - the database may be down; beat again next time
            log.warning("could not beat", exc_info=True)
            _drop_connections()
        stop.wait(BEAT_EVERY)
    connections.close_all()


def beat(lanes: list[Lane], process: str) -> None:
    from .models import WorkerBeat

    now = timezone.now()
    live = [lane for lane in lanes if lane.alive]
    WorkerBeat.objects.bulk_create(
        [WorkerBeat(worker_id=lane.worker_id, lane=lane.name, process=process, beat_at=now) for lane in live],
        update_conflicts=True, unique_fields=["worker_id"], update_fields=["beat_at"],
    )
    WorkerBeat.objects.filter(beat_at__lt=now - timedelta(hours=1)).delete()


def reap_lapsed_jobs(now=None) -> int:
    """Give back the running jobs of runners that stopped beating (killed, frozen, cut off), so
    any live runner takes them within LEASE. Every job is written to be safe to run again."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerBeat

    now = now or timezone.now()
    cutoff = now - LEASE
    running = list(DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).values_list("id", "worker_ids"))
    if not running:
        return 0
    holders = {ids[-1] for _, ids in running if ids}
    alive = set(WorkerBeat.objects.filter(worker_id__in=holders, beat_at__gte=cutoff).values_list("worker_id", flat=True))
    lapsed = [pk for pk, ids in running if not ids or ids[-1] not in alive]
    if not lapsed:
        return 0
    given = DBTaskResult.objects.filter(pk__in=lapsed, status="RUNNING").update(status="READY", started_at=None)
    if given:
        log.warning("gave back %s jobs whose runner stopped beating", given)
    return given


def health() -> tuple[bool, dict]:
    """(healthy, report) for `/healthz`: this process's lanes, and whether any runner beats."""
    now = time.monotonic()
    lanes = {name: lane.report(now) for name, lane in RUNNING.items()}
    healthy = all(item["state"] != "stuck" for item in lanes.values())
    return healthy, lanes


def run_lanes(lanes: list[Lane], stop: threading.Event) -> list[threading.Thread]:
    """Start each lane, and the beat, on threads of their own (the standalone worker)."""
    threads = [
        threading.Thread(target=supervise, args=(lane, stop), name=f"lane-{lane.name}", daemon=True) for lane in lanes
    ]
    threads.append(threading.Thread(target=beat_and_reap, args=(lanes, stop), name="lane-beat", daemon=True))
    for thread in threads:
        thread.start()
    return threads
