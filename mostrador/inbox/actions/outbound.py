from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from mostrador.inbox.models import Conversation, DeliveryStatus, Message, MessageType
from mostrador.realtime import events
from mostrador.rules.attention import AuthorKind as RuleAuthor

from .actor import ActionRefused, Actor
from .record import apply_message, locked, publish_message_event


@dataclass(frozen=True)
class OutboundContent:
    text: str = ""
    template_name: str = ""
    template_language: str = ""
    template_params: list[str] = field(default_factory=list)

    @property
    def is_template(self) -> bool:
        return bool(self.template_name)


def send_message(conversation: Conversation, actor: Actor, content: OutboundContent) -> Message:
    """A person, an AI or an automation writes to the customer. Delivery happens in a job."""
    if actor.kind not in (RuleAuthor.AGENT, RuleAuthor.AI, RuleAuthor.SYSTEM):
        raise ActionRefused("Only the team, its AI agents and automations send messages.")
    if not content.is_template and not content.text.strip():
        raise ActionRefused("A message needs text.", code="empty_message")
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        message = Message.objects.create(
            conversation=conv,
            inbox_id=conv.inbox_id,
            direction="out",
            author_kind=actor.kind,
            author=actor.user if actor.kind != RuleAuthor.SYSTEM else None,
            bot_name=actor.bot_name,
            type=MessageType.TEMPLATE if content.is_template else MessageType.TEXT,
            text=content.text if not content.is_template else _template_preview(content),
            payload=(
                {
                    "template": {
                        "name": content.template_name,
                        "language": content.template_language,
                        "params": content.template_params,
                    }
                }
                if content.is_template
                else None
            ),
            status=DeliveryStatus.QUEUED,
            created_at=now,
        )
        apply_message(conv, message, actor, now, now)
        # Durable outbox: the delivery job commits with the message or not at all.
        from mostrador.inbox.jobs import deliver_message

        deliver_message.enqueue(message.pk)
    return message


def _template_preview(content: OutboundContent) -> str:
    params = ", ".join(content.template_params)
    return f"[{content.template_name}] {params}".strip()


# Statuses only move forward: a late "delivered" never downgrades "read".
_RANK = {
    DeliveryStatus.QUEUED: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.DELIVERED: 3,
    DeliveryStatus.READ: 4,
}


def record_delivery(
    message_id: int,
    status: str,
    *,
    external_id: str | None = None,
    error_code: str = "",
    error_message: str = "",
) -> Message:
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        current = message.status
        if status == DeliveryStatus.FAILED:
            apply = _RANK.get(current, 0) < _RANK[DeliveryStatus.DELIVERED]
        else:
            apply = current != DeliveryStatus.FAILED and _RANK[status] > _RANK.get(current, 0)
        changed = []
        if external_id and not message.external_id:
            message.external_id = external_id
            changed.append("external_id")
        if apply:
            message.status = status
            message.error_code = error_code
            message.error_message = error_message
            changed += ["status", "error_code", "error_message"]
        if changed:
            message.save(update_fields=changed)
            publish_message_event(message, events.MESSAGE_UPDATED, status=message.status)
    return message
