from django.apps import AppConfig


class CatchupConfig(AppConfig):
    name = "mostrador.catchup"
    label = "catchup"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The summary on return plugs into the inbox core through its hooks.
        from mostrador.inbox import hooks

        from . import summary

        hooks.conversation_opened.subscribe(summary.remember_look)
        hooks.conversation_panels.subscribe(summary.panel)
