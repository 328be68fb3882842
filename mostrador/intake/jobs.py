"""Processing the inbound log.

New notifications are drained from the log in batches (`drain`): a burst of notifications is
stored in one transaction with a few bulk queries instead of one round of queries per message.
The log row itself is the durable work item, claimed with SKIP LOCKED so several workers share
the load, each taking one phone number at a time (`claim_batch`). A batch that fails is retried
one notification at a time (`process_inbound`), so one bad notification cannot hold up the others.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from mostrador.core.bulk import insert_rows, update_rows
from mostrador.jobs.retry import backoff

from .models import InboundLog, LogState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STATUS_ATTEMPTS = 3


BATCH_SIZE = 100


def store(channel: str, body: bytes, state: str = LogState.RECEIVED, problem: str = "", account: str = "") -> InboundLog:
    """Keep a verified notification. One INSERT: `drain` finds it by its state."""
    return InboundLog.objects.create(channel=channel, body=body, state=state, problem=problem, account=account)


# The most notifications one INSERT stores (the webhook's writer takes no more at once): well
# within both databases' limits on a statement's parameters.
MOST_PER_INSERT = 500


def store_many(items: list[tuple[str, bytes, str]]) -> None:
    """Keep several verified notifications, (channel, body, account) each, in one INSERT.

    One statement is atomic by itself, so it runs as one (`insert_rows`), in a single round trip
    to the database: bulk_create wraps it in BEGIN and COMMIT, three round trips. On a busy server
    each round trip also waits for a CPU and for the interpreter, which the frames being made
    hold: measured at 400 messages/s with 1,000 tabs open, the INSERT's own p50 went from 6.0 to
    4.3 ms and its p99 from 46 to 28 ms (the acknowledgement's p99, from 124 to 111 ms)."""
    if len(items) > MOST_PER_INSERT:
        raise ValueError(f"at most {MOST_PER_INSERT} notifications are stored at once")
    insert_rows([InboundLog(channel=channel, body=body, account=account) for channel, body, account in items])


# Advisory lock namespace of the intake pumps (any constant unlikely to clash with other users).
ACCOUNT_LOCKS = 0x1A7A4E


def claim_batch(limit: int) -> list[InboundLog]:
    """The oldest received notifications, locked for this transaction.

    On PostgreSQL several pumps drain at once, each taking one account at a time (an advisory
    lock per account, held until commit). Two batches of one busy number would otherwise lock the
    same conversations and wait on each other: two pumps sharing 500 customers stored fewer
    messages per second than one alone. Different numbers are still drained side by side.
    SQLite has one writer at a time anyway, so there the oldest notifications are simply taken.
    """
    # Arrival order, which is also the order of both indexes over waiting notifications: under a
    # backlog, the oldest come off an index without sorting the whole queue.
    waiting = InboundLog.objects.filter(state=LogState.RECEIVED).order_by("received_at", "pk")
    claim = waiting.select_for_update(skip_locked=True)
    if connection.vendor != "postgresql":
        return list(claim[:limit])
    # Accounts in the order their oldest notification arrived.
    accounts = dict.fromkeys(waiting.values_list("account", flat=True)[: limit * 5])
    with connection.cursor() as cursor:
        for account in accounts:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))", [ACCOUNT_LOCKS, account])
            if cursor.fetchone()[0]:
                return list(claim.filter(account=account)[:limit])
    return []


def drain(limit: int = BATCH_SIZE) -> int:
    """Process up to `limit` received notifications; return how many were taken."""
    with transaction.atomic():
        entries = claim_batch(limit)
        if not entries:
            return 0
        by_channel: dict[str, list[InboundLog]] = {}
        for entry in entries:
            by_channel.setdefault(entry.channel, []).append(entry)
        if _concluded_together(by_channel, statuses_only=False):
            return len(entries)
    for entry in entries:
        process_inbound.call(entry.pk)
    return len(entries)


def _concluded_together(by_channel: dict[str, list[InboundLog]], statuses_only: bool) -> bool:
    """Apply notifications by channel in one transaction and record how each went; False, with
    nothing written, when the batch failed (the caller takes it apart)."""
    from . import apply

    try:
        with transaction.atomic():
            done, owed = [], []
            for channel, group in by_channel.items():
                for entry, outcome in zip(group, apply.process_batch(channel, group, statuses_only), strict=True):
                    entry.attempts += 1
                    _conclude(entry, outcome, save=False)
                    done.append(entry)
                    if _owes_a_look(entry, outcome):
                        owed.append(entry)
            update_rows(done, ["state", "problem", "processed_at", "attempts"])
            _look_again(owed)
            return True
    except Exception:  # noqa: BLE001 - the caller isolates the culprit
        log.warning("a batch of %s notifications failed; processing them one by one",
                    sum(map(len, by_channel.values())), exc_info=True)
        return False


