"""The list pane's parts that both a page request and a live frame need: which list a query
describes, the rows' marks and places, the tab counts, and the rows of some changed chats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from mostrador.inbox import hooks
from mostrador.inbox.queries import ListFilters, sort_key, state_counts, still_listed
from mostrador.inbox.row import row_html
from mostrador.inbox.templatetags.mostrador import tab_count
from mostrador.rules.attention import State

# Tab keys in display order; the template holds their translated labels.
TABS = [s.value for s in (State.PENDING, State.WITH_AI, State.AWAITING_CUSTOMER, State.RESOLVED)] + ["all"]
SCOPES = ("all", "mine", "unassigned")

# Rows in the list's first page; older ones load as the seller scrolls to them. A laptop shows a
# dozen rows and a phone eight, so fifty is several screens. Every busy live frame carries the
# changed rows of a first page to every open tab: at 200 rows that was up to 170 KB per tab per
# frame, and the page itself took 3x longer to read and draw.
PAGE = 50

# The most changed chats a page asks the rows of in one request (when a frame did not carry
# them); more, and it fetches its list afresh.
MOST_CHANGED = 50


def id_param(raw: str | None) -> int | None:
    """A positive id from a query or form parameter, or None for anything else."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 18 else None


def list_filters(params: Mapping[str, str], user_id: int | None) -> tuple[ListFilters, dict]:
    """The list a query asks for (tab, whose, inbox, team), as filters and as the choices the
    pane shows; anything unknown falls back to Pendientes of everyone."""
    tab = params.get("tab", State.PENDING.value)
    if tab not in TABS:
        tab = State.PENDING.value
    scope = params.get("scope", "all")
    if scope not in SCOPES:
        scope = "all"
    inbox_id, team_id = id_param(params.get("inbox")), id_param(params.get("team"))
    filters = ListFilters(
        state=tab,
        inbox_id=inbox_id,
        assignee_id=user_id if scope == "mine" else None,
        unassigned=scope == "unassigned",
        team_id=team_id,
    )
    # The inbox and team filters, as they ride along in every link of the list.
    extra = "".join(f"&{key}={value}" for key, value in (("inbox", inbox_id), ("team", team_id)) if value)
    return filters, {"tab": tab, "scope": scope, "inbox_id": inbox_id, "team_id": team_id, "extra": extra}


def list_query(selected: dict) -> str:
    """The list's query as the pane writes it (its `data-query`): one spelling per list."""
    return f"tab={selected['tab']}&scope={selected['scope']}{selected['extra']}"


def marked(rows: list, filters: ListFilters) -> list:
    """Rows with what a list shows beside the conversation: capabilities' marks, and the row's
    place in the list's order (for patching a changed row in)."""
    marks = hooks.marks_by_row(rows)
    for row in rows:
        row.marks = marks.get(row.pk, ())
        row.sort_key = sort_key(row, filters.state)
    return rows


def every_state(filters: ListFilters) -> ListFilters:
    """The list's other filters (whose, inbox, team) over every state: what its tabs count."""
    return ListFilters(inbox_id=filters.inbox_id, assignee_id=filters.assignee_id, unassigned=filters.unassigned, team_id=filters.team_id)


def tab_counts(user, filters: ListFilters, now: datetime) -> dict[str, int]:
    """Every tab's count under the list's other filters (whose, inbox, team)."""
    return state_counts(user, every_state(filters), now)


def changed_html(rows_html: list[str], ids: list[int], counts: dict) -> str:
    """What became of some chats in a list: the rows of those still in it (already rendered and
    escaped by the row's template), and each tab's count as the tab shows it. The page patches
    the counts into its tab bar, so a frame carries a few bytes of them, not the bar itself."""
    labels = "".join(f'<li data-count="{key}">{tab_count(counts, key)}</li>' for key in TABS)
    asked = ",".join(str(int(pk)) for pk in ids)
    return (f'<div class="changed" data-asked="{asked}" data-pending="{int(counts[State.PENDING.value])}">'
            f'<ul class="counts" hidden>{labels}</ul><ul class="rows">{"".join(rows_html)}</ul></div>')


def changed_rows(user, filters: ListFilters, selected: dict, ids: list[int], now: datetime, open_id: int | None = None) -> str:
    """What became of `ids` in one list: the rows of those still in it, as they are now, and the
    tabs' counts."""
    rows = marked(still_listed(user, filters, ids, now), filters)
    return changed_html([row_html(c, selected, now, open_id) for c in rows], ids, tab_counts(user, filters, now))
