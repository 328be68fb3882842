"""Creating and changing inboxes, and what their provider tells us about them (templates,
errors). A new AI window moves the deadlines of running AI turns."""

from __future__ import annotations


from django.db import transaction
from django.utils import timezone

from mostrador.core.secret_box import seal
from mostrador.inbox.inbox_settings import InvalidSettings, split_settings
from mostrador.inbox.models import Conversation, Inbox, MessageTemplate
from mostrador.inbox.template_text import count_placeholders
from mostrador.rules.attention import ai_deadline

from .record import publish_conversation_changed, schedule_ai_window_end


def create_inbox(name: str, channel: str, raw_settings: dict) -> Inbox:
    settings, secrets = split_settings(channel, raw_settings)
    with transaction.atomic():
        inbox = Inbox.objects.create(
            name=name, channel=channel, settings=settings, secrets=_sealed(channel, secrets), address=_address(settings)
        )
        _apply_agent(inbox)
        _sync_templates_soon(inbox)
    return inbox


def _apply_agent(inbox: Inbox) -> None:
    """Check what the agent's settings point at, and index the routes bot's FAQ."""
    from mostrador.accounts.models import Team
    from mostrador.bots.faq import replace_entries

    agent = inbox.setting("ai_agent") or {}
    team_ids = {r["team_id"] for r in agent.get("routes", []) if r.get("team_id") is not None}
    missing = team_ids - set(Team.objects.filter(pk__in=team_ids).values_list("pk", flat=True))
    if missing:
        raise InvalidSettings(f"settings.ai_agent.routes names team {min(missing)}, which does not exist")
    replace_entries(inbox, agent.get("faq", []) if agent.get("kind") == "routes" else [])


def _sealed(channel: str, secrets: dict) -> dict:
    """Encrypt credentials for storage, and let the channel drop cached copies of the old ones."""
    from mostrador.connectors.base import connector_class

    if secrets:
        connector_class(channel).credentials_changed()
    return {key: seal(value) for key, value in secrets.items()}


def _address(settings: dict) -> str:
    return settings.get("phone_number_id", "")


def _sync_templates_soon(inbox: Inbox) -> None:
    from mostrador.connectors.base import connector_class
    from mostrador.inbox.jobs import sync_templates

    if connector_class(inbox.channel).capabilities.templates:
        sync_templates.enqueue(inbox.pk)


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
            inbox.secrets = {**inbox.secrets, **_sealed(inbox.channel, secrets)}
            inbox.address = _address(inbox.settings)
            _sync_templates_soon(inbox)
            if "ai_agent" in settings:
                _apply_agent(inbox)
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


def replace_templates(inbox: Inbox, templates: list[dict]) -> None:
    """Make the stored templates exactly what the provider listed."""
    now = timezone.now()
    with transaction.atomic():
        keep = []
        for t in templates:
            body = next((c.get("text", "") for c in t.get("components") or [] if c.get("type", "").upper() == "BODY"), "")
            row, _ = MessageTemplate.objects.update_or_create(
                inbox=inbox,
                name=t["name"],
                language=t.get("language", ""),
                defaults={
                    "status": t.get("status", ""),
                    "category": t.get("category", ""),
                    "components": t.get("components") or [],
                    "body": body,
                    "param_count": count_placeholders(body),
                    "synced_at": now,
                },
            )
            keep.append(row.pk)
        MessageTemplate.objects.filter(inbox=inbox).exclude(pk__in=keep).delete()


def record_channel_error(inbox: Inbox | None, code: str, title: str, details: str = "", log=None) -> None:
    from mostrador.intake.models import ChannelError

    ChannelError.objects.create(inbox=inbox, code=code[:40], title=title[:300], details=details, log=log)
