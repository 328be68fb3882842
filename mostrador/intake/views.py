"""The admins' view of the channels: what providers reported, and notifications we kept but
could not use (an unknown number, an unreadable body)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mostrador.connectors.base import channels, connector_class
from mostrador.inbox.models import Inbox

from .models import ChannelError, InboundLog, LogState


@login_required
@require_GET
def channel_health(request):
    if not request.user.is_admin:
        raise PermissionDenied
    inboxes = list(
        Inbox.objects.order_by("name").annotate(
            template_count=Count("templates"), templates_synced_at=Max("templates__synced_at")
        )
    )
    for inbox in inboxes:
        connector = connector_class(inbox.channel)
        path = connector.webhook_path(inbox)
        inbox.channel_label = connector.label or inbox.channel
        inbox.uses_templates = connector.capabilities.templates
        inbox.webhook_url = request.build_absolute_uri(path) if path else ""
    unfinished = InboundLog.objects.exclude(state=LogState.PROCESSED)
    return render(
        request,
        "intake/health.html",
        {
            "inboxes": inboxes,
            "installed": [(c, connector_class(c).label or c) for c in channels()],
            "errors": ChannelError.objects.select_related("inbox").order_by("-created_at")[:50],
            "problems": unfinished.order_by("-received_at")[:50],
            "received_today": InboundLog.objects.count(),
        },
    )
