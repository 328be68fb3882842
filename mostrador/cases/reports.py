"""What the reports count over cases, and the summary report (DESIGN.md section 3's metric
names): read from the daily rollups and the numbers each case keeps, never from messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from mostrador.core import local_days
from mostrador.rules import tally as tallies
from mostrador.rules.cases import HandledBy

from . import rollups
from .models import Case


@dataclass(frozen=True)
class Scope:
    """Which cases a report counts: some inboxes (None: every inbox), and at most one team,
    agent and tag. Closed cases are matched by what they had when they closed; open ones by
    their conversation now."""

    inboxes: tuple[int, ...] | None = None
    team_id: int | None = None
    agent_id: int | None = None
    tag: str | None = None

    def slice_names(self) -> list[str] | None:
        """The rollup slices that add up to this scope, or None when none do (a tag with a team
        or an agent): then the whole range is read from the cases."""
        if self.tag and (self.team_id or self.agent_id):
            return None
        inboxes = (None,) if self.inboxes is None else self.inboxes
        return [rollups.slice_name(i, self.team_id, self.agent_id, self.tag) for i in inboxes]

    def closed_cases(self):
        cases = Case.objects.filter(closed_at__isnull=False)
        if self.inboxes is not None:
            cases = cases.filter(inbox_id__in=self.inboxes)
        if self.team_id:
            cases = cases.filter(team_id=self.team_id)
        if self.agent_id:
            cases = cases.filter(rollups.counted_for(self.agent_id))
        return cases

    def open_cases(self):
        cases = Case.objects.filter(closed_at__isnull=True)
        if self.inboxes is not None:
            cases = cases.filter(inbox_id__in=self.inboxes)
        if self.team_id:
            cases = cases.filter(conversation__team_id=self.team_id)
        if self.agent_id:
            cases = cases.filter(conversation__assignee_id=self.agent_id)
        if self.tag:
            cases = cases.filter(conversation__tags__name=self.tag)
        return cases

    def holds(self, case: Case) -> bool:
        """Whether a closed case belongs (the filters closed_cases cannot say in SQL: the tag)."""
        return not self.tag or self.tag in (case.tags or ())


def tally(scope: Scope, since: datetime | None, until: datetime | None, keys: tuple[str, ...] | None = None) -> tallies.Tally:
    """Everything over [since, until) for one scope: closes and openings. Whole days come from
    the daily rollups; the partial days at the edges and the cases still open from the cases.
    With `keys`, only those parts of the tally are sure to be there (what the report reads)."""
    return tallies_of({None: scope}, since, until, keys)[None]


def tallies_of(scopes: dict, since: datetime | None, until: datetime | None, keys: tuple[str, ...] | None = None) -> dict:
    """`tally` for several scopes at once (the agents report: one per person): one read of the
    rollups for all of them, and one pass over the cases of each distinct edge."""
    if until is not None and until >= timezone.now():
        until_day = None  # nothing has closed after now: today's rollup is today so far
    else:
        until_day = until
    days, edges = local_days.day_span(since, until_day)
    results: dict = {key: {} for key in scopes}
    from_cases: dict = {}
    groups: dict = {}
    for key, scope in scopes.items():
        names = scope.slice_names()
        if names is None:
            from_cases[key] = scope
        else:
            groups[key] = names
    opening_keys = keys is None or bool({"opened", "routes", "rerouted_by"} & set(keys))
    if days and groups:
        # The rollups' tallies are kept ones: copied before anything below adds to them, whole
        # when cases of the edge days are added, else only the parts openings touch.
        for key, kept in rollups.totals(groups, *days, keys=keys).items():
            results[key] = tallies.thawed(kept, None if edges else ("routes", "rerouted_by")) if edges or opening_keys else kept
    sliced = {key: scope for key, scope in scopes.items() if key not in from_cases}
    for span, group in ((edges, sliced), ([(since, until)], from_cases)):
        if group:
            for start, end in span:
                add_closed_cases(results, group, start, end)
    if opening_keys:
        for key, scope in scopes.items():
            still_open = scope.open_cases()
            if since:
                still_open = still_open.filter(opened_at__gte=since)
            if until:
                still_open = still_open.filter(opened_at__lt=until)
            add_openings(results[key], still_open.distinct())
    return results


def add_openings(result: tallies.Tally, cases) -> None:
    """What these cases add to the days they opened: those never re-routed counted in the
    database by route, the few re-routed read one by one (how long it took, and who did it)."""
    plain = cases.filter(transfers=0).order_by().values("route").annotate(n=Count("id", distinct=True))
    for route, n in plain.values_list("route", "n"):
        tallies.add(result, tallies.of_opening(tallies.Opening(route=route), count=n))
    for case in cases.filter(transfers__gt=0).distinct().iterator(chunk_size=500):
        tallies.add(result, tallies.of_opening(rollups.opening(case)))


def add_closed_cases(results: dict, scopes: dict, start: datetime | None, end: datetime | None) -> None:
    """Closed cases that closed, and that opened, in [start, end), read from the cases."""
    for key, scope in scopes.items():
        cases = scope.closed_cases()
        closing, opening = cases, cases
        if start is not None:
            closing, opening = closing.filter(closed_at__gte=start), opening.filter(opened_at__gte=start)
        if end is not None:
            closing, opening = closing.filter(closed_at__lt=end), opening.filter(opened_at__lt=end)
        for case in closing.iterator(chunk_size=500):
            if scope.holds(case):
                tallies.add(results[key], tallies.of_case(rollups.figures(case)))
        if scope.tag:
            for case in opening.iterator(chunk_size=500):
                if scope.holds(case):
                    tallies.add(results[key], tallies.of_opening(rollups.opening(case)))
        else:
            add_openings(results[key], opening)


def summary(scope: Scope, since: datetime | None, until: datetime | None) -> dict:
    """The summary report (CONTRACT.md reports/summary) over [since, until)."""
    return shape(tally(scope, since, until), since, until)


def span(since: datetime | None, until: datetime | None) -> dict:
    """A report's range, as every report answers it."""
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None}


def shape(tally: tallies.Tally, since: datetime | None, until: datetime | None) -> dict:
    """The API's summary from a tally."""
    closed = tally.get("closed", 0)
    csat = tallies.counts(tally, "csat")
    nps = tallies.counts(tally, "nps")
    csat_n, nps_n = sum(csat.values()), sum(nps.values())
    handled = tallies.counts(tally, "handled_by")
    return {
        **span(since, until),
        "cases_opened": tally.get("opened", 0),
        "cases_closed": closed,
        "first_response": tallies.spread(tally, "first_response"),
        "first_human_response": tallies.spread(tally, "first_human_response"),
        "response_time_people": tallies.spread(tally, "response_people"),
        "response_time_ai": tallies.spread(tally, "response_ai"),
        "queue_time": tallies.spread(tally, "queue"),
        "end_to_end": tallies.spread(tally, "end_to_end"),
        "customer_response_time": tallies.spread(tally, "customer_response"),
        "handling_time": tallies.spread(tally, "handling"),
        "interactions_avg": round(tally.get("interactions", 0) / closed, 3) if closed else None,
        "left_on_read": tally.get("left_on_read", 0),
        "handled_by": {h.value: handled.get(h.value, 0) for h in HandledBy if h is not HandledBy.NONE},
        "handoffs": tallies.counts(tally, "handoffs"),
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
