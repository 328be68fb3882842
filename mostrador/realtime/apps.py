from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "mostrador.realtime"
    label = "realtime"
