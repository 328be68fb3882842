from __future__ import annotations

from datetime import timedelta

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mostrador.inbox.queries import COUNT_CAP, EXACT_COUNTS
from mostrador.rules.attention import wait
from mostrador.rules.sla import wait_colour as colour_of

register = template.Library()


@register.filter
def epoch_ms(value) -> str:
    return str(int(value.timestamp() * 1000)) if value else ""


# Languages that write a month's abbreviation in lower case ("3 dic", as the reports' charts
# already do): Django's "M" capitalises it in every language.
LOWER_CASE_MONTHS = {"es"}


@register.filter(expects_localtime=True, is_safe=False)
def short_date(value, fmt: str) -> str:
    """`date`, with the month's abbreviation (M) written as the language writes it."""
    if (get_language() or "").split("-")[0] in LOWER_CASE_MONTHS:
        fmt = fmt.replace("M", "b")
    return date_filter(value, fmt)


@register.filter(name="span")
def span_filter(seconds: int) -> str:
    return format_span(seconds)


def format_span(seconds: int) -> str:
    # Mirrored by formatSpan() in app.js, which keeps the rows ticking between refreshes.
    seconds = max(int(seconds), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} h {minutes % 60:02d}"
    return f"{hours // 24} d {hours % 24} h"


@register.simple_tag
def wait_text(conv, now) -> str:
    waited = wait(conv.attention, now)
    return format_span(waited.total_seconds()) if waited is not None else ""


@register.simple_tag
def wait_colour(conv, now) -> str:
    waited = wait(conv.attention, now)
    return colour_of(waited, conv.inbox.wait_target).value if waited is not None else ""


@register.simple_tag
def ai_left(conv, now) -> str:
    if not conv.ai_deadline or conv.ai_deadline <= now:
        return ""
    left = int((conv.ai_deadline - now).total_seconds())
    return f"{left // 60}:{left % 60:02d}"


@register.filter
def seconds(value: timedelta) -> int:
    return int(value.total_seconds())


@register.filter
def count_label(value: int) -> str:
    return f"{COUNT_CAP - 1}+" if value >= COUNT_CAP else str(value)


@register.filter
def tab_count(counts: dict[str, int], key: str) -> str:
    """A tab's count as its tab shows it, on the page and in a live frame: Pendientes and Con IA
    exactly (they are counted exactly), the others capped."""
    return str(int(counts[key])) if key in EXACT_COUNTS else count_label(counts[key])


@register.filter
def phone(value: str) -> str:
    """WhatsApp ids are bare digits (56912345678); people read them as +56912345678."""
    return f"+{value}" if value and value.isdigit() else value


@register.filter
def failure_reason(message) -> str:
    """Why a send failed, in the seller's language when the channel knows the code."""
    from mostrador.connectors.base import connector_class

    known = connector_class(message.inbox.channel).failure_reason(message.error_code) if message.error_code else None
    return known or message.error_message or message.error_code


@register.simple_tag
def window_left(closes_at, now) -> str:
    if closes_at is None or closes_at <= now:
        return ""
    return format_span((closes_at - now).total_seconds())


@register.filter
def media_kind(message) -> str:
    mime = ((message.media or {}).get("mime_type") or "").split("/")[0]
    return message.type if message.type in ("image", "audio", "video", "sticker", "document") else mime


@register.filter
def priority_name(value) -> str:
    from mostrador.inbox.models import Priority

    try:
        return str(Priority(int(value)).label)
    except (TypeError, ValueError):
        return str(value)


MEDIA_BOX = 260  # px: the largest side of a photo in the timeline


@register.filter
def media_box(media) -> dict | None:
    """The size a photo is drawn at ({"width", "height"}: its own, scaled to fit the box), so
    its room is kept before it loads; None when its size is unknown."""
    width, height = (media or {}).get("width"), (media or {}).get("height")
    if not width or not height:
        return None
    scale = min(1.0, MEDIA_BOX / max(width, height))
    return {"width": max(1, round(width * scale)), "height": max(1, round(height * scale))}


@register.filter
def preview(message) -> str:
    """A message in one line of the list: its text, or what it is when it has none (a photo
    without a caption read as "●" before)."""
    if message.text:
        return message.text
    voice = bool((message.media or {}).get("voice"))
    labels = {
        "image": "📷 " + _("Photo"),
        "audio": "🎤 " + (_("Voice message") if voice else _("Audio")),
        "video": "🎬 " + _("Video"),
        "document": "📄 " + ((message.media or {}).get("filename") or _("Document")),
        "sticker": "🏷 " + _("Sticker"),
        "location": "📍 " + _("Location"),
        "contacts": "👤 " + _("Contact card"),
        "template": "📋 " + _("Template"),
        "reaction": _("Reaction"),
    }
    return labels.get(message.type, _("Message"))


@register.filter
def from_iso(value: str | None):
    """An ISO timestamp kept in JSON (a hand-off's time) as an aware datetime for `date`."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
