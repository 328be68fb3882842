"""The summary report over cases (DESIGN.md section 3's metric names), read from the daily rollups
and the numbers each case keeps: nothing is recomputed from messages."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils import timezone

from mostrador.rules import tally as tallies
from mostrador.rules.cases import HandledBy

from . import rollups
from .models import Case


def summary(
    visible_inboxes: list[int] | None,
    since: datetime | None,
    until: datetime | None,
    inbox_id: int | None = None,
    team_id: int | None = None,
    agent_id: int | None = None,
) -> dict:
    """The summary over [since, until): whole days from the daily rollups, the partial days at
    the edges and the cases still open from the cases themselves. `visible_inboxes` None: all."""
    if inbox_id is None:
        inboxes = visible_inboxes
    else:
        inboxes = [inbox_id] if visible_inboxes is None or inbox_id in visible_inboxes else []
    names = [rollups.slice_name(None, team_id, agent_id)] if inboxes is None else [rollups.slice_name(i, team_id, agent_id) for i in inboxes]
    if until is not None and until >= timezone.now():
        until_day = None  # nothing has closed after now: today's rollup is today so far
    else:
        until_day = until
    days, edges = rollups.day_span(since, until_day)
    result = rollups.read(names, *days) if days and names else {}

    cases = Case.objects.all()
    if inboxes is not None:
        cases = cases.filter(inbox_id__in=inboxes)
    closed = cases.filter(closed_at__isnull=False)
    still_open = cases.filter(closed_at__isnull=True)
    if team_id:
        closed, still_open = closed.filter(team_id=team_id), still_open.filter(conversation__team_id=team_id)
    if agent_id:
        closed = closed.filter(rollups.counted_for(agent_id))
        still_open = still_open.filter(conversation__assignee_id=agent_id)
    for start, end in edges:
        for case in closed.filter(closed_at__gte=start, closed_at__lt=end).iterator(chunk_size=500):
            tallies.add(result, tallies.of_case(rollups.figures(case)))
        tallies.add(result, {"opened": closed.filter(opened_at__gte=start, opened_at__lt=end).count()})
    if since:
        still_open = still_open.filter(opened_at__gte=since)
    if until:
        still_open = still_open.filter(opened_at__lt=until)
    tallies.add(result, {"opened": still_open.count()})
    return shape(result, since, until)


def shape(tally: tallies.Tally, since: datetime | None, until: datetime | None) -> dict:
    """The API's summary from a tally."""
    closed = tally.get("closed", 0)
    csat = tallies.counts(tally, "csat")
    nps = tallies.counts(tally, "nps")
    csat_n, nps_n = sum(csat.values()), sum(nps.values())
    handled = tallies.counts(tally, "handled_by")
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "cases_opened": tally.get("opened", 0),
        "cases_closed": closed,
        "first_response": tallies.spread(tally, "first_response"),
        "first_human_response": tallies.spread(tally, "first_human_response"),
        "response_time_people": tallies.spread(tally, "response_people"),
        "response_time_ai": tallies.spread(tally, "response_ai"),
        "queue_time": tallies.spread(tally, "queue"),
        "end_to_end": tallies.spread(tally, "end_to_end"),
        "customer_response_time": tallies.spread(tally, "customer_response"),
        "interactions_avg": round(tally.get("interactions", 0) / closed, 3) if closed else None,
        "left_on_read": tally.get("left_on_read", 0),
        "handled_by": {h.value: handled.get(h.value, 0) for h in HandledBy if h is not HandledBy.NONE},
        "csat": {
            "responses": csat_n,
            "avg": round(sum(int(k) * n for k, n in csat.items()) / csat_n, 3) if csat_n else None,
            "satisfied_share": round(sum(n for k, n in csat.items() if int(k) >= 4) / csat_n, 4) if csat_n else None,
        },
        "nps": {
            "responses": nps_n,
            "score": round(100 * (sum(n for k, n in nps.items() if int(k) >= 9) - sum(n for k, n in nps.items() if int(k) <= 6)) / nps_n, 1)
            if nps_n
            else None,
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
