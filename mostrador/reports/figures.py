"""The reports beyond the summary (CONTRACT.md "Cases, surveys and reports"): agents, the wait
curve and routes, plus the daily series the charts draw. All of them read the daily rollups
(cases/rollups.py) through `cases.reports.tallies_of`; none scans messages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from mostrador.accounts.models import Role, Team, User
from mostrador.cases import reports, rollups
from mostrador.cases.reports import Scope
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


def people(team_id: int | None, only: int | None = None, since: datetime | None = None, until: datetime | None = None) -> list[User]:
    """Who the agents report lists: the members of a team; else the sellers, and anyone else
    (a supervisor, an admin) who closed cases in the range."""
    found = User.objects.filter(is_active=True).order_by("name", "pk")
    if only is not None:
        return list(found.filter(pk=only))
    if team_id:
        return list(found.filter(teams__pk=team_id))
    others = list(found.exclude(role=Role.AGENT).values_list("pk", flat=True))
    return list(found.filter(Q(role=Role.AGENT) | Q(pk__in=_closed_some(others, since, until))))


def _closed_some(user_ids: list[int], since: datetime | None, until: datetime | None) -> set[int]:
    """Which of these people cases counted for in the range: their agent slices in the rollups'
    whole days (read by the slice index), and the cases of the partial days at the edges."""
    if not user_ids:
        return set()
    days, edges = rollups.day_span(since, min(until, timezone.now()) if until else None)
    found: set[int] = set()
    if days:
        rows = rollups.days_of([rollups.slice_name(agent_id=pk) for pk in user_ids], *days)
        found |= {int(name[1:]) for name in rows.values_list("slice", flat=True).distinct()}
    for start, end in edges:
        found |= {assignee or closer for _, assignee, closer in _closed_cases(Scope(), start, end, user_ids)}
    return found


def agents(base: Scope, since: datetime | None, until: datetime | None, team_id: int | None, only: int | None = None) -> list[dict]:
    """Per person: cases closed, handling time beside their team's, online and away time, and
    the chats they hold now. `only`: one person (a seller reading their own numbers). The tallies
    read here may be the rollups' kept ones: they are only read."""
    listed = people(team_id, only, since, until)
    person_teams, team_members = _teams_of(listed, team_id)
    everyone = {person.pk for person in listed} | {m for members in team_members.values() for m in members}
    scopes = {pk: replace(base, agent_id=pk, team_id=None) for pk in everyone}
    by_person = reports.tallies_of(scopes, since, until, keys=("closed", "handling"))
    # (count, seconds) of each person's handling times: a team's average is theirs summed.
    handling = {pk: _count_and_sum(tally.get("handling", {})) for pk, tally in by_person.items()}
    open_now = loads.held_by(user_ids=everyone, inbox_ids=base.inboxes)
    now = timezone.now()
    end = min(until, now) if until else now
    start = since or min((person.date_joined for person in listed), default=end)
    clocks = time_by_availability_of([p.pk for p in listed], start, end)
    rows = []
    for person in listed:
        mine = by_person[person.pk]
        teams = [team_id] if team_id else person_teams.get(person.pk, [])
        mates = set().union(*(team_members.get(t, set()) for t in teams)) if teams else everyone
        count, seconds = (sum(handling[pk][i] for pk in mates if pk in handling) for i in (0, 1))
        clock = clocks[person.pk]
        rows.append({
            "agent_id": person.pk,
            "name": person.name,
            "cases_closed": mine.get("closed", 0),
            "handling_time_avg": round(handling[person.pk][1] / handling[person.pk][0], 3) if handling[person.pk][0] else None,
            "team_handling_time_avg": round(seconds / count, 3) if count else None,
            "online_seconds": round(clock["online"], 3),
            "away_seconds": round(clock["away"], 3),
            "open_now": open_now.get(person.pk, 0),
        })
    return rows


def _count_and_sum(histogram: dict) -> tuple[int, float]:
    return sum(cell[0] for cell in histogram.values()), sum(cell[1] for cell in histogram.values())


def _teams_of(listed: list[User], team_id: int | None) -> tuple[dict[int, list[int]], dict[int, set[int]]]:
    """Each listed person's teams, and the members of those teams (or of `team_id`)."""
    through = Team.members.through.objects
    person_teams: dict[int, list[int]] = defaultdict(list)
    for team, user in through.filter(user_id__in=[p.pk for p in listed]).values_list("team_id", "user_id"):
        person_teams[user].append(team)
    wanted = {team_id} if team_id else {t for teams in person_teams.values() for t in teams}
    members: dict[int, set[int]] = defaultdict(set)
    for team, user in through.filter(team_id__in=wanted).values_list("team_id", "user_id"):
        members[team].add(user)
    return person_teams, members


PERIODS = ("hour", "day", "week", "month")


def closed_by_period(base: Scope, since: datetime, until: datetime, by: str, user_ids: list[int]) -> list[dict]:
    """Cases closed per person per hour, day, week or month (local time), for the chart: whole
    days from the rollups, hours and the partial days from the cases."""
    counts: dict[tuple[str, int], int] = defaultdict(int)
    if by == "hour":
        for closed_at, assignee, closer in _closed_cases(base, since, until, user_ids):
            local = closed_at.astimezone(rollups.org_zone())
            counts[(local.strftime("%Y-%m-%d %H:00"), assignee or closer)] += 1
    else:
        days, edges = rollups.day_span(since, min(until, timezone.now()) if until else None)
        names = {rollups.slice_name(inbox, None, pk): pk for pk in user_ids for inbox in ((None,) if base.inboxes is None else base.inboxes)}
        if days:
            for name, day, tally in rollups.read_rows(list(names), *days, by_day=True, keys=("closed",)):
                counts[(_period_of(day, by), names[name])] += tally.get("closed", 0)
        for start, end in edges:
            for closed_at, assignee, closer in _closed_cases(base, start, end, user_ids):
                counts[(_period_of(rollups.day_of(closed_at), by), assignee or closer)] += 1
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
    days, edges = rollups.day_span(since, min(until, timezone.now()))
    if names is None:
        edges, days = [(since, until)], None
    if days:
        for _, day, tally in rollups.read_rows(names, *days, by_day=True, keys=DAILY_KEYS):
            tallies.add(per_day[day], tally)
    for start, end in edges:
        day = rollups.day_of(start)
        while rollups.midnight(day) < end:
            part = {day: scope}
            reports.add_closed_cases(per_day, part, max(start, rollups.midnight(day)), min(end, rollups.midnight(day + timedelta(days=1))))
            day += timedelta(days=1)
    for case in scope.open_cases().filter(opened_at__gte=since, opened_at__lt=until).distinct().iterator(chunk_size=500):
        tallies.add(per_day[rollups.day_of(case.opened_at)], tallies.of_opening())
    rows = []
    day = rollups.day_of(since)
    last = rollups.day_of(until - timedelta(microseconds=1))
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
