"""What the fake Graph API remembers: the messages on the customers' phones and uploaded media."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PhoneMessage(models.Model):
    """One message as the customer's phone sees it."""

    phone_number_id = models.CharField(max_length=64)
    customer = models.CharField(max_length=64)  # the customer's wa_id
    customer_name = models.CharField(max_length=100, blank=True)
    from_customer = models.BooleanField()
    wamid = models.CharField(max_length=200, unique=True)
    type = models.CharField(max_length=20)
    # For business messages, the /messages request body; for the customer's, the webhook message.
    body = models.JSONField()
    status = models.CharField(max_length=10, default="sent")
    callback_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["phone_number_id", "customer", "created_at"], name="sandbox_thread")]


class Media(models.Model):
    media_id = models.CharField(max_length=64, unique=True)
    phone_number_id = models.CharField(max_length=64)
    mime_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
