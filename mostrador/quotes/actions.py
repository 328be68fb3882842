"""Every write to a quote request. Each one locks what it changes, records an event on the
conversation's timeline and tells open screens once the transaction commits (DESIGN.md 7)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from mostrador.inbox.actions import ActionConflict, ActionInvalid, ActionRefused, Actor, OutboundContent, send_message
from mostrador.inbox.actions.record import locked, record_event
from mostrador.inbox.language import contact_language
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit
from mostrador.rules import quotes as rules
from mostrador.rules.quotes import Stage

from .models import Quote

QUOTE_CHANGED = "quote.changed"
CREATED, MOVED, UPDATED, SENT = "quote_created", "quote_moved", "quote_updated", "quote_sent"

REFUSALS = {
    rules.Refusal.SAME_STAGE: _("The quote is already there."),
    rules.Refusal.SKIPS_A_STEP: _("That move skips a step: say why."),
    rules.Refusal.NO_LOST_REASON: _("Say why the sale was lost."),
    rules.Refusal.BAD_AMOUNT: _("An amount is a number with at most two decimals and a three-letter currency."),
}


@dataclass(frozen=True)
class Details:
    """What a person may fill in on a quote; None leaves a field as it is."""

    vehicle: dict | None = None
    items: list | None = None
    notes: str | None = None
    assignee_id: int | None = None
    amount: Decimal | None = None
    currency: str | None = None


def create_quote(conversation, actor: Actor, details: Details = Details()) -> Quote:
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        default_assignee = actor.user.pk if actor.is_person else conv.assignee_id
        quote = Quote(
            conversation=conv, contact_id=conv.contact_id, inbox_id=conv.inbox_id, created_at=now, stage_changed_at=now,
            assignee_id=details.assignee_id or default_assignee, created_by=actor.user if actor.is_person else None,
        )
        _fill(quote, details)
        quote.save()
        record_event(conv, CREATED, actor, now, data={"quote_id": quote.pk})
        _tell(quote)
    return quote


def update_quote(quote_id: int, actor: Actor, details: Details) -> Quote:
    with transaction.atomic():
        quote = _locked(quote_id)
        _fill(quote, details)
        quote.save()
        record_event(quote.conversation, UPDATED, actor, timezone.now(), data={"quote_id": quote.pk})
        _tell(quote)
    return quote


def move_quote(
    quote_id: int, actor: Actor, to: Stage, *, expected: Stage | None = None, reason: str = "", lost_reason: str = ""
) -> Quote:
    """Move a card. `expected` is the stage the person saw: if someone moved it meanwhile, the
    move is refused with a conflict and nothing changes (two people dragging one card end in
    one stage, and the second is told)."""
    with transaction.atomic():
        quote = _locked(quote_id)
        current = Stage(quote.stage)
        if expected is not None and current is not expected:
            raise ActionConflict(_("Someone else moved this quote first; it is now in “%(stage)s”."), "stage_changed", stage=current.value)
        refusal = rules.refuse_move(current, to, reason, lost_reason)
        if refusal is not None:
            raise ActionInvalid(REFUSALS[refusal], refusal.value)
        _move(quote, actor, to, reason=reason, lost_reason=lost_reason)
    return quote


def send_quote(quote_id: int, actor: Actor, text: str, as_pdf: bool = False) -> Quote:
    """Write the quote to the customer and move the card to `quoted`, as one action: if the
    channel refuses the message (its window closed), the card stays where it was. With `as_pdf`
    the quote goes as a PDF document, and `text` is its caption."""
    with transaction.atomic():
        quote = _locked(quote_id)
        content = OutboundContent(text=text)
        if as_pdf:
            from django.core.files.uploadedfile import SimpleUploadedFile

            from mostrador.inbox.media import store_upload

            from .document import quote_pdf

            # The document is the customer's: in their language, whoever sends it.
            with translation.override(contact_language(quote.contact)):
                name = "%s-%s.pdf" % (pgettext("a file name", "quote"), quote.pk)
                document = quote_pdf(quote)
            content = OutboundContent(text=text, media=store_upload(SimpleUploadedFile(name, document, "application/pdf")))
        message = send_message(quote.conversation, actor, content)
        record_event(quote.conversation, SENT, actor, timezone.now(), data={"quote_id": quote.pk, "message_id": message.pk})
        if quote.stage != Stage.QUOTED:
            _move(quote, actor, Stage.QUOTED, reason="sent")
        else:
            _tell(quote)
    return quote


def _move(quote: Quote, actor: Actor, to: Stage, *, reason: str = "", lost_reason: str = "") -> None:
    now = timezone.now()
    before = quote.stage
    quote.stage, quote.stage_changed_at = to.value, now
    if to is Stage.QUOTED and quote.quoted_at is None:
        quote.quoted_at = now
    quote.lost_reason = (lost_reason or reason).strip()[:200] if to is Stage.LOST else ""
    quote.save(update_fields=["stage", "stage_changed_at", "quoted_at", "lost_reason"])
    record_event(quote.conversation, MOVED, actor, now, data={"quote_id": quote.pk, "from": before, "to": to.value, "reason": reason[:200]})
    _tell(quote)


def _fill(quote: Quote, details: Details) -> None:
    if details.amount is not None or details.currency is not None:
        amount = details.amount if details.amount is not None else quote.amount
        currency = (details.currency if details.currency is not None else quote.currency).upper()
        refusal = rules.refuse_amount(amount, currency)
        if refusal is not None:
            raise ActionInvalid(REFUSALS[refusal], refusal.value)
        quote.amount, quote.currency = amount, currency
    for name in ("vehicle", "items", "notes", "assignee_id"):
        value = getattr(details, name)
        if value is not None:
            setattr(quote, name, value)


def _locked(quote_id: int) -> Quote:
    quote = Quote.objects.select_for_update(of=("self",)).select_related("conversation").filter(pk=quote_id).first()
    if quote is None:
        raise ActionRefused(_("That quote does not exist."), "not_found")
    return quote


def _tell(quote: Quote) -> None:
    publish_on_commit(events.make(
        QUOTE_CHANGED, quote_id=quote.pk, conversation_id=quote.conversation_id, inbox_id=quote.inbox_id, stage=quote.stage,
    ))
