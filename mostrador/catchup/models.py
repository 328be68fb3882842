from __future__ import annotations

from django.conf import settings as conf
from django.db import models


class LastLook(models.Model):
    """When a person last looked at a chat: what happened since is summed up for them when they
    come back after a while."""

    user = models.ForeignKey(conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey("inbox.Conversation", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "conversation"], name="last_look_per_person")]
