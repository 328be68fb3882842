from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "mostrador.connectors.whatsapp.sandbox"
    label = "sandbox"
    default_auto_field = "django.db.models.BigAutoField"
