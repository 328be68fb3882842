from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mostrador.core"
    label = "core"
