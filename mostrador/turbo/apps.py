from django.apps import AppConfig


class TurboConfig(AppConfig):
    name = "mostrador.turbo"
    label = "turbo"

    def ready(self) -> None:
        # Priority rules plug into the inbox core through its hooks; the core never calls them.
        from mostrador.inbox import hooks
        from mostrador.inbox.inbox_settings import register_setting

        from . import screens, wiring

        register_setting("priority_rules", wiring.clean_rules, [])
        hooks.conversation_changed.subscribe(wiring.on_conversation_changed)
        hooks.topbar_items.subscribe(screens.menu_item)
