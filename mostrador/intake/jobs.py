"""Processing the inbound log, one notification per job."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import InboundLog, LogState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STATUS_ATTEMPTS = 3


def store(channel: str, body: bytes, state: str = LogState.RECEIVED, problem: str = "") -> InboundLog:
    """Keep a verified notification; queue its processing in the same transaction."""
    with transaction.atomic():
        entry = InboundLog.objects.create(channel=channel, body=body, state=state, problem=problem)
        if state == LogState.RECEIVED:
            process_inbound.enqueue(entry.pk)
    return entry


@task()
def process_inbound(log_id: int, statuses_only: bool = False) -> str:
    from mostrador.connectors.base import Unreadable, connector_class

    entry = InboundLog.objects.filter(pk=log_id).first()
    if entry is None:
        return "gone"
    entry.attempts += 1
    try:
        # One transaction for the whole notification: its messages, their events, the log's new
        # state and any retry commit together (one commit, not one per message), or not at all.
        with transaction.atomic():
            outcome = connector_class(entry.channel).ingest(bytes(entry.body), log=entry, statuses_only=statuses_only)
            return _conclude(entry, outcome)
    except Unreadable as exc:
        return _finish(entry, LogState.REJECTED, str(exc))
    except Exception as exc:  # a bug or an outage: keep the notification, try again later
        log.exception("inbound notification %s failed", log_id)
        if entry.attempts < MAX_ATTEMPTS:
            process_inbound.using(run_after=timezone.now() + timedelta(seconds=2**entry.attempts)).enqueue(log_id)
        return _finish(entry, LogState.FAILED, f"{type(exc).__name__}: {exc}")


def _conclude(entry: InboundLog, outcome) -> str:
    if outcome.unmatched_statuses and entry.attempts < STATUS_ATTEMPTS:
        # A status can overtake the send that produced its wamid; look again shortly, at the
        # statuses only. (Statuses of messages sent from elsewhere never match; they stop here.)
        process_inbound.using(run_after=timezone.now() + timedelta(seconds=2**entry.attempts)).enqueue(entry.pk, True)
    problems = list(outcome.problems)
    if outcome.unknown_accounts:
        problems.insert(0, "unknown account " + ", ".join(sorted(set(outcome.unknown_accounts))))
        return _finish(entry, LogState.UNROUTABLE, "\n".join(problems))
    if problems:
        return _finish(entry, LogState.REJECTED, "\n".join(problems))
    return _finish(entry, LogState.PROCESSED, "")

def _finish(entry: InboundLog, state: str, problem: str) -> str:
    entry.state, entry.problem, entry.processed_at = state, problem, timezone.now()
    entry.save(update_fields=["state", "problem", "processed_at", "attempts"])
    if state in (LogState.UNROUTABLE, LogState.REJECTED):
        log.warning("inbound notification %s %s: %s", entry.pk, state, problem)
    return state
