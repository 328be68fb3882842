"""The reports' screens: the Reportes page (every report with its chart, the previous period beside
it and CSV links), the live monitor and the high-load view. Supervisors and admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from mostrador.accounts.models import Team, User
from mostrador.api.errors import ApiError
from mostrador.cases import reports
from mostrador.cases.models import Case
from mostrador.connectors.base import channels
from mostrador.core import local_days
from mostrador.inbox import actions
from mostrador.inbox.actions import ActionRefused, Actor
from mostrador.inbox.actions.inboxes import update_inbox
from mostrador.inbox.hooks import TopbarItem
from mostrador.inbox.listing import id_param
from mostrador.inbox.models import Conversation, Inbox, Tag
from mostrador.inbox.policy import may_configure, may_see, visible_inboxes
from mostrador.inbox.queries import ListFilters, conversation_list
from mostrador.rules.attention import State

from . import api, exports, figures, tables
from .monitor import monitor
from .scope import Filters, may_read_everyone, scope_for

RANGES = ("today", "7d", "30d", "90d", "custom")
COMMENTS_SHOWN = 20


def reports_item(user) -> TopbarItem | None:
    if not may_read_everyone(user):
        return None
    return TopbarItem("reports", _("Reports"), reverse("reports"))


def _supervisor(request) -> None:
    if not may_read_everyone(request.user):
        raise PermissionDenied


@dataclass(frozen=True)
class Chosen:
    """The range and filters on screen, as read from the query string."""

    range: str
    since: datetime
    until: datetime
    first: date
    last: date
    filters: Filters

    def query(self) -> str:
        values = {
            "range": self.range, "from": self.first.isoformat(), "to": self.last.isoformat(),
            "inbox": self.filters.inbox_id or "", "team": self.filters.team_id or "", "agent": self.filters.agent_id or "",
            "channel": self.filters.channel or "", "tag": self.filters.tag or "",
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    def api_query(self) -> str:
        values = {
            "since": self.since.isoformat(), "until": self.until.isoformat(), "inbox_id": self.filters.inbox_id,
            "team_id": self.filters.team_id, "agent_id": self.filters.agent_id, "channel": self.filters.channel, "tag": self.filters.tag,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def choose(params) -> Chosen:
    today = local_days.day_of(timezone.now())
    chosen = params.get("range") if params.get("range") in RANGES else "7d"
    first, last = today, today
    if chosen == "custom":
        try:
            first = date.fromisoformat(params.get("from", ""))
            last = date.fromisoformat(params.get("to", ""))
        except ValueError:
            chosen = "7d"
        else:
            first, last = min(first, last), max(first, last)
            first = max(first, last - timedelta(days=400))
    if chosen != "custom":
        last = today
        first = today - timedelta(days={"today": 0, "7d": 6, "30d": 29, "90d": 89}[chosen])
    filters = Filters(
        inbox_id=id_param(params.get("inbox")), channel=params.get("channel") or None, team_id=id_param(params.get("team")),
        agent_id=id_param(params.get("agent")), tag=(params.get("tag") or "")[:50] or None,
    )
    return Chosen(chosen, local_days.midnight(first), local_days.midnight(last + timedelta(days=1)), first, last, filters)


def _change(now, before) -> dict | None:
    """A figure beside the previous period's: the difference and whether it went up."""
    if now is None or before is None:
        return None
    return {"before": before, "delta": round(now - before, 3), "up": now > before, "same": now == before}


@login_required
@require_GET
def reports_page(request):
    _supervisor(request)
    chosen = choose(request.GET)
    user = request.user
    scope = scope_for(user, chosen.filters)
    summary = reports.summary(scope, chosen.since, chosen.until)
    previous = figures.previous_period(chosen.since, chosen.until)
    before = reports.summary(scope, *previous) if previous else None
    agents_base = scope_for(user, Filters(chosen.filters.inbox_id, chosen.filters.channel, None, None, chosen.filters.tag))
    agents = _agent_rows(agents_base, chosen, previous)
    by = _period(request.GET.get("by"), chosen)
    closed = figures.closed_by_period(agents_base, chosen.since, chosen.until, by, [row["agent_id"] for row in agents])
    curve, routes = _curve_and_routes(scope, chosen, previous)
    daily = figures.daily(scope, chosen.since, chosen.until)
    cards = _cards(summary, before)
    context = {
        "chosen": chosen,
        "by": by,
        "periods": [("hour", _("per hour")), ("day", _("per day")), ("week", _("per week")), ("month", _("per month"))],
        "ranges": [("today", _("Today")), ("7d", _("7 days")), ("30d", _("30 days")), ("90d", _("90 days")), ("custom", _("Custom"))],
        "inboxes": visible_inboxes(user).order_by("name"),
        "teams": Team.objects.order_by("name"),
        "people": User.objects.filter(is_active=True).order_by("name"),
        "channels": channels(),
        "tags": Tag.objects.order_by("name").values_list("name", flat=True)[:200],
        "summary": summary,
        "cards": cards,
        "before": before,
        "agents": agents,
        "curve": curve,
        "routes": routes,
        "comments": _comments(scope, chosen),
        "wait_inbox": _wait_inbox(user, chosen),
        "chart_data": {
            "daily": daily,
            "closed": {"by": by, "periods": figures.periods_between(chosen.first, chosen.last, by), "rows": closed,
                       "names": {row["agent_id"]: row["name"] for row in agents}},
            "curve": curve,
            "handled_by": summary["handled_by"],
            "routes": routes["items"][:12],
        },
        "api_query": chosen.api_query(),
    }
    return render(request, "reports/page.html", context)


