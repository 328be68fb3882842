from django.conf import settings


def product(request) -> dict:
    from mostrador.connectors.base import sandbox_pages

    # The top bar links each channel's sandbox page when the installation runs them (the demo).
    return {"sandboxes": sandbox_pages() if settings.MOSTRADOR_SANDBOX else []}
