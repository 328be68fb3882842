"""`/api/v1/cases` (CONTRACT.md "Cases, surveys and reports").

The routers are added to the API by this app (apps.py), so the API package knows nothing of
cases. Every read goes through what the user may see: a case is visible with its conversation.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.api.errors import not_found
from mostrador.api.out import ERRORS, Page
from mostrador.api.paging import newest_first
from mostrador.api.schemas import Id, Moment
from mostrador.inbox.queries import visible_conversations

from .models import Case

router = Router(tags=["cases"])


class CaseOut(Schema):
    id: int
    conversation_id: int
    inbox_id: int
    contact_id: int
    state: str = Field(description="open or closed")
    opened_at: str
    closed_at: str | None = None
    close_reason: str | None = Field(default=None, description="resolved, inactivity or null")
    reason: str | None = None
    route: str | None = None
    tags: list[str]
    assignee_id: int | None = None
    team_id: int | None = None
    closed_by_id: int | None = None
    handled_by: str = Field(description="ai, ai_then_people, people or none")
    first_response_at: str | None = None
    first_human_response_at: str | None = None
    first_response_seconds: float | None = None
    first_human_response_seconds: float | None = None
    queue_seconds: float | None = None
    end_to_end_seconds: float | None = None
    interactions: int
    transfers: int
    left_on_read: int
    csat: int | None = None
    nps: int | None = None
    survey_comment: str | None = None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_dict(c: Case) -> dict:
    return {
        "id": c.pk, "conversation_id": c.conversation_id, "inbox_id": c.inbox_id, "contact_id": c.contact_id,
        "state": c.state, "opened_at": _iso(c.opened_at), "closed_at": _iso(c.closed_at),
        "close_reason": c.close_reason or None, "reason": c.reason or None, "route": c.route or None, "tags": c.tags,
        "assignee_id": c.assignee_id, "team_id": c.team_id, "closed_by_id": c.closed_by_id, "handled_by": c.handled_by,
        "first_response_at": _iso(c.first_response_at), "first_human_response_at": _iso(c.first_human_response_at),
        "first_response_seconds": c.first_response_seconds, "first_human_response_seconds": c.first_human_response_seconds,
        "queue_seconds": c.queue_seconds, "end_to_end_seconds": c.end_to_end_seconds, "interactions": c.interactions,
        "transfers": c.transfers, "left_on_read": c.left_on_read, "csat": c.csat, "nps": c.nps,
        "survey_comment": c.survey_comment or None,
    }


def visible_cases(user):
    return Case.objects.filter(conversation__in=visible_conversations(user).values("pk"))


class CaseFilters(Schema):
    conversation_id: Id | None = None
    inbox_id: Id | None = None
    state: str | None = Field(default=None, pattern="^(open|closed)$")
    closed_since: Moment | None = None
    closed_until: Moment | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=40)


@router.get("", response={200: Page[CaseOut], **ERRORS})
def list_cases(request, params: Query[CaseFilters]):
    qs = visible_cases(request.user)
    if params.conversation_id:
        qs = qs.filter(conversation_id=params.conversation_id)
    if params.inbox_id:
        qs = qs.filter(inbox_id=params.inbox_id)
    if params.state:
        qs = qs.filter(closed_at__isnull=params.state == "open")
    if params.closed_since:
        qs = qs.filter(closed_at__gte=params.closed_since)
    if params.closed_until:
        qs = qs.filter(closed_at__lt=params.closed_until)
    return newest_first(qs, params.limit, params.cursor, case_dict)


@router.get("/{case_id}", response={200: CaseOut, **ERRORS})
def read_case(request, case_id: int):
    case = visible_cases(request.user).filter(pk=case_id).first() if 0 < case_id < 2**62 else None
    if case is None:
        raise not_found("Case not found")
    return case_dict(case)
