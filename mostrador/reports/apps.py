from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mostrador.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mostrador.api.main import add_router
        from mostrador.inbox import hooks

        from . import api, screens

        add_router("/reports", api.router)
        add_router("/monitor", api.monitor_router)
        add_router("/exports", api.exports_router)
        hooks.topbar_items.subscribe(screens.reports_item)

