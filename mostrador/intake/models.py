"""The durable inbound log: every verified channel notification, stored before it is processed.

A webhook answers as soon as its raw body is here. Processing reads from this log, so a crash, a
bug or a bad deploy loses nothing: the notification can be processed again (`mostrador
replay_inbound`), and the message ids it carries keep that idempotent.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LogState(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    # Kept and reported, never a 5xx to the provider: a number we do not know, a shape we cannot read.
    UNROUTABLE = "unroutable", _("Unknown number")
    REJECTED = "rejected", _("Unreadable")
    FAILED = "failed", _("Failed")


class InboundLog(models.Model):
    channel = models.CharField(max_length=32)
    # The provider account it is for (a WhatsApp phone number id), read when it is stored: one
    # account's notifications are processed by one worker at a time, in arrival order.
    account = models.CharField(max_length=64, blank=True, default="")
    body = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=LogState.choices, default=LogState.RECEIVED)
    problem = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["state", "received_at"], condition=~Q(state="processed"), name="intake_needs_attention"
            ),
            models.Index(
                fields=["account", "received_at", "id"], condition=Q(state="received"), name="intake_waiting_by_account"
            ),
        ]


class ChannelError(models.Model):
    """A problem the provider reported about an inbox (value-level webhook errors, failed syncs)."""

    inbox = models.ForeignKey("inbox.Inbox", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    log = models.ForeignKey(InboundLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=300, blank=True)
    details = models.TextField(blank=True)
    # What the error is and which notification said it: a redelivered notification (the same
    # bytes again) reports nothing new and must not add a row.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-created_at"], name="channel_error_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"], condition=~Q(fingerprint=""), name="channel_error_once"
            )
        ]
