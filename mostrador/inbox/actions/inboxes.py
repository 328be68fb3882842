"""Creating and changing inboxes, and what their provider tells us about them (templates,
errors). A new AI window moves the deadlines of running AI turns. Capabilities hear of new
settings through `hooks.inbox_configured`; the channel's connector, once they are committed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from mostrador.connectors.base import channels, connector_class
from mostrador.core.secret_box import seal
from mostrador.inbox import hooks, policy
from mostrador.inbox.inbox_settings import InvalidSettings, split_settings
from mostrador.inbox.models import Conversation, Inbox, MessageTemplate
from mostrador.inbox.template_text import count_placeholders
from mostrador.rules.attention import ai_deadline

from .record import publish_conversation_changed, schedule_ai_window_end


def create_inbox(name: str, channel: str, raw_settings: dict) -> Inbox:
    connector = _connector(channel)
    settings, secrets = split_settings(channel, raw_settings)
    with transaction.atomic():
        inbox = Inbox.objects.create(
            name=name, channel=channel, settings=settings, secrets=_sealed(connector, secrets),
            address=connector.address_of(settings),
        )
        _configured(inbox, frozenset(raw_settings), created=True)
    return inbox


def update_inbox(inbox: Inbox, *, name: str | None = None, raw_settings: dict | None = None) -> Inbox:
    now = timezone.now()
    with transaction.atomic():
        inbox = Inbox.objects.select_for_update().get(pk=inbox.pk)
        connector = _connector(inbox.channel)
        old_window = inbox.ai_window
        if name is not None:
            inbox.name = name
        if raw_settings is not None:
            settings, secrets = split_settings(inbox.channel, raw_settings)
            inbox.settings = {**inbox.settings, **settings}
            inbox.secrets = {**inbox.secrets, **_sealed(connector, secrets)}
            inbox.address = connector.address_of(inbox.settings)
        inbox.save()
        if raw_settings is not None:
            _configured(inbox, frozenset(raw_settings))
            if policy.ACCESS_SETTINGS & set(raw_settings):
                policy.access_changed()
        if inbox.ai_window != old_window:
            running = Conversation.objects.select_for_update().filter(inbox=inbox, ai_deadline__gt=now)
            for conv in running.select_related("inbox"):
                conv.inbox = inbox
                conv.ai_deadline = ai_deadline(conv.attention, inbox.ai_window)
                conv.save(update_fields=["ai_deadline"])
                schedule_ai_window_end(conv)
                publish_conversation_changed(conv, conv.state(now).value, "inbox_settings")
    return inbox


def _connector(channel: str):
    try:
        return connector_class(channel)
    except LookupError:
        raise InvalidSettings(f"channel must be one of {', '.join(channels())}") from None


def _sealed(connector, secrets: dict) -> dict:
    """Encrypt credentials for storage, and let the channel drop cached copies of the old ones."""
    if secrets:
        connector.credentials_changed()
    return {key: seal(value) for key, value in secrets.items()}


def _configured(inbox: Inbox, changed: frozenset[str], created: bool = False) -> None:
    """Tell the capabilities (inside this transaction: they may refuse the settings) and, once
    committed, the channel (which may have to tell its provider: templates, a webhook)."""
    hooks.inbox_configured.announce(hooks.InboxConfigured(inbox, changed, created))
    from mostrador.inbox.jobs import configure_channel, sync_templates

    if connector_class(inbox.channel).capabilities.templates:
        sync_templates.enqueue(inbox.pk)
    # At once, so an admin who saves sees it work; a provider that fails is retried by a job.
    transaction.on_commit(lambda: configure_channel.call(inbox.pk))


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


def record_channel_error(
    inbox: Inbox | None, code: str, title: str, details: str = "", log=None, fingerprint: str = ""
) -> None:
    """Keep what a provider reported about an inbox for its admins. With a fingerprint, the same
    report twice (a redelivered notification) is kept once."""
    from mostrador.intake.models import ChannelError

    row = ChannelError(inbox=inbox, code=code[:40], title=title[:300], details=details, log=log, fingerprint=fingerprint)
    ChannelError.objects.bulk_create([row], ignore_conflicts=bool(fingerprint))


def issue_integration_token(inbox: Inbox, by, label: str = ""):
    """A key for the outside system that feeds an `api` inbox: it delivers that inbox's customer
    messages and nothing else. Returns (token, the raw token to show once)."""
    from mostrador.accounts.models import ApiToken

    if inbox.channel != "api":
        raise ValueError("only api inboxes have integration tokens")
    return ApiToken.issue(by, inbox=inbox, label=label.strip()[:100])


def update_template_status(inbox: Inbox, name: str, language: str, status: str) -> None:
    """The provider approved, rejected, paused or disabled one of the inbox's templates: the
    composer offers only approved ones, so the change shows at once, before the next sync."""
    MessageTemplate.objects.filter(inbox=inbox, name=name, language=language).update(
        status=status, synced_at=timezone.now()
    )


def forget_team(team_id: int) -> None:
    """A team is being deleted: the inboxes it worked no longer name it."""
    with transaction.atomic():
        for inbox in Inbox.objects.select_for_update().order_by("pk"):
            ids = inbox.settings.get("team_ids") or []
            if team_id in ids:
                inbox.settings = {**inbox.settings, "team_ids": [i for i in ids if i != team_id]}
                inbox.save(update_fields=["settings", "updated_at"])
