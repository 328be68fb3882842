from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "mostrador.inbox"
    label = "inbox"

    def ready(self) -> None:
        from mostrador.realtime import hub

        from .live_rows import ListRows
        from .policy import watch_access

        watch_access()
        # Live frames carry the changed chats' rows as each page's list shows them.
        hub.rows = ListRows()
