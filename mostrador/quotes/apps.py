from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "mostrador.quotes"
    label = "quotes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Quote requests plug into the inbox core through its hooks; the core never calls them.
        from mostrador.api.main import add_router
        from mostrador.inbox import hooks
        from mostrador.inbox.inbox_settings import register_setting
        from mostrador.realtime import events

        from . import actions, api, screens, wiring

        add_router("/quotes", api.router)
        add_router("/reports/quotes", api.reports_router)
        events.register(actions.QUOTE_CHANGED, {"quote_id", "conversation_id", "inbox_id", "stage"})
        register_setting("quote_target_seconds", wiring.clean_target, 3600)
        hooks.conversation_changed.subscribe(wiring.on_conversation_changed)
        hooks.topbar_items.subscribe(screens.topbar_item)
        hooks.row_menu.subscribe(screens.row_menu_item)
        hooks.conversation_panels.subscribe(screens.conversation_panel)
        for kind in (actions.CREATED, actions.MOVED, actions.UPDATED, actions.SENT):
            hooks.timeline_events.register(kind, screens.timeline_label)
