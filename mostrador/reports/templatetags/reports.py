"""Filters for the reports' screens: durations, shares, channel names and the charts' words."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from mostrador.connectors.base import connector_class
from mostrador.inbox.templatetags.mostrador import format_span

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """A report's seconds: tenths under ten seconds (a bot answers in fractions), else as the
    inbox shows waits."""
    if seconds is None or seconds == "":
        return "—"
    value = float(seconds)
    if value < 10:
        return f"{number_format(round(value, 1), 1)} s"
    return format_span(int(round(value)))


@register.filter
def duration_td(value: timedelta | None) -> str:
    return duration(value.total_seconds() if value is not None else None)


@register.filter
def percent(share) -> str:
    if share is None:
        return "—"
    return f"{number_format(round(float(share) * 100, 1), 1 if share * 100 % 1 else 0)} %"


@register.filter
def channel_name(channel: str) -> str:
    return connector_class(channel).label or channel


@register.filter
def handoff_cause(cause: str) -> str:
    return {
        "agent": _("The AI decided a person should answer"), "error": _("The AI failed"),
        "timeout": _("The AI took too long"), "empty": _("The AI gave no answer"),
    }.get(cause, cause)


@register.simple_tag
def chart_words() -> dict:
    """What the charts say, in the reader's language."""
    return {
        "opened": _("Opened"), "closed": _("Closed"), "first_human_p50": _("First human response p50 (s)"),
        "share": _("Never wrote again"), "cases": _("Cases"), "target": _("Suggested target"),
        "rerouted": _("Re-routed"), "csat": _("CSAT (avg)"), "ai": _("AI alone"), "ai_then_people": _("AI, then people"),
        "people": _("People only"), "seconds": _("s"),
    }
