"""What quote requests add to the screens through the core's hooks: the Por cotizar counter in
the top bar, the conversation's quotes above its timeline (with "request a quote"), and their
lines on the timeline. The board itself is in views.py."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mostrador.inbox.hooks import Panel, RowMenuItem, TopbarItem
from mostrador.rules.quotes import Stage

from . import actions
from .models import Quote
from .visible import visible_quotes
from .wiring import prefill


def stage_label(stage: str) -> str:
    return {
        Stage.TO_QUOTE: pgettext("quote stage", "To quote"),
        Stage.QUOTED: pgettext("quote stage", "Quoted"),
        Stage.WON: pgettext("quote stage", "Won"),
        Stage.LOST: pgettext("quote stage", "Lost"),
    }.get(stage, stage)


def to_quote(user):
    """The quotes still owed in the inboxes the person sees (indexed: quote_to_do)."""
    return visible_quotes(user).filter(stage=Stage.TO_QUOTE)


def topbar_item(user) -> TopbarItem:
    return TopbarItem("to_quote", pgettext("the board", "To quote"), reverse("quotes-board"), to_quote(user).count())


def row_menu_item(user) -> RowMenuItem:
    return RowMenuItem("🧾 " + _("Request a quote"), reverse("quotes-new", args=[0]).replace("/0", "/{id}"))


def conversation_panel(conversation, user) -> Panel:
    quotes = list(Quote.objects.filter(conversation=conversation).exclude(stage__in=[Stage.WON, Stage.LOST]).order_by("created_at"))
    for quote in quotes:
        quote.stage_label = stage_label(quote.stage)
        quote.draft = quote_text(quote)
    return Panel("quotes/_panel.html", {"quotes": quotes, "conversation": conversation, "new": prefill(conversation)})


def quote_text(quote: Quote) -> str:
    """The message a seller starts from when sending a quote: what was asked, and the price."""
    vehicle = quote.vehicle or {}
    car = " ".join(str(vehicle[k]) for k in ("make", "model", "year") if vehicle.get(k))
    lines = [_("Quote #%(number)s") % {"number": quote.pk}]
    if car or vehicle.get("plate") or vehicle.get("vin"):
        lines.append(" · ".join(filter(None, [car, vehicle.get("plate", ""), vehicle.get("vin", "")])))
    for item in quote.items or []:
        side = f" ({item['side']})" if item.get("side") else ""
        lines.append(f"- {item.get('description', '')}{side} x{item.get('quantity', 1)}")
    if quote.amount is not None:
        lines.append(_("Total: %(amount)s %(currency)s") % {"amount": f"{quote.amount:,.2f}".rstrip("0").rstrip("."), "currency": quote.currency})
    return "\n".join(lines)


def timeline_label(event) -> str:
    number = event.data.get("quote_id")
    if event.kind == actions.CREATED:
        return "🧾 " + _("Quote request #%(number)s created") % {"number": number}
    if event.kind == actions.MOVED:
        return "🧾 " + _("Quote #%(number)s: %(from)s → %(to)s") % {
            "number": number, "from": stage_label(event.data.get("from", "")), "to": stage_label(event.data.get("to", "")),
        }
    if event.kind == actions.SENT:
        return "🧾 " + _("Quote #%(number)s sent to the customer") % {"number": number}
    return "🧾 " + _("Quote #%(number)s updated") % {"number": number}
