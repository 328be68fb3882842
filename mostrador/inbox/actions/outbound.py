from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.core.bulk import update_rows
from mostrador.inbox.models import (
    Conversation,
    DeliveryStatus,
    Message,
    MessageTemplate,
    MessageType,
    TemplateStatus,
)
from mostrador.inbox.template_text import fill_placeholders
from mostrador.realtime import events
from mostrador.rules import delivery, permissions
from mostrador.rules.attention import AuthorKind
from mostrador.rules.window import window_closes_at as closes_at

from .actor import ActionRefused, Actor
from .record import apply_messages, locked, publish_message_event


@dataclass(frozen=True)
class OutboundContent:
    text: str = ""
    template_name: str = ""
    template_language: str = ""
    template_params: list[str] = field(default_factory=list)
    # Buttons ({"buttons": [{"id", "title"}]}) or a list ({"button", "sections": [{"title", "rows"}]}).
    interactive: dict | None = None
    # A file to send: {"type": "image"|"video"|"audio"|"document"|"sticker", "path" (in storage) or
    # "link", "mime_type", "filename"}; `text` is its caption.
    media: dict | None = None
    reply_to_id: int | None = None

    @property
    def is_template(self) -> bool:
        return bool(self.template_name)

    @property
    def type(self) -> str:
        if self.is_template:
            return MessageType.TEMPLATE
        if self.interactive:
            return MessageType.INTERACTIVE
        if self.media:
            return self.media["type"]
        return MessageType.TEXT


def send_message(conversation: Conversation, actor: Actor, content: OutboundContent) -> Message:
    """A person, an AI or an automation writes to the customer. Delivery happens in a job."""
    if actor.author_kind is AuthorKind.CUSTOMER:
        raise ActionRefused(_("Only the team, its AI agents and automations send messages."))
    if not content.is_template and not content.media and not content.text.strip():
        raise ActionRefused(_("A message needs text."), code="empty_message")
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        inbox_ai = bool(conv.inbox.setting("ai_enabled"))
        if permissions.refuse_send(actor.author_kind, conv.attention, now, conv.inbox.ai_window, inbox_ai) == "not_ai_turn":
            raise ActionRefused(
                _(
                    "The AI does not hold this conversation's turn: a person answered, it handed off, or "
                    "its window ran out. It may speak again when the customer writes."
                ),
                code="not_ai_turn",
            )
        template = _check_window_and_template(conv, content, now)
        if content.interactive:
            _check_taps(conv, content.interactive)
        reply_to = None
        if content.reply_to_id is not None:
            reply_to = Message.objects.filter(pk=content.reply_to_id, conversation=conv).first()
            if reply_to is None:
                raise ActionRefused(_("The quoted message is not in this conversation."), code="invalid")
        message = Message.objects.create(
            conversation=conv,
            inbox_id=conv.inbox_id,
            direction="out",
            author_kind=actor.kind,
            author=actor.user if actor.author_kind is not AuthorKind.SYSTEM else None,
            bot_name=actor.bot_name,
            type=content.type,
            text=render_template(template, content) if content.is_template else content.text,
            media={k: v for k, v in content.media.items() if k != "type"} if content.media else None,
            payload=_payload(content),
            reply_to=reply_to,
            status=DeliveryStatus.QUEUED,
            created_at=now,
        )
        apply_messages(conv, [message], actor, now)
        # Durable outbox: the delivery job commits with the message or not at all.
        from mostrador.inbox.jobs import deliver_message

        deliver_message.enqueue(message.pk)
    return message


def window_closes_at(conv: Conversation) -> datetime | None:
    """When free text stops being allowed (None: the channel has no service window)."""
    from mostrador.connectors.base import connector_class

    window = connector_class(conv.inbox.channel).capabilities.service_window
    return closes_at(window, conv.customer_last_message_at, conv.created_at)


