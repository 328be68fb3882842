"""`/api/v1/quotes` and `/api/v1/reports/quotes` (CONTRACT.md "Quote requests"). A quote is
visible with its conversation; every write goes through quotes.actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.db.models import Count, Q
from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.api.auth import actor_of
from mostrador.api.errors import ApiError, not_found
from mostrador.api.out import ERRORS, Page, Spread
from mostrador.api.paging import newest_first
from mostrador.api.schemas import Id, Moment
from mostrador.inbox import policy
from mostrador.inbox.queries import visible_conversations
from mostrador.rules.quotes import Stage
from mostrador.rules.tally import spread_of

from . import actions
from .models import Quote
from .visible import visible_quotes

router = Router(tags=["quotes"])
reports_router = Router(tags=["reports"])

StageName = Literal["to_quote", "quoted", "won", "lost"]
Short = Field(default="", max_length=60)


class VehicleIn(Schema):
    plate: str = Short
    vin: str = Short
    make: str = Short
    model: str = Short
    year: str = Field(default="", max_length=4, pattern=r"^(\d{4})?$")


class ItemIn(Schema):
    description: str = Field(min_length=1, max_length=200)
    side: str = Field(default="", max_length=20)
    quantity: int = Field(default=1, ge=1, le=10_000)


class QuoteIn(Schema):
    conversation_id: Id
    vehicle: VehicleIn | None = None
    items: list[ItemIn] | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=4000)
    assignee_id: Id | None = None


class QuotePatch(Schema):
    stage: StageName | None = None
    # The stage the caller saw: if someone moved the card meanwhile, 409 and nothing changes.
    from_stage: StageName | None = None
    reason: str = Field(default="", max_length=200, description="Needed to skip a step (to_quote → won)")
    lost_reason: str = Field(default="", max_length=200)
    vehicle: VehicleIn | None = None
    items: list[ItemIn] | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=4000)
    assignee_id: Id | None = None
    amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")


class SendIn(Schema):
    text: str = Field(min_length=1, max_length=4096, description="The message, or the PDF's caption")
    as_pdf: bool = Field(default=False, description="Send the quote as a PDF document")


class QuoteOut(Schema):
    id: int
    conversation_id: int
    contact_id: int
    inbox_id: int
    stage: StageName
    vehicle: dict
    items: list[dict]
    notes: str
    assignee_id: int | None = None
    amount: str | None = Field(default=None, description="A decimal, as a string")
    currency: str | None = None
    lost_reason: str | None = None
    created_at: str
    stage_changed_at: str
    quoted_at: str | None = None


class QuoteFilters(Schema):
    stage: StageName | None = None
    assignee_id: Id | None = None
    inbox_id: Id | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=40)


def quote_dict(q: Quote) -> dict:
    return {
        "id": q.pk, "conversation_id": q.conversation_id, "contact_id": q.contact_id, "inbox_id": q.inbox_id,
        "stage": q.stage, "vehicle": q.vehicle, "items": q.items, "notes": q.notes, "assignee_id": q.assignee_id,
        "amount": str(q.amount) if q.amount is not None else None, "currency": q.currency or None,
        "lost_reason": q.lost_reason or None, "created_at": q.created_at.isoformat(),
        "stage_changed_at": q.stage_changed_at.isoformat(), "quoted_at": q.quoted_at.isoformat() if q.quoted_at else None,
    }


def _visible(request, quote_id: int) -> Quote:
    quote = visible_quotes(request.user).filter(pk=quote_id).first() if 0 < quote_id < 2**62 else None
    if quote is None:
        raise not_found("Quote not found")
    return quote


def _details(body) -> actions.Details:
    given = body.model_dump(exclude_unset=True)
    return actions.Details(
        vehicle={k: v for k, v in given["vehicle"].items() if v} if given.get("vehicle") is not None else None,
        items=given.get("items"),
        notes=given.get("notes"),
        assignee_id=given.get("assignee_id"),
        amount=given.get("amount"),
        currency=given.get("currency"),
    )


def _check_assignee(request, conversation, assignee_id: int | None) -> None:
    from mostrador.accounts.models import User

    if assignee_id is None:
        return
    person = User.objects.filter(pk=assignee_id, is_active=True).first()
    if person is None or not policy.works_inbox(person, conversation.inbox):
        raise ApiError(400, "The assignee must be an active member of the conversation's inbox.", "not_inbox_member")


@router.get("", response={200: Page[QuoteOut], **ERRORS})
def list_quotes(request, params: Query[QuoteFilters]):
    qs = visible_quotes(request.user)
    if params.stage:
        qs = qs.filter(stage=params.stage)
    if params.assignee_id:
        qs = qs.filter(assignee_id=params.assignee_id)
    if params.inbox_id:
        qs = qs.filter(inbox_id=params.inbox_id)
    return newest_first(qs, params.limit, params.cursor, quote_dict)


@router.post("", response={201: QuoteOut, **ERRORS})
def create(request, body: QuoteIn):
    conv = visible_conversations(request.user).filter(pk=body.conversation_id).first()
    if conv is None:
        raise not_found("Conversation not found")
    _check_assignee(request, conv, body.assignee_id)
    quote = actions.create_quote(conv, actor_of(request), _details(body))
    return 201, quote_dict(quote)


@router.get("/{quote_id}", response={200: QuoteOut, **ERRORS})
def read(request, quote_id: int):
    return quote_dict(_visible(request, quote_id))


@router.patch("/{quote_id}", response={200: QuoteOut, **ERRORS})
def change(request, quote_id: int, body: QuotePatch):
    quote = _visible(request, quote_id)
    _check_assignee(request, quote.conversation, body.assignee_id)
    actor = actor_of(request)
    details = _details(body)
    if details != actions.Details():
        quote = actions.update_quote(quote.pk, actor, details)
    if body.stage is not None:
        expected = Stage(body.from_stage) if body.from_stage else None
        quote = actions.move_quote(quote.pk, actor, Stage(body.stage), expected=expected, reason=body.reason, lost_reason=body.lost_reason)
    return quote_dict(quote)


@router.post("/{quote_id}/send", response={200: QuoteOut, **ERRORS})
def send(request, quote_id: int, body: SendIn):
    quote = _visible(request, quote_id)
    return quote_dict(actions.send_quote(quote.pk, actor_of(request), body.text, as_pdf=body.as_pdf))


class SellerOut(Schema):
    agent_id: int | None = None
    created: int
    quoted: int
    won: int
    lost: int
    conversion: float | None = Field(default=None, description="won / quoted")


class QuoteReportOut(Schema):
    since: str | None = None
    until: str | None = None
    created: int
    quoted: int
    won: int
    lost: int
    to_quote_now: int
    time_to_quote: Spread
    conversion: float | None = Field(default=None, description="won / quoted")
    sellers: list[SellerOut]


class ReportFilters(Schema):
    since: Moment | None = None
    until: Moment | None = None
    inbox_id: Id | None = None


@reports_router.get("", response={200: QuoteReportOut, **ERRORS})
def report(request, params: Query[ReportFilters]):
    """Quotes created in [since, until): how many reached each stage, the time from request to
    price (p50/p90), and conversion (won / quoted) per seller, for the reports to chart."""
    qs = visible_quotes(request.user)
    if params.inbox_id:
        qs = qs.filter(inbox_id=params.inbox_id)
    to_quote_now = qs.filter(stage=Stage.TO_QUOTE).count()
    if params.since:
        qs = qs.filter(created_at__gte=params.since)
    if params.until:
        qs = qs.filter(created_at__lt=params.until)
    reached_quote = Q(quoted_at__isnull=False)
    totals = qs.aggregate(
        created=Count("pk"), quoted=Count("pk", filter=reached_quote),
        won=Count("pk", filter=Q(stage=Stage.WON)), lost=Count("pk", filter=Q(stage=Stage.LOST)),
    )
    waits = [(q - c).total_seconds() for c, q in qs.filter(reached_quote).values_list("created_at", "quoted_at")]
    sellers = [
        {**row, "conversion": round(row["won"] / row["quoted"], 4) if row["quoted"] else None}
        for row in qs.values("assignee_id").annotate(
            created=Count("pk"), quoted=Count("pk", filter=reached_quote),
            won=Count("pk", filter=Q(stage=Stage.WON)), lost=Count("pk", filter=Q(stage=Stage.LOST)),
        ).order_by("assignee_id")
    ]
    return {
        "since": params.since.isoformat() if params.since else None,
        "until": params.until.isoformat() if params.until else None,
        **totals,
        "to_quote_now": to_quote_now,
        "time_to_quote": spread_of(waits),
        "conversion": round(totals["won"] / totals["quoted"], 4) if totals["quoted"] else None,
        "sellers": [{"agent_id": s.pop("assignee_id"), **s} for s in sellers],
    }
