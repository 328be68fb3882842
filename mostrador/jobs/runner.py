from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor, Future

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, transaction
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from .lanes import beat_and_reap, reap_lapsed_jobs, standard_lanes, supervise

# Any number, the same in every process: the lock taken while recurring jobs are started.
SCHEDULES_LOCK = 720_401


def make_worker(*, batch: bool = False, queues: list[str] | None = None, exclude: list[str] | None = None) -> Worker:
    """A plain django-tasks worker over some queues (tests and scripts run one in batch mode)."""
    return Worker(
        queue_names=queues or ["*"],
        interval=settings.MOSTRADOR_JOB_POLL_SECONDS,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=get_random_string(32),
        excluded_queue_names=exclude or [],
    )


def ensure_schedules() -> None:
    """Start the recurring jobs (they re-schedule themselves) unless one is already waiting.

    Two processes starting together must not both start one: the check and the enqueue are one
    transaction under a lock (SQLite's write lock is taken up front; PostgreSQL's advisory lock
    is held until commit)."""
    from mostrador.inbox.jobs import sync_all_templates

    from .retention import prune

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULES_LOCK])
        for job in (sync_all_templates, prune):
            if not DBTaskResult.objects.filter(task_path=job.module_path, status__in=["READY", "RUNNING"]).exists():
                job.enqueue()


def start_up() -> None:
    reap_lapsed_jobs()
    ensure_schedules()


def run_due_jobs() -> None:
    """Process the inbound log and run every job that is due now, then return. Tests and
    scripts use this."""
    from mostrador.intake.jobs import drain_all

    drain_all()
    make_worker(batch=True).run()
    drain_all()


async def run_in_event_loop(stop: asyncio.Event) -> None:
    """Run the job lanes beside the ASGI server, each in a worker thread of the server's loop.

    Running them through sync_to_async (not bare threads) matters: realtime publishes made by
    jobs then reach the in-memory channel layer on the server's own loop, so one process is
    enough.
    """
    await database_sync_to_async(start_up, thread_sensitive=False)()
    lanes = standard_lanes()
    halt = threading.Event()
    # Threads of their own, so the loop's default pool stays free for the requests that need
    # it; daemon threads, so a process that ends without stopping them is not held open.
    threads = _DaemonThreads()
    running = [
        asyncio.ensure_future(sync_to_async(supervise, thread_sensitive=False, executor=threads)(lane, halt))
        for lane in lanes
    ]
    running.append(
        asyncio.ensure_future(sync_to_async(beat_and_reap, thread_sensitive=False, executor=threads)(lanes, halt))
    )
    try:
        await stop.wait()
    finally:
        # Also when the server's task is cancelled or fails: lanes must never outlive it.
        halt.set()
    await asyncio.gather(*running, return_exceptions=True)


class _DaemonThreads(Executor):
    """Runs each submitted call on a daemon thread of its own (the lanes run for the life of
    the process; ThreadPoolExecutor's threads would keep an ending process alive)."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever awaits the future
                future.set_exception(exc)

        threading.Thread(target=run, name="lane", daemon=True).start()
        return future
