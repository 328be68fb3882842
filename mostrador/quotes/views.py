"""Por cotizar: the board (a column per stage, oldest first, live) and the quote forms in the
conversation pane. Writes go through quotes.actions, like the API's."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from mostrador.accounts.models import Team
from mostrador.inbox.actions import ActionRefused, Actor
from mostrador.inbox.listing import id_param
from mostrador.inbox.queries import visible_conversations, visible_inboxes
from mostrador.inbox.views import pane
from mostrador.rules.quotes import Stage

from . import actions
from .api import ItemIn, VehicleIn
from .screens import stage_label
from .visible import visible_quotes
from .wiring import prefill

# A separator followed by exactly three digits: a thousands separator, or a decimal one?
THOUSANDS = re.compile(r"[.,]\d{3}(?!\d)")
NOT_VALID = _("The quote was not added: look at its %(field)s.")
FIELD_NAMES = {"plate": _("Plate"), "vin": _("VIN"), "make": _("Make"), "model": _("Model"), "year": _("Year"),
               "description": _("Part"), "side": _("Side"), "quantity": _("Quantity")}
NO_SEPARATORS = _("Write the amount without thousands separators, for example 25990 or 25990.50.")
VEHICLE_KEYS = ("plate", "vin", "make", "model", "year")
COLUMNS = [Stage.TO_QUOTE, Stage.QUOTED, Stage.WON, Stage.LOST]
# Closed columns show the latest cards; the open ones show every card, oldest first.
CLOSED_SHOWN = 50


def _filters(request) -> dict:
    get = request.GET.get
    return {"scope": "mine" if get("scope") == "mine" else "all", "team": id_param(get("team")), "inbox": id_param(get("inbox"))}


def _board(request) -> dict:
    chosen = _filters(request)
    quotes = visible_quotes(request.user).select_related("contact", "assignee", "inbox")
    if chosen["scope"] == "mine":
        quotes = quotes.filter(assignee=request.user)
    if chosen["team"]:
        quotes = quotes.filter(conversation__team_id=chosen["team"])
    if chosen["inbox"]:
        quotes = quotes.filter(inbox_id=chosen["inbox"])
    columns = []
    for stage in COLUMNS:
        cards = quotes.filter(stage=stage)
        if stage in (Stage.TO_QUOTE, Stage.QUOTED):
            cards = list(cards.order_by("created_at", "id"))
        else:
            cards = list(cards.order_by("-stage_changed_at", "-id")[:CLOSED_SHOWN])
        columns.append({"stage": stage.value, "label": stage_label(stage), "cards": cards})
    return {
        "columns": columns,
        "chosen": chosen,
        "now": timezone.now(),
        "teams": Team.objects.order_by("name"),
        "inboxes": visible_inboxes(request.user).order_by("name"),
        "query": request.GET.urlencode(),
    }


@login_required
@require_GET
def board_page(request):
    return render(request, "quotes/board_page.html", _board(request))


@login_required
@require_GET
def board(request):
    return render(request, "quotes/_board.html", _board(request))


def _quote(request, quote_id: int):
    quote = visible_quotes(request.user).filter(pk=quote_id).first()
    if quote is None:
        raise Http404
    return quote


@login_required
@require_POST
def move(request, quote_id: int):
    """A card dropped on another column (or moved with the keyboard)."""
    quote = _quote(request, quote_id)
    try:
        to = Stage(request.POST.get("to", ""))
        seen = Stage(request.POST["from"]) if request.POST.get("from") else None
    except ValueError:
        return JsonResponse({"detail": "Unknown stage."}, status=400)
    try:
        actions.move_quote(quote.pk, Actor.person(request.user), to, expected=seen,
                           reason=request.POST.get("reason", "")[:200], lost_reason=request.POST.get("lost_reason", "")[:200])
    except ActionRefused as refused:
        status = 409 if isinstance(refused, actions.ActionConflict) else 422
        return JsonResponse({"detail": str(refused), "code": refused.code}, status=status)
    return JsonResponse({"stage": to.value})


@login_required
@require_POST
def create(request, conversation_id: int):
    """"Request a quote" in the conversation pane; answers with the pane, now showing it."""
    conv = visible_conversations(request.user).filter(pk=conversation_id).first()
    if conv is None:
        raise Http404
    if not any(request.POST.get(k, "").strip() for k in (*VEHICLE_KEYS, "description", "notes")):
        # From the list's right-click menu: what the conversation already holds.
        actions.create_quote(conv, Actor.person(request.user), prefill(conv))
        return pane(request, conv.pk)
    # The API's own schemas check the form, so both refuse the same things.
    form = {k: request.POST.get(k, "").strip() for k in (*VEHICLE_KEYS, "description", "side", "quantity", "notes")}
    try:
        vehicle = VehicleIn(**{k: form[k] for k in VEHICLE_KEYS}).model_dump()
        items = [ItemIn(description=form["description"], side=form["side"], quantity=form["quantity"] or 1).model_dump()] if form["description"] else []
    except ValidationError as invalid:
        field = str(invalid.errors()[0]["loc"][-1])
        return pane(request, conv.pk, error=str(NOT_VALID) % {"field": FIELD_NAMES.get(field, field)})
    details = actions.Details(vehicle={k: v for k, v in vehicle.items() if v}, items=items, notes=form["notes"][:4000])
    actions.create_quote(conv, Actor.person(request.user), details)
    return pane(request, conv.pk)


@login_required
@require_POST
def send(request, quote_id: int):
    """"Send the quote": the price (optional) and the message, in one go; answers with the pane."""
    quote = _quote(request, quote_id)
    actor = Actor.person(request.user)
    raw_amount = request.POST.get("amount", "").strip().replace(" ", "")
    if THOUSANDS.search(raw_amount):
        # "25.990" is 25990 pesos to a Chilean seller and 25.99 to Python: ask, never guess.
        return pane(request, quote.conversation_id, error=str(NO_SEPARATORS))
    try:
        if raw_amount:
            amount = Decimal(raw_amount.replace(",", "."))
            actions.update_quote(quote.pk, actor, actions.Details(amount=amount, currency=request.POST.get("currency", "")))
        actions.send_quote(quote.pk, actor, request.POST.get("text", "").strip(), as_pdf=request.POST.get("as_pdf") == "on")
    except (ActionRefused, InvalidOperation) as refused:
        problem = str(refused) if isinstance(refused, ActionRefused) else str(actions.REFUSALS[actions.rules.Refusal.BAD_AMOUNT])
        return pane(request, quote.conversation_id, error=problem)
    return pane(request, quote.conversation_id)
