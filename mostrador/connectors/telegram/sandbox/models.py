from __future__ import annotations

from django.db import models
from django.utils import timezone


class SandboxBot(models.Model):
    """What the fake Bot API knows of one bot: where setWebhook told it to send updates."""

    token = models.CharField(max_length=200, unique=True)
    webhook_url = models.CharField(max_length=500, blank=True)
    secret_token = models.CharField(max_length=256, blank=True)
    last_update_id = models.BigIntegerField(default=100_000)


class ChatMessage(models.Model):
    """One message of a sandbox chat, from the customer or from the bot (our product)."""

    token = models.CharField(max_length=200)
    chat_id = models.BigIntegerField()
    # Telegram numbers the messages of a chat in one sequence, both directions together.
    message_id = models.BigIntegerField()
    from_customer = models.BooleanField()
    text = models.TextField(blank=True)
    # The inline keyboard the bot sent: [{"text", "callback_data"}].
    buttons = models.JSONField(default=list, blank=True)
    # A file: {"file_id", "kind", "name", "mime_type", "path" (in storage) or "link"}.
    file = models.JSONField(null=True, blank=True)
    reply_to = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["token", "chat_id", "message_id"], name="tg_sandbox_thread")]
        constraints = [
            models.UniqueConstraint(fields=["token", "chat_id", "message_id"], name="tg_sandbox_message_unique")
        ]
