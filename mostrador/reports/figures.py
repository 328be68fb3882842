"""The reports beyond the summary (CONTRACT.md "Cases, surveys and reports"): agents, the wait
curve and routes, plus the daily series the charts draw. All of them read the daily rollups
(cases/rollups.py) through `cases.reports.tallies_of`; none scans messages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.utils import timezone

from mostrador.accounts.models import Role, User
from mostrador.cases import reports, rollups
from mostrador.cases.reports import Scope
from mostrador.core import local_days
from mostrador.rules import tally as tallies
from mostrador.rules import wait_curve as curve
from mostrador.teamwork import loads
from mostrador.teamwork.availability import time_by_availability_of


def previous_period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime] | None:
    """The range of the same length just before [since, until), to compare with."""
    if since is None:
        return None
    end = until or timezone.now()
    return since - (end - since), since


# --- agents -----------------------------------------------------------------------------------


def people(team_id: int | None, only: int | None = None, since: datetime | None = None, until: datetime | None = None) -> list[int]:
    """Who the agents report lists, by id, in its order (without its other figures)."""
    return [person.pk for person in _roster(Scope(), since, until, team_id, only).listed]


@dataclass(frozen=True)
class Person:
    pk: int
    name: str
    role: str
    active: bool
    joined: datetime
    teams: tuple[int, ...]


def _everyone() -> list[Person]:
    """Every person with their teams, by name: one query (people are few; their cases are not)."""
    found: dict[int, Person] = {}
    teams: dict[int, list[int]] = defaultdict(list)
    rows = User.objects.order_by("name", "pk").values_list("pk", "name", "role", "is_active", "date_joined", "teams__pk")
    for pk, name, role, active, joined, team in rows:
        found.setdefault(pk, Person(pk, name, role, active, joined, ()))
        if team is not None:
            teams[pk].append(team)
    return [replace(person, teams=tuple(teams[person.pk])) for person in found.values()]


@dataclass(frozen=True)
class Roster:
    listed: list[Person]  # in the report's order
    members: dict[int, set[int]]  # each team's people
    counted: set[int]  # the listed and their teammates, whose tallies were read
    by_person: dict  # their tallies ("closed", "handling")


def _roster(base: Scope, since: datetime | None, until: datetime | None, team_id: int | None, only: int | None) -> Roster:
    """Who the agents report lists (see `agents`), with the tallies that decided it."""
    everyone = _everyone()
    active = [p for p in everyone if p.active]
    if only is not None:
        listed = [p for p in active if p.pk == only]
    elif team_id:
        listed = [p for p in active if team_id in p.teams]
    else:
        listed = active  # the others who closed nothing are left out below
    members: dict[int, set[int]] = defaultdict(set)
    for person in everyone:
        for team in person.teams:
            members[team].add(person.pk)
    counted = {p.pk for p in listed} | {pk for p in listed for team in ((team_id,) if team_id else p.teams) for pk in members[team]}
    by_person = reports.tallies_of({pk: replace(base, agent_id=pk, team_id=None) for pk in counted}, since, until, keys=("closed", "handling"))
    if only is None and not team_id:
        listed = [p for p in listed if p.role == Role.AGENT or by_person[p.pk].get("closed")]
    return Roster(listed, members, counted, by_person)


def agents(base: Scope, since: datetime | None, until: datetime | None, team_id: int | None, only: int | None = None) -> list[dict]:
    """Per person: cases closed, handling time beside their team's, online and away time, and
    the chats they hold now. Listed: one person (`only`: a seller reading their own numbers);
    else the members of a team; else the sellers, and anyone else (a supervisor, an admin) who
    closed cases in the range. The tallies read here may be the rollups' kept ones: they are
    only read."""
    roster = _roster(base, since, until, team_id, only)
    listed, members, counted, by_person = roster.listed, roster.members, roster.counted, roster.by_person
    # (count, seconds) of each person's handling times: a team's average is theirs summed.
    handling = {pk: _count_and_sum(tally.get("handling", {})) for pk, tally in by_person.items()}
    open_now = loads.held_by(user_ids=counted, inbox_ids=base.inboxes)
    start = since or min((person.joined for person in listed), default=timezone.now())
    clocks = time_by_availability_of([p.pk for p in listed], start, until)
    rows = []
    for person in listed:
        teams = (team_id,) if team_id else person.teams
        mates = set().union(*(members[t] for t in teams)) if teams else counted
        count = sum(handling[pk][0] for pk in mates if pk in handling)
        seconds = sum(handling[pk][1] for pk in mates if pk in handling)
        own_count, own_seconds = handling[person.pk]
        clock = clocks[person.pk]
        rows.append({
            "agent_id": person.pk,
            "name": person.name,
            "cases_closed": by_person[person.pk].get("closed", 0),
            "handling_time_avg": round(own_seconds / own_count, 3) if own_count else None,
            "team_handling_time_avg": round(seconds / count, 3) if count else None,
            "online_seconds": round(clock["online"], 3),
            "away_seconds": round(clock["away"], 3),
            "open_now": open_now.get(person.pk, 0),
        })
    return rows


def _count_and_sum(histogram: dict) -> tuple[int, float]:
    count, seconds = 0, 0.0
    for n, spent in histogram.values():
        count += n
        seconds += spent
    return count, seconds


PERIODS = ("hour", "day", "week", "month")


def closed_by_period(base: Scope, since: datetime, until: datetime, by: str, user_ids: list[int]) -> list[dict]:
    """Cases closed per person per hour, day, week or month (local time), for the chart: whole
    days from the rollups, hours and the partial days from the cases."""
    counts: dict[tuple[str, int], int] = defaultdict(int)
    if by == "hour":
        for closed_at, assignee, closer in _closed_cases(base, since, until, user_ids):
            local = closed_at.astimezone(local_days.org_zone())
            counts[(local.strftime("%Y-%m-%d %H:00"), assignee or closer)] += 1
    else:
        days, edges = local_days.day_span(since, min(until, timezone.now()) if until else None)
        names = {rollups.slice_name(inbox, None, pk): pk for pk in user_ids for inbox in ((None,) if base.inboxes is None else base.inboxes)}
        if days:
            for name, day, tally in rollups.read_rows(list(names), *days, by_day=True, keys=("closed",)):
                counts[(_period_of(day, by), names[name])] += tally.get("closed", 0)
        for start, end in edges:
            for closed_at, assignee, closer in _closed_cases(base, start, end, user_ids):
                counts[(_period_of(local_days.day_of(closed_at), by), assignee or closer)] += 1
    return [{"period": period, "agent_id": pk, "cases_closed": n} for (period, pk), n in sorted(counts.items()) if n]


def _closed_cases(base: Scope, start: datetime | None, end: datetime | None, user_ids: list[int]):
    cases = replace(base, agent_id=None, team_id=None, tag=None).closed_cases()
    cases = cases.filter(rollups.counted_for(*user_ids))
    if start is not None:
        cases = cases.filter(closed_at__gte=start)
    if end is not None:
        cases = cases.filter(closed_at__lt=end)
    return cases.values_list("closed_at", "assignee_id", "closed_by_id").iterator(chunk_size=2000)


def periods_between(first, last, by: str) -> list[str]:
    """Every period from the local day `first` to `last`, as closed_by_period names them, so a
    chart shows the quiet ones too."""
    found: list[str] = []
    day = first
    while day <= last:
        if by == "hour":
            found += [f"{day.isoformat()} {hour:02d}:00" for hour in range(24)]
        elif (name := _period_of(day, by)) not in found[-1:]:
            found.append(name)
        day += timedelta(days=1)
    return found


def _period_of(day, by: str) -> str:
    if by == "week":
        monday = day - timedelta(days=day.weekday())
        return monday.isoformat()
    if by == "month":
        return day.strftime("%Y-%m")
    return day.isoformat()


# --- the wait curve ---------------------------------------------------------------------------


def wait_curve(scope: Scope, since: datetime | None, until: datetime | None) -> dict:
    tally = reports.tally(scope, since, until, keys=("wait_curve",))
    counts = {int(index): (int(cell[0]), int(cell[1])) for index, cell in tally.get("wait_curve", {}).items()}
    buckets = curve.buckets(counts)
    return {
        **reports.span(since, until),
        "buckets": [
            {"wait_from": b.wait_from, "wait_to": b.wait_to, "cases": b.cases, "no_continuation_share": b.no_continuation_share}
            for b in buckets
        ],
        "suggested_wait_target_seconds": curve.suggested_target(buckets),
    }


# --- routes -----------------------------------------------------------------------------------


def routes(scope: Scope, since: datetime | None, until: datetime | None) -> dict:
    """Cases opened in the range per bot route or keyword (cases no route brought are left out),
    how many were re-routed and how long that took; and the re-routes by who made them."""
    tally = reports.tally(scope, since, until, keys=("routes", "rerouted_by"))
    items = []
    for route, cell in sorted(tally.get("routes", {}).items(), key=lambda kv: (-kv[1][0], kv[0])):
        if not route:
            continue
        cases, rerouted, seconds = int(cell[0]), int(cell[1]), float(cell[2])
        items.append({
            "route": route,
            "cases": cases,
            "rerouted": rerouted,
            "reroute_time_avg": round(seconds / rerouted, 3) if rerouted else None,
        })
    by_agent = []
    for user, cell in tally.get("rerouted_by", {}).items():
        by_agent.append({"agent_id": int(user) or None, "rerouted": int(cell[0]), "reroute_time_avg": round(float(cell[1]) / cell[0], 3)})
    by_agent.sort(key=lambda row: -row["rerouted"])
    return {
        **reports.span(since, until),
        "items": items,
        "next_cursor": None,
        "by_agent": by_agent,
    }


# --- the charts' daily series -----------------------------------------------------------------


DAILY_KEYS = ("opened", "closed", "first_human_response", "csat", "nps")


def daily(scope: Scope, since: datetime, until: datetime) -> list[dict]:
    """Per local day of [since, until): cases opened and closed, first human response p50,
    CSAT average; read from the rollups, with the edge days from the cases."""
    per_day: dict = defaultdict(dict)
    names = scope.slice_names()
    days, edges = local_days.day_span(since, min(until, timezone.now()))
    if names is None:
        edges, days = [(since, until)], None
    if days:
        for _, day, tally in rollups.read_rows(names, *days, by_day=True, keys=DAILY_KEYS):
            tallies.add(per_day[day], tally)
    for start, end in edges:
        day = local_days.day_of(start)
        while local_days.midnight(day) < end:
            part = {day: scope}
            reports.add_closed_cases(per_day, part, max(start, local_days.midnight(day)), min(end, local_days.midnight(day + timedelta(days=1))))
            day += timedelta(days=1)
    for case in scope.open_cases().filter(opened_at__gte=since, opened_at__lt=until).distinct().iterator(chunk_size=500):
        tallies.add(per_day[local_days.day_of(case.opened_at)], tallies.of_opening())
    rows = []
    day = local_days.day_of(since)
    last = local_days.day_of(until - timedelta(microseconds=1))
    while day <= last:
        tally = per_day.get(day, {})
        csat = tallies.counts(tally, "csat")
        answers = sum(csat.values())
        nps = reports.shape({"nps": tally["nps"]}, None, None)["nps"]["score"] if "nps" in tally else None
        rows.append({
            "day": day.isoformat(),
            "opened": tally.get("opened", 0),
            "closed": tally.get("closed", 0),
            "first_human_response_p50": tallies.spread(tally, "first_human_response")["p50"],
            "csat_avg": round(sum(int(k) * n for k, n in csat.items()) / answers, 3) if answers else None,
            "nps": nps,
        })
        day += timedelta(days=1)
    return rows
