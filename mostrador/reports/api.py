"""`/api/v1/reports/*` and `/api/v1/monitor` (CONTRACT.md "Cases, surveys and reports").

Every report takes the same range and filters, counts only what its reader may see, and answers
CSV with `?format=csv` (the same numbers as its JSON, one row per table row).
"""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.api.errors import ApiError
from mostrador.api.out import ERRORS, Spread
from mostrador.api.schemas import Id, Moment
from mostrador.cases import reports

from . import exports, figures, tables
from .monitor import monitor as read_monitor
from .scope import Filters, may_read_everyone, scope_for

router = Router(tags=["reports"])
monitor_router = Router(tags=["reports"])
exports_router = Router(tags=["exports"])


class ReportFilters(Schema):
    since: Moment | None = None
    until: Moment | None = None
    inbox_id: Id | None = None
    channel: str | None = Field(default=None, max_length=32)
    team_id: Id | None = None
    agent_id: Id | None = None
    tag: str | None = Field(default=None, max_length=50)
    format: str | None = Field(default=None, pattern="^(json|csv)$")

    def check(self) -> None:
        if self.since and self.until and self.since >= self.until:
            raise ApiError(422, "since must be before until.", "invalid")

    def filters(self) -> Filters:
        return Filters(self.inbox_id, self.channel, self.team_id, self.agent_id, self.tag)


def _answer(params: ReportFilters, result: dict, name: str, rows=None):
    if params.format == "csv":
        return tables.csv_response(tables.summary_csv(result) if rows is None else tables.to_csv(rows), name)
    return result


class SummaryOut(Schema):
    since: str | None = None
    until: str | None = None
    cases_opened: int
    cases_closed: int
    first_response: Spread
    first_human_response: Spread
    response_time_people: Spread
    response_time_ai: Spread
    queue_time: Spread
    end_to_end: Spread
    customer_response_time: Spread
    handling_time: Spread
    interactions_avg: float | None = None
    left_on_read: int
    handled_by: dict[str, int]
    handoffs: dict[str, int] = Field(default_factory=dict, description="AI hand-offs by cause: agent, error, timeout, empty")
    csat: dict
    nps: dict


@router.get("/summary", response={200: SummaryOut, **ERRORS})
def summary(request, params: Query[ReportFilters]):
    params.check()
    result = reports.summary(scope_for(request.user, params.filters()), params.since, params.until)
    return _answer(params, result, "summary")


class AgentRow(Schema):
    agent_id: int
    name: str
    cases_closed: int
    handling_time_avg: float | None = None
    team_handling_time_avg: float | None = None
    online_seconds: float
    away_seconds: float
    open_now: int


class AgentsOut(Schema):
    since: str | None = None
    until: str | None = None
    items: list[AgentRow]
    next_cursor: str | None = None


@router.get("/agents", response={200: AgentsOut, **ERRORS})
def agents(request, params: Query[ReportFilters]):
    """Per person: cases closed, handling time beside their team's average, online and away
    time in the range, and the chats they hold now. A seller sees their own row only."""
    params.check()
    only = None if may_read_everyone(request.user) else request.user.pk
    base = scope_for(request.user, Filters(params.inbox_id, params.channel, None, None, params.tag))
    rows = figures.agents(base, params.since, params.until, params.team_id, only)
    result = {**reports.span(params.since, params.until), "items": rows, "next_cursor": None}
    return _answer(params, result, "agents", rows)


class ClosedByPeriodRow(Schema):
    period: str
    agent_id: int
    cases_closed: int


class ClosedByPeriodOut(Schema):
    items: list[ClosedByPeriodRow]
    next_cursor: str | None = None


class PeriodFilters(ReportFilters):
    by: str = Field(default="day", pattern="^(hour|day|week|month)$")


@router.get("/agents/closed", response={200: ClosedByPeriodOut, **ERRORS})
def closed_by_period(request, params: Query[PeriodFilters]):
    """Cases closed per person per hour, day, week or month (local time) in the range."""
    params.check()
    if params.since is None or params.until is None:
        raise ApiError(422, "since and until are required.", "invalid")
    if params.by == "hour" and (params.until - params.since).days > 31:
        raise ApiError(422, "Hours are counted over 31 days at most.", "invalid")
    only = None if may_read_everyone(request.user) else request.user.pk
    base = scope_for(request.user, Filters(params.inbox_id, params.channel, None, None, None))
    people = figures.people(params.team_id, only, params.since, params.until) if params.agent_id is None else [params.agent_id]
    if only is not None:
        people = [only]
    rows = figures.closed_by_period(base, params.since, params.until, params.by, people)
    return _answer(params, {"items": rows, "next_cursor": None}, "closed", rows)


class BucketOut(Schema):
    wait_from: float
    wait_to: float | None = None
    cases: int
    no_continuation_share: float


class WaitCurveOut(Schema):
    since: str | None = None
    until: str | None = None
    buckets: list[BucketOut]
    suggested_wait_target_seconds: float | None = None


