from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.accounts.models import Team, User
from mostrador.inbox import actions, hooks
from mostrador.inbox.models import Conversation
from mostrador.inbox.queries import (
    STATES,
    ListFilters,
    conversation_list,
    decode_cursor,
    encode_cursor,
    visible_conversations,
    visible_inboxes,
)
from mostrador.inbox.serializers import conversation_dict, message_dict, note_dict

from .auth import actor_of
from .errors import ApiError, not_found
from .out import ERRORS, ConversationOut, MessageOut, NoteOut, Page
from .schemas import AiIn, AssignIn, HandoffIn, Id, MessageIn, NoteIn, PriorityIn, ResolveIn, StartIn, TagsIn, TransferIn

router = Router(tags=["conversations"])


class ListParams(Schema):
    state: str = "pending"
    inbox_id: Id | None = None
    assignee_id: Id | None = None
    team_id: Id | None = None
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


class PageParams(Schema):
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = None


def visible(request, conversation_id: int) -> Conversation:
    """Another inbox's conversation is indistinguishable from one that does not exist."""
    conv = visible_conversations(request.user).select_related("inbox", "contact").filter(pk=conversation_id).first()
    if conv is None:
        raise not_found("Conversation not found")
    return conv


def _fresh(conv: Conversation) -> dict:
    conv = Conversation.objects.select_related("inbox", "contact", "last_message").get(pk=conv.pk)
    return conversation_dict(conv)


@router.get("", response={200: Page[ConversationOut], **ERRORS})
def list_conversations(request, params: Query[ListParams]):
    if params.state not in STATES:
        raise ApiError(422, f"state must be one of {', '.join(STATES)}", "invalid")
    now = timezone.now()
    rows, next_cursor = conversation_list(
        request.user,
        ListFilters(state=params.state, inbox_id=params.inbox_id, assignee_id=params.assignee_id, team_id=params.team_id),
        limit=params.limit,
        cursor=params.cursor,
        now=now,
        whole=True,
    )
    return {"items": [conversation_dict(c, now) for c in rows], "next_cursor": next_cursor}


@router.post("", response={201: ConversationOut, **ERRORS})
def start(request, body: StartIn):
    """Start (or continue) the conversation with a phone number and send it its first message.
    On WhatsApp, with no message from the customer in the last 24 hours, only a template goes
    (409 window_closed otherwise), and a refused first message leaves nothing behind."""
    inbox = visible_inboxes(request.user).filter(pk=body.inbox_id).first()
    if inbox is None:
        raise not_found("Inbox not found")
    if body.text is not None and body.template:
        raise ApiError(422, "Send text or a template, not both.", "invalid")
    first = None
    if body.template:
        first = actions.OutboundContent(
            template_name=body.template.name, template_language=body.template.language, template_params=body.template.params
        )
    elif body.text is not None:
        first = actions.OutboundContent(text=body.text)
    conv = actions.start_conversation(inbox, actor_of(request), body.contact.phone, body.contact.name, first)
    return 201, _fresh(conv)


@router.get("/{conversation_id}", response={200: ConversationOut, **ERRORS})
def read(request, conversation_id: int):
    return _fresh(visible(request, conversation_id))


@router.get("/{conversation_id}/messages", response={200: Page[MessageOut], **ERRORS})
def messages(request, conversation_id: int, params: Query[PageParams]):
    conv = visible(request, conversation_id)
    qs = conv.messages.order_by("created_at", "id")
    if params.cursor:
        created_at, pk = decode_cursor(params.cursor, 2, ["created_at", "id"])
        qs = qs.filter(created_at__gt=created_at) | qs.filter(created_at=created_at, id__gt=pk)
    rows = list(qs[: params.limit + 1])
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = encode_cursor([rows[-1].created_at, rows[-1].pk])
    return {"items": [message_dict(m) for m in rows], "next_cursor": next_cursor}


@router.post("/{conversation_id}/messages", response={201: MessageOut, **ERRORS})
def send(request, conversation_id: int, body: MessageIn):
    conv = visible(request, conversation_id)
    if body.canned is not None:
        if body.text is not None or body.template or body.interactive or body.media:
            raise ApiError(422, "A canned response is sent on its own, without text, a template, media or buttons.", "invalid")
        texts = hooks.canned_texts.collect(conv, request.user, body.canned)
        if not texts:
            raise ApiError(404, "You have no canned response with that shortcode for this conversation.", "not_found")
        content = actions.OutboundContent(text=texts[0], reply_to_id=body.reply_to_id)
    elif body.template:
        if body.text is not None or body.interactive or body.media:
            raise ApiError(422, "A template is sent on its own, without text, media or buttons.", "invalid")
        content = actions.OutboundContent(
            template_name=body.template.name,
            template_language=body.template.language,
            template_params=body.template.params,
        )
    elif body.interactive:
        spec = body.interactive.dict(exclude_none=True)
        if not body.text:
            raise ApiError(422, "Interactive messages need text for their body.", "invalid")
        content = actions.OutboundContent(text=body.text, interactive=spec, reply_to_id=body.reply_to_id)
    elif body.media:
        content = actions.OutboundContent(
            text=body.text or "", media=body.media.dict(), reply_to_id=body.reply_to_id
        )
    elif body.text is not None:
        content = actions.OutboundContent(text=body.text, reply_to_id=body.reply_to_id)
    else:
        raise ApiError(422, "Send text, a template, media or an interactive message.", "invalid")
    message = actions.send_message(conv, actor_of(request), content)
    return 201, message_dict(message)


