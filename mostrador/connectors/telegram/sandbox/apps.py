from django.apps import AppConfig


class TelegramSandboxConfig(AppConfig):
    name = "mostrador.connectors.telegram.sandbox"
    label = "telegram_sandbox"
    default_auto_field = "django.db.models.BigAutoField"
