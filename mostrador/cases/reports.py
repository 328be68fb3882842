"""The summary report over cases (DESIGN.md section 3's metric names), read from the numbers each
case keeps: nothing is recomputed from messages."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from mostrador.rules.cases import HandledBy, percentile


def stat(values: list[float]) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"count": 0, "avg": None, "p50": None, "p90": None}
    return {
        "count": len(values),
        "avg": round(sum(values) / len(values), 3),
        "p50": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
    }


def summary(cases, since: datetime | None, until: datetime | None) -> dict:
    opened = cases
    closed = cases.filter(closed_at__isnull=False)
    if since:
        opened, closed = opened.filter(opened_at__gte=since), closed.filter(closed_at__gte=since)
    if until:
        opened, closed = opened.filter(opened_at__lt=until), closed.filter(closed_at__lt=until)
    rows = list(closed.values(
        "first_response_seconds", "first_human_response_seconds", "queue_seconds", "end_to_end_seconds",
        "interactions", "left_on_read", "handled_by", "csat", "nps", "clock",
    ))
    samples = {key: [s for r in rows for s in (r["clock"] or {}).get(key, [])] for key in ("response_people", "response_ai", "customer_response")}
    csat = [r["csat"] for r in rows if r["csat"] is not None]
    nps = [r["nps"] for r in rows if r["nps"] is not None]
    handled = {h.value: 0 for h in HandledBy if h is not HandledBy.NONE}
    for r in rows:
        if r["handled_by"] in handled:
            handled[r["handled_by"]] += 1
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "cases_opened": opened.count(),
        "cases_closed": len(rows),
        "first_response": stat([r["first_response_seconds"] for r in rows]),
        "first_human_response": stat([r["first_human_response_seconds"] for r in rows]),
        "response_time_people": stat(samples["response_people"]),
        "response_time_ai": stat(samples["response_ai"]),
        "queue_time": stat([r["queue_seconds"] for r in rows]),
        "end_to_end": stat([r["end_to_end_seconds"] for r in rows]),
        "customer_response_time": stat(samples["customer_response"]),
        "interactions_avg": round(sum(r["interactions"] for r in rows) / len(rows), 3) if rows else None,
        "left_on_read": sum(r["left_on_read"] for r in rows),
        "handled_by": handled,
        "csat": {
            "responses": len(csat),
            "avg": round(sum(csat) / len(csat), 3) if csat else None,
            "satisfied_share": round(sum(1 for s in csat if s >= 4) / len(csat), 4) if csat else None,
        },
        "nps": {
            "responses": len(nps),
            "score": round(100 * (sum(1 for s in nps if s >= 9) - sum(1 for s in nps if s <= 6)) / len(nps), 1) if nps else None,
        },
    }


def as_csv(result: dict) -> str:
    """The summary as one row per metric: metric, count, avg, p50, p90 (or its value)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "count", "avg", "p50", "p90", "value"])
    for key, value in result.items():
        if isinstance(value, dict) and "p50" in value:
            writer.writerow([key, value["count"], value["avg"], value["p50"], value["p90"], ""])
        elif isinstance(value, dict):
            for sub, inner in value.items():
                writer.writerow([f"{key}.{sub}", "", "", "", "", inner])
        else:
            writer.writerow([key, "", "", "", "", value])
    return out.getvalue()