@router.get("/wait_curve", response={200: WaitCurveOut, **ERRORS})
def wait_curve(request, params: Query[ReportFilters]):
    """How many customers never wrote again after the first human response, by how long that
    response took; and the wait at which they start giving up."""
    params.check()
    result = figures.wait_curve(scope_for(request.user, params.filters()), params.since, params.until)
    return _answer(params, result, "wait_curve", result["buckets"])


class RouteRow(Schema):
    route: str
    cases: int
    rerouted: int
    reroute_time_avg: float | None = None


class RerouterRow(Schema):
    agent_id: int | None = None
    rerouted: int
    reroute_time_avg: float | None = None


class RoutesOut(Schema):
    since: str | None = None
    until: str | None = None
    items: list[RouteRow]
    next_cursor: str | None = None
    by_agent: list[RerouterRow]


@router.get("/routes", response={200: RoutesOut, **ERRORS})
def routes(request, params: Query[ReportFilters]):
    """Cases opened per bot route or keyword, how many were re-routed and how long it took."""
    params.check()
    result = figures.routes(scope_for(request.user, params.filters()), params.since, params.until)
    return _answer(params, result, "routes", result["items"])


class RerouterCsvRow(Schema):
    items: list[RerouterRow]
    next_cursor: str | None = None


@router.get("/routes/by_agent", response={200: RerouterCsvRow, **ERRORS})
def rerouters(request, params: Query[ReportFilters]):
    """Re-routes by who made them: how many and how long after the route placed the case."""
    params.check()
    result = figures.routes(scope_for(request.user, params.filters()), params.since, params.until)
    return _answer(params, {"items": result["by_agent"], "next_cursor": None}, "rerouters", result["by_agent"])


class DayRow(Schema):
    day: str
    opened: int
    closed: int
    first_human_response_p50: float | None = None
    csat_avg: float | None = None
    nps: float | None = None


class DailyOut(Schema):
    items: list[DayRow]
    next_cursor: str | None = None


@router.get("/daily", response={200: DailyOut, **ERRORS})
def daily(request, params: Query[ReportFilters]):
    """Per local day: cases opened and closed, first human response p50, CSAT (the charts)."""
    params.check()
    if params.since is None or params.until is None:
        raise ApiError(422, "since and until are required.", "invalid")
    if (params.until - params.since).days > 400:
        raise ApiError(422, "A daily series covers 400 days at most.", "invalid")
    rows = figures.daily(scope_for(request.user, params.filters()), params.since, params.until)
    return _answer(params, {"items": rows, "next_cursor": None}, "daily", rows)


class MonitorAgent(Schema):
    id: int
    name: str
    availability: str
    open: int
    capacity: int | None = None
    availability_since: str | None = None


class WaitingRow(Schema):
    conversation_id: int
    contact: str
    inbox: str
    assignee_id: int | None = None
    assignee: str | None = None
    waiting_since: str
    wait_seconds: float
    wait_target_seconds: int


class MonitorOut(Schema):
    at: str
    pending: int
    with_ai: int
    queued: int
    wait_avg_seconds: float | None = None
    wait_longest_seconds: float | None = None
    quotes_to_do: int
    csat_today: dict
    agents: list[MonitorAgent]
    longest_waits: list[WaitingRow]


class MonitorFilters(Schema):
    inbox_id: Id | None = None
    team_id: Id | None = None
    format: str | None = Field(default=None, pattern="^(json|csv)$")


@monitor_router.get("", response={200: MonitorOut, **ERRORS})
def monitor(request, params: Query[MonitorFilters]):
    """Right now: Pendientes, Con IA, the queue, the waits, each person's load, quotes to do and
    today's CSAT. Supervisors and admins."""
    if not may_read_everyone(request.user):
        raise ApiError(403, "The monitor is for supervisors and admins.", "forbidden")
    result = read_monitor(request.user, Filters(inbox_id=params.inbox_id, team_id=params.team_id))
    if params.format == "csv":
        return tables.csv_response(tables.to_csv(result["agents"]), "monitor")
    return result


class ExportFilters(Schema):
    since: Moment | None = None
    until: Moment | None = None
    inbox_id: Id | None = None
    limit: int = Field(default=500, ge=1, le=5000)
    cursor: str | None = Field(default=None, max_length=20, pattern="^[0-9]+$")
    format: str | None = Field(default=None, pattern="^(json|csv)$")


class ExportPage(Schema):
    items: list[dict]
    next_cursor: str | None = None


@exports_router.get("/{kind}", response={200: ExportPage, **ERRORS})
def export(request, kind: str, params: Query[ExportFilters]):
    """Cases, messages or events the token's person may see, oldest first, with a cursor; with
    `format=csv`, all of them as one streamed CSV (memory stays flat)."""
    if kind not in exports.KINDS:
        raise ApiError(404, "Exports are cases, messages or events.", "not_found")
    rows = exports.rows_of(request.user, kind, params.since, params.until, params.inbox_id)
    if params.format == "csv":
        return tables.csv_response(exports.csv_lines(rows, kind), kind)
    return exports.page(rows, kind, int(params.cursor or 0), params.limit)
