from django import template

from mostrador.inbox.templatetags.mostrador import format_span

register = template.Library()


@register.filter
def quote_target(inbox) -> int:
    """The inbox's quote target in seconds (the age at which a card turns red)."""
    return int(inbox.setting("quote_target_seconds"))


@register.simple_tag
def quote_age(quote, now) -> str:
    return format_span((now - quote.created_at).total_seconds())


@register.simple_tag
def quote_colour(quote, now) -> str:
    from datetime import timedelta

    from mostrador.rules.sla import wait_colour

    return wait_colour(now - quote.created_at, timedelta(seconds=quote_target(quote.inbox))).value
