from django.urls import path

from . import screens

urlpatterns = [
    path("key", screens.server_key, name="push-key"),
    path("subscribe", screens.subscribe, name="push-subscribe"),
    path("unsubscribe", screens.unsubscribe, name="push-unsubscribe"),
]