def _agent_rows(base, chosen: Chosen, previous) -> list[dict]:
    """The agents table: each person's figures and how many more or fewer they closed than in
    the previous period."""
    agents = figures.agents(base, chosen.since, chosen.until, chosen.filters.team_id)
    if chosen.filters.agent_id:
        agents = [row for row in agents if row["agent_id"] == chosen.filters.agent_id]
    if previous:
        earlier = {row["agent_id"]: row["cases_closed"] for row in figures.agents(base, *previous, chosen.filters.team_id)}
        for row in agents:
            row["closed_before"] = earlier.get(row["agent_id"], 0)
            row["closed_delta"] = row["cases_closed"] - row["closed_before"]
    return agents


def _period(asked: str | None, chosen: Chosen) -> str:
    """How finely the closed-per-agent chart counts: as asked, else by the range's length (hours
    for at most a month)."""
    span = (chosen.last - chosen.first).days
    automatic = "hour" if span == 0 else "day" if span <= 31 else "week" if span <= 120 else "month"
    if asked not in figures.PERIODS or (asked == "hour" and span > 31):
        return automatic
    return asked


def _curve_and_routes(scope, chosen: Chosen, previous) -> tuple[dict, dict]:
    """The wait curve and the routes, each with the previous period's numbers beside them."""
    curve = figures.wait_curve(scope, chosen.since, chosen.until)
    routes = figures.routes(scope, chosen.since, chosen.until)
    if previous:
        curve["before"] = figures.wait_curve(scope, *previous)["suggested_wait_target_seconds"]
        earlier = {row["route"]: row["cases"] for row in figures.routes(scope, *previous)["items"]}
        for row in routes["items"]:
            row["cases_before"] = earlier.get(row["route"], 0)
    names = dict(User.objects.filter(pk__in=[row["agent_id"] for row in routes["by_agent"]]).values_list("pk", "name"))
    for row in routes["by_agent"]:
        row["name"] = names.get(row["agent_id"]) or _("The system")
    return curve, routes


def _cards(summary: dict, before: dict | None) -> list[dict]:
    """The headline figures, each with the previous period's and whether lower is better."""

    def pick(result, key, inner=None):
        if result is None:
            return None
        value = result[key]
        return value.get(inner) if inner else value

    specs = [
        ("cases_opened", None, _("Cases opened"), False, "count"),
        ("cases_closed", None, _("Cases closed"), False, "count"),
        ("first_human_response", "p50", _("First human response (p50)"), True, "seconds"),
        ("response_time_people", "avg", _("Response time, people (avg)"), True, "seconds"),
        ("queue_time", "avg", _("Queue time (avg)"), True, "seconds"),
        ("end_to_end", "avg", _("End to end (avg)"), True, "seconds"),
        ("left_on_read", None, _("Left on read"), True, "count"),
        ("csat", "avg", _("CSAT (avg)"), False, "score"),
    ]
    cards = []
    for key, inner, label, lower_better, unit in specs:
        now, was = pick(summary, key, inner), pick(before, key, inner)
        change = _change(now, was)
        if change is not None:
            change["good"] = change["same"] or (change["up"] != lower_better)
        cards.append({"key": key, "label": label, "value": now, "change": change, "unit": unit})
    return cards


def _comments(scope, chosen: Chosen) -> list[Case]:
    cases = scope.closed_cases().filter(closed_at__gte=chosen.since, closed_at__lt=chosen.until).exclude(survey_comment="")
    return [c for c in cases.select_related("contact").order_by("-closed_at")[: COMMENTS_SHOWN * 2] if scope.holds(c)][:COMMENTS_SHOWN]


