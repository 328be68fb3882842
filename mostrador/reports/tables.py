"""Reports as CSV: every table a report shows, with the same numbers as its JSON (the csv module
writes None as an empty cell)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable


def to_csv(rows: Iterable[dict]) -> str:
    """One line per row, one column per key of the first row."""
    out = io.StringIO()
    writer = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow(row)
    return out.getvalue()


def summary_csv(result: dict) -> str:
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


def csv_response(body, name: str):
    """A CSV download: `body` a string, or lines to stream (memory stays flat)."""
    from django.http import HttpResponse, StreamingHttpResponse

    kind = HttpResponse if isinstance(body, str) else StreamingHttpResponse
    response = kind(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
