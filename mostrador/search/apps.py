from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "mostrador.search"
    label = "search"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Search plugs into the inbox core through its hooks and the API's router list.
        from mostrador.api.main import add_router
        from mostrador.inbox import hooks

        from . import api, screens

        add_router("/search", api.router)
        hooks.topbar_items.subscribe(screens.search_button)
        hooks.page_assets.subscribe(screens.script)
        hooks.page_assets.subscribe(screens.style)
