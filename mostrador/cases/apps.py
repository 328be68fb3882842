from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "mostrador.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mostrador.api.main import add_router
        from mostrador.inbox import hooks
        from mostrador.inbox.inbox_settings import register_setting

        from . import lifecycle, surveys
        from .api import reports_router, router

        add_router("/cases", router)
        add_router("/reports", reports_router)
        hooks.conversation_changed.subscribe(lifecycle.on_conversation_changed, many=lifecycle.on_conversation_changes)
        hooks.customer_message_claims.subscribe(surveys.claim_answer)
        register_setting("csat_enabled", surveys.clean_flag("csat_enabled"), False)
        register_setting("nps_enabled", surveys.clean_flag("nps_enabled"), False)
