from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)

# A job still marked running after this long belonged to a process that died mid-work.
STALE_AFTER = timedelta(minutes=10)


AGENTS_QUEUE = "agents"


def make_worker(*, batch: bool = False, queues: list[str] | None = None, exclude: list[str] | None = None) -> Worker:
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


class IntakePump:
    """Drains the inbound log (webhook notifications) in batches, beside the job workers.

    Shaped like a worker (`run`, `running`) so it starts and stops with them."""

    def __init__(self, interval: float):
        self.interval = interval
        self.running = True

    def run(self) -> None:
        from mostrador.intake.jobs import drain

        while self.running:
            close_old_connections()
            try:
                taken = drain()
            except Exception:  # noqa: BLE001 - the log keeps the work; try again next round
                log.exception("draining the inbound log failed")
                taken = 0
            if not taken:
                time.sleep(self.interval)


def make_workers() -> list:
    """One worker for AI agents, one for everything else, so neither can starve the other, and
    the intake pump."""
    return [
        make_worker(exclude=[AGENTS_QUEUE]),
        make_worker(queues=[AGENTS_QUEUE]),
        IntakePump(settings.MOSTRADOR_JOB_POLL_SECONDS),
    ]


def requeue_stale_jobs(older_than: timedelta = STALE_AFTER) -> int:
    """Give back the jobs a crashed process had claimed, so a crash loses nothing.

    Every job in Mostrador is written to be safe to run twice (it re-checks the state it acts on).
    """
    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(
        status="READY", started_at=None
    )


def ensure_schedules() -> None:
    """Start the recurring jobs (they re-schedule themselves) unless one is already waiting."""
    from mostrador.inbox.jobs import sync_all_templates

    if not DBTaskResult.objects.filter(
        task_path=sync_all_templates.module_path, status__in=["READY", "RUNNING"]
    ).exists():
        sync_all_templates.enqueue()


def start_up() -> None:
    requeue_stale_jobs()
    ensure_schedules()


def run_due_jobs() -> None:
    """Process the inbound log and run every job that is due now, then return. Tests and
    scripts use this."""
    from mostrador.intake.jobs import drain_all

    drain_all()
    make_worker(batch=True).run()
    drain_all()


def run_then_close(worker: Worker) -> None:
    try:
        worker.run()
    finally:
        # The worker's thread is going away; its database connection must not linger.
        connections.close_all()


async def run_in_event_loop(stop: asyncio.Event) -> None:
    """Run the job worker beside the ASGI server, in a worker thread of the server's loop.

    Running it through sync_to_async (not a bare thread) matters: realtime publishes made by jobs
    then reach the in-memory channel layer on the server's own loop, so one process is enough.
    """
    await database_sync_to_async(start_up, thread_sensitive=False)()
    workers = make_workers()
    running = [asyncio.ensure_future(sync_to_async(run_then_close, thread_sensitive=False)(w)) for w in workers]
    await stop.wait()
    for worker in workers:
        worker.running = False
    await asyncio.gather(*running)
