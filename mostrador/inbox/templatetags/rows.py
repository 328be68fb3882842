"""{% list_row c %}: a chat's row in the list the page shows, drawn by Jinja2 (inbox/row.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import mark_safe

from mostrador.inbox.row import row_html

register = template.Library()


@register.simple_tag(takes_context=True)
def list_row(context, c) -> str:
    return mark_safe(row_html(c, context["selected"], context["now"], context.get("open_id")))  # rendered and escaped by Jinja2
