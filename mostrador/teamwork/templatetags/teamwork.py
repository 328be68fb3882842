from django import template

register = template.Library()


@register.filter
def notice_title(notice) -> str:
    from mostrador.teamwork.views import notice_title as title

    return title(notice)


@register.simple_tag
def away_after_seconds() -> int:
    """How long a browser may sit untouched before its person turns away."""
    from django.conf import settings

    return settings.MOSTRADOR_AWAY_AFTER_SECONDS
