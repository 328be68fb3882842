"""Pages of rows newest first, with the last id as the cursor (lists of cases, quotes...)."""

from __future__ import annotations

from collections.abc import Callable

from .errors import ApiError


def newest_first(qs, limit: int, cursor: str | None, as_dict: Callable) -> dict:
    if cursor:
        if not cursor.isdigit() or len(cursor) > 18:
            raise ApiError(400, "The cursor is not one this API gave.", "bad_cursor")
        qs = qs.filter(pk__lt=int(cursor))
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [as_dict(row) for row in rows], "next_cursor": str(rows[-1].pk) if more else None}