def drain_all() -> int:
    total = 0
    while taken := drain():
        total += taken
    return total


@task()
def process_inbound(log_id: int, statuses_only: bool = False) -> str:
    from .apply import process_one

    entry = InboundLog.objects.filter(pk=log_id).first()
    if entry is None:
        return "gone"
    entry.attempts += 1
    try:
        # One transaction for the whole notification: its messages, their events, the log's new
        # state and any retry commit together (one commit, not one per message), or not at all.
        with transaction.atomic():
            outcome = process_one(entry, statuses_only)
            if _owes_a_look(entry, outcome):
                _look_again([entry])
            return _conclude(entry, outcome)
    except Exception as exc:  # a bug or an outage: keep the notification, try again later
        log.exception("inbound notification %s failed", log_id)
        if entry.attempts < MAX_ATTEMPTS:
            process_inbound.using(run_after=timezone.now() + backoff(entry.attempts)).enqueue(log_id)
        return _finish(entry, LogState.FAILED, f"{type(exc).__name__}: {exc}")


@task()
def look_at_statuses_again(log_ids: list[int]) -> str:
    """A second look at the delivery statuses of notifications that named messages we did not
    know yet, for a whole batch of them at once (`_look_again`)."""
    entries = InboundLog.objects.filter(pk__in=log_ids).order_by("received_at", "pk")
    by_channel: dict[str, list[InboundLog]] = {}
    for entry in entries:
        by_channel.setdefault(entry.channel, []).append(entry)
    if not _concluded_together(by_channel, statuses_only=True):
        for group in by_channel.values():
            for entry in group:
                process_inbound.call(entry.pk, True)
    return f"{sum(map(len, by_channel.values()))} looked at"


def _owes_a_look(entry: InboundLog, outcome) -> bool:
    """A status can overtake the send that produced its message id: the notification's statuses
    are looked at again shortly. (Statuses of messages sent from elsewhere never match; they
    stop after a few looks.)"""
    return bool(outcome.unmatched_statuses) and not outcome.unreadable and entry.attempts < STATUS_ATTEMPTS


def _look_again(entries: list[InboundLog]) -> None:
    """One job for the statuses of all these notifications, per number of tries so far: a busy
    number whose statuses all overtake the sends (or are of messages sent from its phone) queued
    a job per notification, a fifth of a worker's time storing a burst."""
    by_attempts: dict[int, list[int]] = {}
    for entry in entries:
        by_attempts.setdefault(entry.attempts, []).append(entry.pk)
    for attempts, ids in by_attempts.items():
        look_at_statuses_again.using(run_after=timezone.now() + backoff(attempts)).enqueue(ids)


def _conclude(entry: InboundLog, outcome, save: bool = True) -> str:
    if outcome.unreadable:
        return _finish(entry, LogState.REJECTED, outcome.unreadable, save)
    problems = list(outcome.problems)
    if outcome.unknown_accounts:
        problems.insert(0, "unknown account " + ", ".join(sorted(set(outcome.unknown_accounts))))
        return _finish(entry, LogState.UNROUTABLE, "\n".join(problems), save)
    if problems:
        return _finish(entry, LogState.REJECTED, "\n".join(problems), save)
    return _finish(entry, LogState.PROCESSED, "", save)


def _finish(entry: InboundLog, state: str, problem: str, save: bool = True) -> str:
    entry.state, entry.problem, entry.processed_at = state, problem, timezone.now()
    if save:
        entry.save(update_fields=["state", "problem", "processed_at", "attempts"])
    if state in (LogState.UNROUTABLE, LogState.REJECTED):
        log.warning("inbound notification %s %s: %s", entry.pk, state, problem)
    return state


@task()
def follow_up(inbox_id: int, item: dict, attempt: int = 1) -> str:
    """A call the connector owes the provider after storing a notification (see
    AccountBatch.follow_ups), retried with backoff while the provider is unavailable."""
    from mostrador.connectors.base import ProviderUnavailable, connector_for
    from mostrador.inbox.models import Inbox

    inbox = Inbox.objects.filter(pk=inbox_id).first()
    if inbox is None:
        return "gone"
    try:
        connector_for(inbox).follow_up(item)
    except ProviderUnavailable as exc:
        if exc.retry and attempt < MAX_ATTEMPTS:
            follow_up.using(run_after=timezone.now() + backoff(attempt)).enqueue(inbox_id, item, attempt + 1)
            return "retrying"
        log.warning("follow-up %s for inbox %s failed: %s", item.get("kind"), inbox_id, exc)
        return "failed"
    return "done"
