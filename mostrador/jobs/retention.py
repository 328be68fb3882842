"""What background work leaves behind is kept for a while, then let go: finished job results
(MOSTRADOR_KEEP_JOBS_DAYS) and the raw bodies of webhook notifications already applied
(MOSTRADOR_KEEP_INBOUND_DAYS). Notifications that could not be used (an unknown number, an
unreadable body, a failure) are kept until someone replays or dismisses them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

EVERY = timedelta(hours=6)
BATCH = 5000


@task()
def prune() -> dict:
    from django_tasks_db.models import DBTaskResult

    from mostrador.intake.models import InboundLog, LogState

    now = timezone.now()
    jobs = _delete_in_batches(
        DBTaskResult.objects.filter(
            status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=now - timedelta(days=settings.MOSTRADOR_KEEP_JOBS_DAYS)
        )
    )
    inbound = _delete_in_batches(
        InboundLog.objects.filter(
            state=LogState.PROCESSED, received_at__lt=now - timedelta(days=settings.MOSTRADOR_KEEP_INBOUND_DAYS)
        )
    )
    prune.using(run_after=now + EVERY).enqueue()
    return {"jobs": jobs, "inbound": inbound}


def _delete_in_batches(queryset) -> int:
    """Small deletes, so a first run over months of history never holds a long lock."""
    total = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        total += queryset.model.objects.filter(pk__in=ids).delete()[0]
