"""Reports as CSV: every table a report shows, with the same numbers as its JSON."""

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
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def summary_csv(result: dict) -> str:
    """The summary as one row per metric: metric, count, avg, p50, p90 (or its value)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["metric", "count", "avg", "p50", "p90", "value"])
    for key, value in result.items():
        if isinstance(value, dict) and "p50" in value:
            writer.writerow([key, value["count"], _cell(value["avg"]), _cell(value["p50"]), _cell(value["p90"]), ""])
        elif isinstance(value, dict):
            for sub, inner in value.items():
                writer.writerow([f"{key}.{sub}", "", "", "", "", _cell(inner)])
        else:
            writer.writerow([key, "", "", "", "", _cell(value)])
    return out.getvalue()


def _cell(value):
    return "" if value is None else value