def _check_taps(conv: Conversation, spec: dict) -> None:
    """Buttons and lists within what the channel shows (channels without them get the payload
    to render as they can, e.g. numbered text)."""
    from mostrador.connectors.base import connector_class

    can = connector_class(conv.inbox.channel).capabilities
    if not can.interactive:
        return
    if spec.get("buttons"):
        if len(spec["buttons"]) > can.max_buttons:
            raise ActionRefused(_("A message holds at most %(limit)s buttons."), code="invalid", limit=can.max_buttons)
        if any(len(b["title"]) > can.button_title_max for b in spec["buttons"]):
            raise ActionRefused(_("A button's title is at most %(limit)s characters."), code="invalid", limit=can.button_title_max)
        return
    rows = [row for section in spec.get("sections") or [] for row in section.get("rows") or []]
    if len(rows) > can.max_list_rows:
        raise ActionRefused(_("A list holds at most %(limit)s rows in all."), code="invalid", limit=can.max_list_rows)
    titles = [r["title"] for r in rows] + [s.get("title", "") for s in spec.get("sections") or []]
    if any(len(title) > can.row_title_max for title in titles):
        raise ActionRefused(_("A row's title is at most %(limit)s characters."), code="invalid", limit=can.row_title_max)


def _check_window_and_template(conv: Conversation, content: OutboundContent, now) -> MessageTemplate | None:
    if not content.is_template:
        closes = window_closes_at(conv)
        if closes is not None and now >= closes:
            raise ActionRefused(
                _("The 24-hour window to answer with free text has closed; send an approved template."),
                code="window_closed",
            )
        return None
    templates = MessageTemplate.objects.filter(inbox_id=conv.inbox_id)
    if not templates.exists():
        return None  # never synced: the provider itself will judge the template
    template = templates.filter(
        name=content.template_name, language=content.template_language, status=TemplateStatus.APPROVED
    ).first()
    if template is None:
        raise ActionRefused(
            _("No approved template “%(name)s” in “%(language)s”."),
            code="invalid",
            name=content.template_name,
            language=content.template_language,
        )
    if len(content.template_params) != template.param_count:
        raise ActionRefused(
            _("Template “%(name)s” takes %(count)s parameters."), code="invalid", name=template.name, count=template.param_count
        )
    return template


def render_template(template: MessageTemplate | None, content: OutboundContent) -> str:
    """The text the customer will read, so the timeline shows it rather than a template name."""
    if template is None or not template.body:
        params = ", ".join(content.template_params)
        return f"[{content.template_name}] {params}".strip()
    return fill_placeholders(template.body, content.template_params)


def _payload(content: OutboundContent) -> dict | None:
    if content.is_template:
        return {
            "template": {
                "name": content.template_name,
                "language": content.template_language,
                "params": content.template_params,
            }
        }
    if content.interactive:
        return {"interactive": content.interactive}
    return None


@dataclass(frozen=True)
class DeliveryUpdate:
    message_id: int
    status: str
    external_id: str | None = None
    error_code: str = ""
    error_message: str = ""
    # The customer played this voice note (a status beyond read, on channels that tell).
    played_at: datetime | None = None


def record_delivery(
    message_id: int,
    status: str,
    *,
    external_id: str | None = None,
    error_code: str = "",
    error_message: str = "",
) -> Message:
    return record_deliveries([DeliveryUpdate(message_id, status, external_id, error_code, error_message)])[0]


def record_deliveries(updates: list[DeliveryUpdate]) -> list[Message]:
    """Apply delivery statuses, in order, to our messages; one message per update, returned."""
    with transaction.atomic():
        locked_rows = Message.objects.select_for_update().filter(pk__in={u.message_id for u in updates}).order_by("pk")
        messages = {m.pk: m for m in locked_rows}
        changed: dict[int, Message] = {}
        for update in updates:
            message = messages[update.message_id]
            if _apply_delivery(message, update):
                changed[message.pk] = message
        if changed:
            update_rows(
                list(changed.values()),
                ["external_id", "status", "error_code", "error_message", "played_at", "send_attempted_at"],
            )
            for message in changed.values():
                publish_message_event(message, events.MESSAGE_UPDATED, status=message.status)
    return [messages[u.message_id] for u in updates]


def _apply_delivery(message: Message, update: DeliveryUpdate) -> bool:
    changed = False
    # Only our own send carries the provider's id: it is the message's id from now on, also when
    # a person retried a message that had one from an earlier, failed attempt.
    if update.external_id and update.external_id != message.external_id:
        message.external_id = update.external_id
        changed = True
    if message.send_attempted_at is not None and (update.external_id or update.status != DeliveryStatus.QUEUED):
        message.send_attempted_at = None  # the provider's word is in: the outcome is known
        changed = True
    if delivery.climbs(message.status, update.status):
        message.status = update.status
        message.error_code = update.error_code
        message.error_message = update.error_message
        changed = True
    if update.played_at and not message.played_at:
        message.played_at = update.played_at
        changed = True
    return changed
