from django.apps import AppConfig


class TeamworkConfig(AppConfig):
    name = "mostrador.teamwork"
    label = "teamwork"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Teamwork plugs into the inbox core through its hooks; the core never calls it.
        from django.utils.translation import gettext_lazy as _

        from mostrador.api.main import add_router
        from mostrador.inbox import hooks
        from mostrador.realtime import consumers, events

        from . import api, assignment, availability, notices, presence, screens

        add_router("/users", api.users)
        add_router("/teams", api.teams)
        events.register(availability.AVAILABILITY_CHANGED, {"user_id", "availability"}, moves_counters=False)
        events.register(notices.NOTIFICATION_CREATED, {"user_id", "notification_id", "conversation_id", "kind"}, personal=True)
        events.register(notices.NOTICES_READ, {"user_id"}, personal=True)
        # Notices first: they tell the assignee a chat turned pending before assignment may move it.
        hooks.conversation_changed.subscribe(notices.on_change)
        hooks.conversation_changed.subscribe(assignment.on_change, many=assignment.on_changes)
        hooks.conversation_opened.subscribe(notices.on_opened)
        hooks.inbox_configured.subscribe(assignment.on_inbox_configured)
        hooks.timeline_events.register(assignment.QUEUED, lambda event: _("Queued: everyone was full"))
        hooks.topbar_items.subscribe(screens.mentions_item)
        hooks.topbar_items.subscribe(screens.teams_item)
        hooks.topbar_items.subscribe(screens.notifications_item)
        hooks.topbar_items.subscribe(screens.availability_item)
        hooks.row_marks.subscribe(screens.queue_marks)
        if not any(isinstance(listener, presence.Presence) for listener in consumers.listeners):
            consumers.listeners.append(presence.Presence())
