from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "mostrador.cases"
    label = "cases"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mostrador.api.main import add_router
        from mostrador.inbox import hooks
        from mostrador.inbox.inbox_settings import register_setting
        from mostrador.inbox.models import EventKind

        from . import inbox_ui, lifecycle, surveys
        from .api import router

        add_router("/cases", router)
        hooks.conversation_changed.subscribe(lifecycle.on_conversation_changed, many=lifecycle.on_conversation_changes)
        hooks.customer_message_claims.subscribe(surveys.claim_answer)
        hooks.row_marks.subscribe(inbox_ui.left_on_read_marks)
        hooks.conversation_panels.subscribe(inbox_ui.earlier_cases_panel)
        hooks.timeline_events.register(EventKind.CASE_OPENED, inbox_ui.timeline_label, divider=True, leads=True)
        hooks.timeline_events.register(EventKind.CASE_CLOSED, inbox_ui.timeline_label, divider=True)
        hooks.timeline_events.register(EventKind.SURVEY_ANSWERED, inbox_ui.timeline_label)
        hooks.timeline_events.register(EventKind.LEFT_ON_READ, inbox_ui.timeline_label)
        register_setting("csat_enabled", surveys.clean_flag("csat_enabled"), False)
        register_setting("nps_enabled", surveys.clean_flag("nps_enabled"), False)
        post_migrate.connect(_fill_rollups, sender=self)


def _fill_rollups(**kwargs) -> None:
    """An installation upgraded from before the daily rollups has closed cases and no rollups:
    build them once, so its reports keep their history."""
    from .models import Case, CaseDay
    from .rollups import rebuild

    if not CaseDay.objects.exists() and Case.objects.filter(closed_at__isnull=False).exists():
        rebuild()
