from __future__ import annotations

from django.db import transaction
from ninja import Router

from mostrador.accounts.models import User
from mostrador.inbox import policy
from mostrador.inbox.actions import InboundMessage, receive_customer_message
from mostrador.inbox.actions.inboxes import create_inbox, update_inbox
from mostrador.inbox.queries import visible_inboxes
from mostrador.inbox.serializers import conversation_dict, inbox_dict, message_dict

from .errors import ApiError, not_found
from .out import ERRORS, InboundOut, InboxOut, MemberOut, Page, QueuedOut, TemplateOut
from .schemas import InboundIn, InboxCreate, InboxPatch

router = Router(tags=["inboxes"])


def _require_admin(request) -> None:
    if not policy.may_configure(request.user):
        raise ApiError(403, "Only admins manage inboxes.", "forbidden")


def _members(ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=ids))
    if len(users) != len(set(ids)):
        raise ApiError(422, "member_ids names a user that does not exist.", "invalid")
    return users


def visible_inbox(request, inbox_id: int):
    inbox = visible_inboxes(request.user).filter(pk=inbox_id).first()
    if inbox is None:
        raise not_found("Inbox not found")
    return inbox


@router.get("", response={200: Page[InboxOut], **ERRORS})
def list_inboxes(request):
    return {"items": [inbox_dict(i) for i in visible_inboxes(request.user).prefetch_related("members").order_by("pk")], "next_cursor": None}


@router.post("", response={201: InboxOut, **ERRORS})
def create(request, body: InboxCreate):
    _require_admin(request)
    with transaction.atomic():
        inbox = create_inbox(body.name, body.channel, body.settings)
        inbox.members.set(_members(body.member_ids))
    return 201, inbox_dict(inbox)


@router.get("/{inbox_id}", response={200: InboxOut, **ERRORS})
def read(request, inbox_id: int):
    return inbox_dict(visible_inbox(request, inbox_id))


@router.patch("/{inbox_id}", response={200: InboxOut, **ERRORS})
def patch(request, inbox_id: int, body: InboxPatch):
    inbox = visible_inbox(request, inbox_id)
    _require_admin(request)
    with transaction.atomic():
        inbox = update_inbox(inbox, name=body.name, raw_settings=body.settings)
        if body.member_ids is not None:
            inbox.members.set(_members(body.member_ids))
    return inbox_dict(inbox)


@router.get("/{inbox_id}/members", response={200: Page[MemberOut], **ERRORS})
def members(request, inbox_id: int):
    """The people who work the inbox: its members and its teams' members."""
    inbox = visible_inbox(request, inbox_id)
    people = policy.inbox_people(inbox).order_by("name", "pk")
    return {
        "items": [
            {"id": u.pk, "name": u.name, "email": u.email, "role": u.role, "availability": u.availability}
            for u in people
        ],
        "next_cursor": None,
    }


@router.post("/{inbox_id}/messages", response={200: InboundOut, 201: InboundOut, **ERRORS})
def inbound(request, inbox_id: int, body: InboundIn):
    """An outside system delivers a customer message to an `api` inbox. Idempotent by external_id."""
    inbox = visible_inbox(request, inbox_id)
    if inbox.channel != "api":
        raise ApiError(409, "Only api inboxes take messages through this endpoint.", "wrong_channel")
    message, created = receive_customer_message(
        inbox,
        InboundMessage(
            contact_external_id=body.contact.external_id,
            contact_name=body.contact.name,
            contact_phone=body.contact.phone or "",
            contact_language=body.contact.language,
            text=body.text,
            external_id=body.external_id,
            sent_at=body.sent_at,
        ),
    )
    conv = message.conversation
    return (201 if created else 200), {**message_dict(message), "conversation": conversation_dict(conv)}


def template_dict(t) -> dict:
    return {
        "name": t.name,
        "language": t.language,
        "status": t.status,
        "category": t.category,
        "body": t.body,
        "param_count": t.param_count,
        "components": t.components,
        "synced_at": t.synced_at.isoformat(),
    }


@router.get("/{inbox_id}/templates", response={200: Page[TemplateOut], **ERRORS})
def list_templates(request, inbox_id: int):
    inbox = visible_inbox(request, inbox_id)
    return {"items": [template_dict(t) for t in inbox.templates.all()], "next_cursor": None}


@router.post("/{inbox_id}/templates/sync", response={202: QueuedOut, **ERRORS})
def sync_templates(request, inbox_id: int):
    """Fetch the inbox's templates from the provider now (they also sync every few hours)."""
    from mostrador.inbox.jobs import sync_templates as job

    inbox = visible_inbox(request, inbox_id)
    job.enqueue(inbox.pk)
    return 202, {"detail": "Template sync queued.", "inbox_id": inbox.pk}
