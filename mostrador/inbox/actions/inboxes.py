"""Creating and changing inboxes. A new AI window moves the deadlines of running AI turns."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mostrador.inbox.inbox_settings import split_settings
from mostrador.inbox.models import Conversation, Inbox
from mostrador.rules.attention import ai_deadline

from .record import publish_conversation_changed, schedule_ai_window_end


def create_inbox(name: str, channel: str, raw_settings: dict) -> Inbox:
    settings, secrets = split_settings(channel, raw_settings)
    return Inbox.objects.create(name=name, channel=channel, settings=settings, secrets=secrets)


def update_inbox(inbox: Inbox, *, name: str | None = None, raw_settings: dict | None = None) -> Inbox:
    now = timezone.now()
    with transaction.atomic():
        inbox = Inbox.objects.select_for_update().get(pk=inbox.pk)
        old_window = inbox.ai_window
        if name is not None:
            inbox.name = name
        if raw_settings is not None:
            settings, secrets = split_settings(inbox.channel, raw_settings)
            inbox.settings = {**inbox.settings, **settings}
            inbox.secrets = {**inbox.secrets, **secrets}
        inbox.save()
        if inbox.ai_window != old_window:
            running = Conversation.objects.select_for_update().filter(inbox=inbox, ai_deadline__gt=now)
            for conv in running.select_related("inbox"):
                conv.inbox = inbox
                conv.ai_deadline = ai_deadline(conv.attention, inbox.ai_window)
                conv.save(update_fields=["ai_deadline"])
                schedule_ai_window_end(conv)
                publish_conversation_changed(conv, conv.state(now).value, "inbox_settings")
    return inbox
