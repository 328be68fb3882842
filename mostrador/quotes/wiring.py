"""How quote requests hear the inbox core: a hand-off that asks for a quote (a `routes` agent's
route with `creates_quote`) creates one, filled from what the bot collected."""

from __future__ import annotations

import re

from mostrador.inbox import hooks
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.models import EventKind, Message

from . import actions

MAX_TARGET = 366 * 86400

# Conversation fields a person's bot or team may have filled, by what the quote calls them.
FIELD_NAMES = {
    "plate": ("plate", "patente"),
    "vin": ("vin", "chasis", "chassis"),
    "make": ("make", "marca"),
    "model": ("model", "modelo"),
    "year": ("year", "año", "anio"),
    "side": ("side", "lado"),
}


# A VIN: 17 letters and digits, without I, O or Q.
VIN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b", re.IGNORECASE)


def clean_target(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_TARGET:
        raise InvalidSettings(f"settings.quote_target_seconds must be a whole number of seconds from 1 to {MAX_TARGET}")
    return value, {}


def on_conversation_changed(change: hooks.ConversationChanged) -> None:
    asked = (change.data.get("asks") or {}).get("quote") if change.kind == EventKind.HANDOFF else None
    if asked is None:
        return
    conv = change.conversation
    named = {key: conv.fields.get(field) for key, field in (asked.get("fields") or {}).items()}
    details = prefill(conv, named, title=str(asked.get("title") or ""))
    actions.create_quote(conv, change.actor, details)


def prefill(conv, named: dict | None = None, title: str = "") -> actions.Details:
    """What a new quote starts with: the vehicle and side the conversation's fields hold (by the
    names the bot gave, or the usual ones), and the customer's last words as its notes."""
    fields = conv.fields or {}
    found = dict(named or {})
    for key, names in FIELD_NAMES.items():
        if not found.get(key):
            found[key] = next((fields[n] for n in names if fields.get(n)), None)
    said = list(
        Message.objects.filter(conversation=conv, author_kind="customer", type="text")
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)[:3]
    )[::-1]
    if not found.get("vin"):
        # A chassis number written in the chat ("chasis KL1CM6CD0FC123456").
        found["vin"] = next((m.group(0).upper() for text in said if (m := VIN.search(text))), None)
    vehicle = {key: str(found[key])[:60] for key in ("plate", "vin", "make", "model", "year") if found.get(key)}
    # The request is usually the first of the customer's last words; what follows adds details.
    description = title or (said[0][:200] if said else "")
    items = [{"description": description, "side": str(found.get("side") or "")[:20], "quantity": 1}] if description else []
    return actions.Details(vehicle=vehicle, items=items, notes="\n".join(said)[:2000])
