"""One chat's row in the list, the markup the product renders most: 50 with every list a page
asks for, and those of every changed chat in each live frame (live_rows.py), hundreds a second in
a busy hour. Django's template language took 400-550 µs a row resolving its variables, most of a
busy frame's work; Jinja2 compiles the same template to Python code, which takes a fraction of it
(bench/row_render.py). The row's words are translated here, once per language, where
`makemessages` finds them."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.template import engines
from django.template.defaultfilters import date, truncatechars
from django.urls import get_script_prefix, reverse
from django.utils.html import strip_spaces_between_tags
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, pgettext
from jinja2 import Environment

from mostrador.inbox.templatetags import mostrador as tags


def environment(**options) -> Environment:
    """The Jinja2 environment (TEMPLATES in settings.py) with what the row uses of the product's
    template filters."""
    env = Environment(**options)
    env.filters.update(
        epoch_ms=tags.epoch_ms,
        seconds=tags.seconds,
        phone=tags.phone,
        preview=tags.preview,
        truncatechars=truncatechars,
        # As Django's templates show a time: in the organisation's time zone, then formatted.
        localtime=template_localtime,
        date=date,
        priority_title=_priority_title,
    )
    env.globals.update(wait_text=tags.wait_text, wait_colour=tags.wait_colour, ai_left=tags.ai_left)
    return env


def row_html(c, selected: dict, now: datetime, open_id: int | None = None) -> str:
    """A row as inbox/row.html draws it, for the list `selected` (its tab and whose)."""
    query = f"?tab={selected['tab']}&scope={selected['scope']}"
    links = {"page": _path("conversation", c.pk) + query, "pane": _path("ui-conversation", c.pk)}
    html = _template().render({"c": c, "now": now, "open_id": open_id, "links": links, "words": _words(get_language())})
    return strip_spaces_between_tags(html.strip())


@cache
def _template():
    return engines["jinja2"].get_template("inbox/row.html")


def _path(name: str, pk: int) -> str:
    # Reversing a URL costs more than the rest of the row: each route is reversed once, with a
    # stand-in for the id.
    head, tail = _route(name, get_script_prefix())
    return f"{head}{pk}{tail}"


@cache
def _route(name: str, prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
    return head, tail


_STAND_IN = 918273645


@cache
def _words(language: str | None) -> dict[str, str]:
    """The row's words in the active language (the cache is keyed by it)."""
    return {
        "unknown": gettext("Unknown"),
        "seller": gettext("Seller"),
        "ai": gettext("AI"),
        "automation": gettext("Automation"),
        "customer": gettext("Customer"),
        "with_ai": pgettext("one conversation", "With AI"),
        "ai_left": gettext("Time left in the AI window"),
        "waiting": gettext("Customer waiting for"),
    }


def _priority_title(c) -> str:
    if c.priority_reason:
        return gettext("Above older waits: %(why)s") % {"why": c.priority_reason}
    return gettext("Priority set by a person")

