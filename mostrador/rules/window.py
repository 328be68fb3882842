"""A channel's service window (WhatsApp's 24 hours): free text may be sent only until this long
after the customer's last message; afterwards only an approved template opens the chat again."""

from __future__ import annotations

from datetime import datetime, timedelta


def window_closes_at(
    window: timedelta | None, customer_last_message_at: datetime | None, opened_at: datetime
) -> datetime | None:
    """When free text stops being allowed (None: the channel has no window)."""
    if window is None:
        return None
    if customer_last_message_at is None:
        return opened_at  # the customer never wrote: only templates may start the chat
    return customer_last_message_at + window


def window_open(window: timedelta | None, customer_last_message_at: datetime | None, opened_at: datetime, now: datetime) -> bool:
    closes = window_closes_at(window, customer_last_message_at, opened_at)
    return closes is None or now < closes
