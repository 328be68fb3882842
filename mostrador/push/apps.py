from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "mostrador.push"
    label = "push"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Web Push plugs into the inbox core through its hooks; the core never calls it.
        from mostrador.inbox import hooks

        from . import screens, sending

        hooks.conversation_changed.subscribe(sending.on_conversation_changed)
        hooks.topbar_items.subscribe(screens.bell)
        hooks.page_assets.subscribe(screens.script)
        hooks.page_assets.subscribe(screens.style)
        hooks.worker_scripts.subscribe(screens.worker_script)
