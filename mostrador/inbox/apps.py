from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "mostrador.inbox"
    label = "inbox"

    def ready(self) -> None:
        from .policy import watch_access

        watch_access()
