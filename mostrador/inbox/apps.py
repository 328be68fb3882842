from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "mostrador.inbox"
    label = "inbox"

    def ready(self) -> None:
        from mostrador.realtime import events, hub

        from .live_rows import ListRows
        from .models import EventKind
        from .policy import watch_access

        watch_access()
        # Writing, reading and the AI's window move no top-bar counter but Pendientes; an
        # assignment or a note (which may mention someone) moves others.
        events.moves_only_pending(
            events.CONVERSATION_CHANGED,
            *(EventKind.MESSAGE, EventKind.AI_WINDOW_ENDED, EventKind.AI_TURN_STARTED, EventKind.AI_TOGGLED),
            *(EventKind.HANDOFF, EventKind.SEEN, EventKind.TAGGED, EventKind.PRIORITY, EventKind.FIELD_SET),
            *(EventKind.RETRIED, EventKind.RESOLVED, EventKind.REOPENED),
        )
        # A chat given to someone leaves the lists of those who held it in an "own chats" inbox.
        events.changes_holder(events.CONVERSATION_CHANGED, EventKind.ASSIGNED)
        # Live frames carry the changed chats' rows as each page's list shows them.
        hub.rows = ListRows()
