from django.conf import settings as conf
from django.db import models
from django.utils import timezone


class ServerKey(models.Model):
    """The installation's VAPID key pair (RFC 8292), made on first use. Push services tie every
    subscription to its public half, so it is kept for good; the private half is sealed."""

    private_key = models.TextField()  # PEM, sealed with core.secret_box
    public_key = models.CharField(max_length=120)  # uncompressed point, base64url
    created_at = models.DateTimeField(default=timezone.now)


class Subscription(models.Model):
    """One browser of one person that asked to be told, as its push service described it."""

    user = models.ForeignKey(conf.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=120)
    auth = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)
    # Failures in a row that may pass (the service down); a subscription the service says is
    # gone (404, 410) is deleted at once.
    failures = models.PositiveSmallIntegerField(default=0)
