from functools import cache

from django.conf import settings


def product(request) -> dict:
    from mostrador.connectors.base import sandbox_pages
    from mostrador.core.installable import ICON_FONTS
    from mostrador.inbox import hooks
    from mostrador.inbox.queries import pending_total
    from mostrador.realtime.events import LEAVE_COUNTERS, ONLY_PENDING

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        # The top bar links each channel's sandbox page when the installation runs them (the demo).
        "sandboxes": sandbox_pages() if settings.MOSTRADOR_SANDBOX else [],
        # Capabilities' links and live counters (Por cotizar), beside Pendientes. Callables, so
        # only a page that shows the top bar runs their queries (not every list refresh).
        # Cached: the bar reads them twice (its links, then its controls).
        "topbar_items": cache(lambda: hooks.topbar_items.collect(user)) if signed_in else (),
        "pending_total": (lambda: pending_total(user)) if signed_in else None,
        "page_assets": (lambda: hooks.page_assets.collect(user)) if signed_in else (),
        # Live events that move no counter, or only Pendientes: after a frame of only these the
        # page need not ask for its counters (app.js).
        "leave_counters": " ".join(sorted(LEAVE_COUNTERS)),
        "only_pending": " ".join(sorted(ONLY_PENDING)),
        "icon_fonts": ICON_FONTS,
    }
