from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "mostrador.bots"
    label = "bots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The AI capability plugs into the inbox core through its hooks; the core never calls it.
        from mostrador.inbox import hooks
        from mostrador.inbox.inbox_settings import register_setting

        from . import agent_settings, summaries, turn

        hooks.conversation_changed.subscribe(turn.on_conversation_changed)
        hooks.summary_writers.subscribe(summaries.write_summary)
        hooks.inbox_configured.subscribe(agent_settings.on_inbox_configured)
        register_setting("ai_agent", agent_settings.clean_setting)
        hooks.ai_answerers.subscribe(lambda inbox: inbox.setting("ai_agent") is not None)
