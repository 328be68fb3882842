from __future__ import annotations

from django.conf import settings as conf
from django.db import models
from django.db.models import Q
from django.utils import timezone

from mostrador.rules.quotes import Stage


class Quote(models.Model):
    """A price a customer asked for and is still owed (DESIGN.md section 5): a unit of work apart
    from the chat's attention, from `to_quote` through `quoted` to `won` or `lost`."""

    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="quotes")
    contact = models.ForeignKey("inbox.Contact", on_delete=models.CASCADE, related_name="quotes")
    inbox = models.ForeignKey("inbox.Inbox", on_delete=models.CASCADE, related_name="+", db_index=False)
    stage = models.CharField(max_length=10, choices=[(s.value, s.value) for s in Stage], default=Stage.TO_QUOTE)
    # {"plate", "vin", "make", "model", "year"}, and [{"description", "side", "quantity"}].
    vehicle = models.JSONField(default=dict, blank=True)
    items = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    assignee = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(conf.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField(default=timezone.now)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    quoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The board's columns, oldest first, and the counters (to_quote per inbox).
            models.Index(fields=["inbox", "stage", "created_at", "id"], name="quote_board"),
            models.Index(fields=["stage", "created_at", "id"], name="quote_stage_age"),
            models.Index(fields=["inbox"], condition=Q(stage=Stage.TO_QUOTE), name="quote_to_do"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"