@router.post("/{conversation_id}/messages/{message_id}/retry", response={200: MessageOut, **ERRORS})
def retry(request, conversation_id: int, message_id: int):
    conv = visible(request, conversation_id)
    message = conv.messages.filter(pk=message_id).first()
    if message is None:
        raise not_found("No such message in this conversation.")
    return message_dict(actions.retry_message(message, actor_of(request)))


@router.post("/{conversation_id}/resolve", response={200: ConversationOut, **ERRORS})
def resolve(request, conversation_id: int, body: ResolveIn | None = None):
    reason = body.reason if body else ""
    return _fresh(actions.resolve(visible(request, conversation_id), actor_of(request), reason=reason))


@router.post("/{conversation_id}/seen", response={200: ConversationOut, **ERRORS})
def seen(request, conversation_id: int):
    """The token's person opened the conversation (what the web UI does on open)."""
    conv = visible(request, conversation_id)
    actions.mark_seen(conv, actor_of(request))
    return _fresh(conv)


@router.post("/{conversation_id}/reopen", response={200: ConversationOut, **ERRORS})
def reopen(request, conversation_id: int):
    return _fresh(actions.reopen(visible(request, conversation_id), actor_of(request)))


@router.post("/{conversation_id}/handoff", response={200: ConversationOut, **ERRORS})
def handoff(request, conversation_id: int, body: HandoffIn):
    return _fresh(actions.handoff(visible(request, conversation_id), actor_of(request), body.reason))


@router.post("/{conversation_id}/ai", response={200: ConversationOut, **ERRORS})
def ai(request, conversation_id: int, body: AiIn):
    return _fresh(actions.set_ai(visible(request, conversation_id), actor_of(request), body.enabled))


@router.post("/{conversation_id}/assign", response={200: ConversationOut, **ERRORS})
def assign(request, conversation_id: int, body: AssignIn):
    conv = visible(request, conversation_id)
    user, team = _assignee(body.user_id, body.team_id)
    return _fresh(actions.assign(conv, actor_of(request), user=user, team=team))


def _assignee(user_id: int | None, team_id: int | None) -> tuple[User | None, Team | None]:
    user = team = None
    if user_id is not None:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise ApiError(422, "user_id names no active user.", "invalid")
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ApiError(422, "team_id names no team.", "invalid")
    return user, team


@router.post("/{conversation_id}/transfer", response={200: ConversationOut, **ERRORS})
def transfer(request, conversation_id: int, body: TransferIn):
    """Derivar: pass the chat to a person or a team with a note (kept as an internal note). An
    agent cannot pass it to someone who is full; a supervisor can."""
    conv = visible(request, conversation_id)
    if body.user_id is None and body.team_id is None:
        raise ApiError(422, "Give user_id or team_id.", "invalid")
    user, team = _assignee(body.user_id, body.team_id)
    return _fresh(actions.transfer(conv, actor_of(request), user=user, team=team, note=body.note or ""))


@router.get("/{conversation_id}/notes", response={200: Page[NoteOut], **ERRORS})
def notes(request, conversation_id: int):
    conv = visible(request, conversation_id)
    return {"items": [note_dict(n) for n in conv.notes.order_by("created_at", "id")], "next_cursor": None}


@router.post("/{conversation_id}/notes", response={201: NoteOut, **ERRORS})
def add_note(request, conversation_id: int, body: NoteIn):
    note = actions.add_note(visible(request, conversation_id), actor_of(request), body.text)
    return 201, note_dict(note)


@router.post("/{conversation_id}/tags", response={200: ConversationOut, **ERRORS})
def tags(request, conversation_id: int, body: TagsIn):
    return _fresh(actions.set_tags(visible(request, conversation_id), actor_of(request), body.tags))


@router.post("/{conversation_id}/priority", response={200: ConversationOut, **ERRORS})
def priority(request, conversation_id: int, body: PriorityIn):
    return _fresh(actions.set_priority(visible(request, conversation_id), actor_of(request), body.priority))

