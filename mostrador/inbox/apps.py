from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "mostrador.inbox"
    label = "inbox"
