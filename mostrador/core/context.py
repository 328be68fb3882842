from django.conf import settings


def product(request) -> dict:
    return {"sandbox": settings.MOSTRADOR_SANDBOX}