def _wait_inbox(user, chosen: Chosen) -> Inbox | None:
    """The inbox a suggested wait target would be applied to: the one filtered on, for admins."""
    if not may_configure(user) or chosen.filters.inbox_id is None:
        return None
    return Inbox.objects.filter(pk=chosen.filters.inbox_id).first()


@login_required
@require_GET
def report_csv(request, name: str):
    """The page's CSV links: the API's reports with the signed-in person's session."""
    _supervisor(request)
    builders = {
        "summary": api.summary, "agents": api.agents, "wait_curve": api.wait_curve, "routes": api.routes, "daily": api.daily,
        "rerouters": api.rerouters,
    }
    if name not in builders:
        raise Http404
    try:
        params = api.ReportFilters(**{**request.GET.dict(), "format": "csv"})
    except ValidationError as invalid:
        return HttpResponseBadRequest(str(invalid.errors()[0]["msg"]))
    try:
        return builders[name](request, params)
    except ApiError as refused:
        return HttpResponse(str(refused), status=refused.status_code)


@login_required
@require_GET
def export_csv(request, kind: str):
    """Cases, messages or events of the range on screen, streamed as CSV."""
    _supervisor(request)
    if kind not in exports.KINDS:
        raise Http404
    chosen = choose(request.GET)
    rows = exports.rows_of(request.user, kind, chosen.since, chosen.until, chosen.filters.inbox_id)
    return tables.csv_response(exports.csv_lines(rows, kind), kind)


@login_required
@require_POST
def apply_wait_target(request, inbox_id: int):
    """The wait curve's button: the suggested wait target becomes the inbox's."""
    if not may_configure(request.user):
        raise PermissionDenied
    inbox = get_object_or_404(Inbox, pk=inbox_id)
    try:
        seconds = int(float(request.POST.get("seconds", "")))
    except ValueError:
        return HttpResponseBadRequest(_("A number of seconds is needed."))
    if not 1 <= seconds <= 7 * 86400:
        return HttpResponseBadRequest(_("A number of seconds is needed."))
    update_inbox(inbox, raw_settings={"wait_target_seconds": seconds})
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/reports/") else reverse("reports"))


@login_required
@require_GET
def monitor_page(request):
    _supervisor(request)
    return render(request, "reports/monitor.html", _monitor_context(request))


@login_required
@require_GET
def monitor_fragment(request):
    _supervisor(request)
    return render(request, "reports/_monitor.html", _monitor_context(request))


def _monitor_context(request) -> dict:
    filters = Filters(inbox_id=id_param(request.GET.get("inbox")), team_id=id_param(request.GET.get("team")))
    figures_now = monitor(request.user, filters)
    for agent in figures_now["agents"]:
        agent["full"] = agent["capacity"] is not None and agent["open"] >= agent["capacity"]
    return {
        "m": figures_now,
        "filters": filters,
        "inboxes": visible_inboxes(request.user).order_by("name"),
        "teams": Team.objects.order_by("name"),
    }


@login_required
@require_POST
def monitor_transfer(request, conversation_id: int):
    """The monitor's one-click transfer of a waiting chat to a person ("u7") or a team ("t3")."""
    _supervisor(request)
    conv = get_object_or_404(Conversation, pk=conversation_id)
    if not may_see(request.user, conv):
        raise PermissionDenied
    to = request.POST.get("to", "")
    target = id_param(to[1:])
    user = User.objects.filter(pk=target, is_active=True).first() if to.startswith("u") and target else None
    team = Team.objects.filter(pk=target).first() if to.startswith("t") and target else None
    if user is None and team is None:
        return HttpResponseBadRequest(_("Choose a person or a team."))
    try:
        actions.transfer(conv, Actor.person(request.user), user=user, team=team, note="")
    except ActionRefused as refused:
        return HttpResponse(str(refused), status=409)
    return HttpResponse(status=204)


@login_required
@require_GET
def busy_page(request):
    """The high-load view: only chats pending or with the AI right now, most urgent first."""
    return render(request, "reports/busy.html", _busy_context(request))


@login_required
@require_GET
def busy_fragment(request):
    return render(request, "reports/_busy.html", _busy_context(request))


BUSY_SHOWN = 200


def _busy_context(request) -> dict:
    """Pendientes and Con IA as the inbox lists them (same query, same order), and nothing else."""
    now = timezone.now()
    mine = request.GET.get("mine") == "1"
    whose = request.user.pk if mine else None
    lists = {
        state: conversation_list(request.user, ListFilters(state=state, assignee_id=whose), limit=BUSY_SHOWN, cursor=None, now=now)[0]
        for state in (State.PENDING.value, State.WITH_AI.value)
    }
    return {"pending": lists[State.PENDING.value], "with_ai": lists[State.WITH_AI.value], "mine": mine}
