from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "mostrador.bots"
    label = "bots"
    default_auto_field = "django.db.models.BigAutoField"
