from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "mostrador.intake"
    default_auto_field = "django.db.models.BigAutoField"
