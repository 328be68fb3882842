from __future__ import annotations

from django.db import transaction
from ninja import Router

from mostrador.accounts.models import User
from mostrador.inbox import policy
from mostrador.inbox.actions import InboundMessage, receive_customer_message
from mostrador.inbox.actions.inboxes import create_inbox, issue_integration_token, update_inbox
from mostrador.inbox.queries import visible_inboxes
from mostrador.inbox.serializers import conversation_dict, inbox_dict, message_dict

from .auth import INBOUND_URL_NAME
from .errors import ApiError, not_found
from .out import ERRORS, InboundOut, InboxOut, IntegrationTokenOut, MemberOut, Page, QueuedOut, TemplateOut
from .schemas import Id, InboundIn, InboxCreate, InboxPatch, IntegrationTokenIn

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


@router.post(
    "/{inbox_id}/messages", response={200: InboundOut, 201: InboundOut, **ERRORS}, url_name=INBOUND_URL_NAME
)
def inbound(request, inbox_id: int, body: InboundIn):
    """An outside system delivers a customer message to an `api` inbox. Idempotent by external_id.

    Only the inbox's integration tokens (`POST /inboxes/{id}/tokens`) and admins may: a seller's
    token writes as the team, never as a customer."""
    inbox = visible_inbox(request, inbox_id)
    if inbox.channel != "api":
        raise ApiError(409, "Only api inboxes take messages through this endpoint.", "wrong_channel")
    if request.auth.inbox_id != inbox.pk and not policy.may_configure(request.user):
        raise ApiError(
            403, "Customer messages are delivered with this inbox's integration token.", "integration_token_required"
        )
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


def token_dict(token, raw: str | None = None) -> dict:
    return {
        "id": token.pk,
        "label": token.label,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "token": raw,
    }


@router.get("/{inbox_id}/tokens", response={200: Page[IntegrationTokenOut], **ERRORS})
def list_tokens(request, inbox_id: int):
    """The inbox's integration tokens (never the tokens themselves: only their first characters)."""
    inbox = visible_inbox(request, inbox_id)
    _require_admin(request)
    tokens = inbox.integration_tokens.order_by("pk")
    return {"items": [token_dict(t) for t in tokens], "next_cursor": None}


@router.post("/{inbox_id}/tokens", response={201: IntegrationTokenOut, **ERRORS})
def create_token(request, inbox_id: int, body: IntegrationTokenIn):
    """A new integration token for an `api` inbox, shown this once in `token`."""
    inbox = visible_inbox(request, inbox_id)
    _require_admin(request)
    if inbox.channel != "api":
        raise ApiError(409, "Only api inboxes have integration tokens.", "wrong_channel")
    token, raw = issue_integration_token(inbox, request.user, body.label)
    return 201, token_dict(token, raw)


@router.delete("/{inbox_id}/tokens/{token_id}", response={204: None, **ERRORS})
def revoke_token(request, inbox_id: int, token_id: Id):
    inbox = visible_inbox(request, inbox_id)
    _require_admin(request)
    deleted, _ = inbox.integration_tokens.filter(pk=token_id).delete()
    if not deleted:
        raise not_found("Token not found")
    return 204, None


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
