from __future__ import annotations

from django.conf import settings as conf
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AgentLoad(models.Model):
    """How many open chats one person holds in one inbox, kept by the actions as chats are
    assigned, resolved and reopened, so choosing an agent never counts rows."""

    user = models.ForeignKey(conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+")
    open = models.IntegerField(default=0)
    # When this person was last given a chat of this inbox: round robin goes by it.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inbox", "user"], name="agent_load_unique")]


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    TRANSFERRED = "transferred", _("Transferred to you")
    MENTIONED = "mentioned", _("Mentioned you")
    PENDING = "pending", _("A chat of yours is waiting")


class Notification(models.Model):
    """One line in a person's notification centre."""

    user = models.ForeignKey(conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A few words of what happened (the transfer's note, the mention's note).
    text = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_latest"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]


class Mention(models.Model):
    """Someone was @mentioned in a note: the chat is in their Menciones until they open it."""

    user = models.ForeignKey(conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey("inbox.Note", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], condition=Q(opened_at__isnull=True), name="mention_open")
        ]


class AvailabilityDay(models.Model):
    """Seconds one person spent online and away on one local day, from the availability log:
    each stretch is added when the change that ends it is made, so a report over many days
    reads one row per person and day instead of every change."""

    user = models.ForeignKey(conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    online_seconds = models.FloatField(default=0)
    away_seconds = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="availability_day_per_user")]
