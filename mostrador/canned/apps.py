from django.apps import AppConfig


class CannedConfig(AppConfig):
    name = "mostrador.canned"
    label = "canned"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Saved answers plug into the inbox core through its hooks; the core never calls them.
        from mostrador.api.main import add_router
        from mostrador.inbox import hooks

        from . import api, screens, service

        add_router("/canned_responses", api.router)
        hooks.canned_texts.subscribe(service.text_for)
        hooks.topbar_items.subscribe(screens.menu_item)
        hooks.page_assets.subscribe(screens.script)
        hooks.page_assets.subscribe(screens.style)
