"""A case's clock (rules.cases.CaseClock) to and from the Case row: the numbers reports filter
on are columns, the samples and the running wait are JSON."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from mostrador.rules.cases import CaseClock

from .models import Case

_TIMES = (
    "first_response_at", "first_human_response_at", "last_customer_at", "last_business_at", "wait_started_at", "pending_since",
    "assigned_at", "first_transfer_at", "routed_at",
)
_COLUMNS = ("first_response_at", "first_human_response_at", "queue_seconds", "interactions", "transfers", "left_on_read")
# The clock's fields kept in the JSON column (computed once: this runs for every message).
_IN_JSON = tuple(f.name for f in fields(CaseClock) if f.name not in (*_COLUMNS, "opened_at"))


def load(case: Case) -> CaseClock:
    stored = dict(case.clock)
    values = {}
    for f in fields(CaseClock):
        if f.name == "opened_at":
            values[f.name] = case.opened_at
        elif f.name in _COLUMNS:
            values[f.name] = getattr(case, f.name)
        elif f.name in stored:
            raw = stored[f.name]
            if f.name in _TIMES:
                raw = datetime.fromisoformat(raw) if raw else None
            elif isinstance(raw, list):
                raw = tuple(raw)
            values[f.name] = raw
    return CaseClock(**values)


def store(case: Case, clock: CaseClock) -> None:
    """Copy the clock onto the row (not saved)."""
    for name in _COLUMNS:
        setattr(case, name, getattr(clock, name))
    case.handled_by = clock.handled_by.value
    case.first_response_seconds = clock.first_response_seconds
    case.first_human_response_seconds = clock.first_human_response_seconds
    case.end_to_end_seconds = clock.end_to_end_seconds
    case.clock = {name: _plain(getattr(clock, name)) for name in _IN_JSON}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value

