"""Assignment, notes, tags, priority and fields: team bookkeeping that never changes attention."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.accounts.models import Team, User
from mostrador.inbox import policy
from mostrador.inbox.models import Conversation, EventKind, Note, Tag
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit

from .actor import ActionConflict, ActionInvalid, ActionRefused, Actor
from .record import announce_bookkeeping, locked, publish_conversation_changed, record_event


def assign(conversation, actor: Actor, *, user: User | None = None, team: Team | None = None, extra: dict | None = None):
    """Give the chat to a person and/or a team (None: nobody). Whoever subscribes may refuse it
    (an agent who is full)."""
    if user is not None and not policy.works_inbox(user, conversation.inbox):
        raise ActionRefused(_("%(user)s is not a member of this inbox."), code="not_inbox_member", user=str(user))
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        data = {
            "from": {"user_id": conv.assignee_id, "team_id": conv.team_id},
            "to": {"user_id": user.pk if user else None, "team_id": team.pk if team else None},
        }
        if data["from"] == data["to"]:
            return conv
        conv.assignee = user
        conv.team = team
        _save_bookkeeping(conv, ["assignee", "team"], EventKind.ASSIGNED, actor, now, {**data, **(extra or {})})
    return conv


MAX_NOTE = 4000


def transfer(conversation, actor: Actor, *, user: User | None = None, team: Team | None = None, note: str = ""):
    """Derivar: pass the chat to a colleague or a department, with a note the next person reads.
    The note is an internal note; the move is an assignment event marked as a transfer (a
    re-route for the case). A team without a person leaves the choice to the inbox's assignment."""
    if user is None and team is None:
        raise ActionInvalid(_("Choose a person or a team to transfer to."), code="invalid")
    if not actor.is_person:
        raise ActionRefused(_("Only a person transfers a chat; an AI agent hands it off."), code="person_only")
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ActionInvalid(_("A note is at most %(limit)s characters."), code="invalid", limit=MAX_NOTE)
    with transaction.atomic():
        conv = locked(conversation.pk)
        if user is not None and team is None:
            team = conv.team if conv.team is not None and user.teams.filter(pk=conv.team_id).exists() else None
        if conv.assignee_id == (user.pk if user else None) and conv.team_id == (team.pk if team else None):
            raise ActionConflict(_("The chat is already theirs."), code="already_assigned")
        extra = {"transfer": True}
        if note:
            extra["note_id"] = add_note(conv, actor, note).pk
        return assign(conv, actor, user=user, team=team, extra=extra)


def add_note(conversation, actor: Actor, text: str) -> Note:
    text = text.strip()
    if not text:
        raise ActionRefused(_("A note needs text."), code="empty_note")
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        note = Note.objects.create(conversation=conv, author=actor.user, text=text, created_at=now)
        record_event(conv, EventKind.NOTE, actor, now, data={"note_id": note.pk})
        publish_on_commit(
            events.make(events.NOTE_CREATED, conversation_id=conv.pk, inbox_id=conv.inbox_id, note_id=note.pk)
        )
        announce_bookkeeping(conv, EventKind.NOTE, actor, now, {"note_id": note.pk})
    return note


MAX_TAG = 60


def set_tags(conversation, actor: Actor, names: list[str]):
    wanted = sorted({n.strip() for n in names if n.strip()})
    if any(len(name) > MAX_TAG for name in wanted):
        raise ActionInvalid(_("A tag is at most %(limit)s characters."), code="invalid", limit=MAX_TAG)
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        before = sorted(conv.tags.values_list("name", flat=True))
        if before == wanted:
            return conv
        conv.tags.set([Tag.objects.get_or_create(name=name)[0] for name in wanted])
        conv.tag_names = wanted
        _save_bookkeeping(conv, ["tag_names"], EventKind.TAGGED, actor, now, {"from": before, "to": wanted})
    return conv


def add_tag(conversation, actor: Actor, name: str):
    return set_tags(conversation, actor, [*conversation.tags.values_list("name", flat=True), name])


def set_priority(conversation, actor: Actor, priority: int, reason: str = ""):
    """`reason`: why a rule raised it, shown on the chat's row (a person's choice needs none)."""
    now = timezone.now()
    reason = reason.strip()[:60]
    with transaction.atomic():
        conv = locked(conversation.pk)
        if conv.priority == priority and conv.priority_reason == reason:
            return conv
        data = {"from": conv.priority, "to": priority, **({"reason": reason} if reason else {})}
        conv.priority, conv.priority_reason = priority, reason
        _save_bookkeeping(conv, ["priority", "priority_reason"], EventKind.PRIORITY, actor, now, data)
    return conv


MAX_FIELD_LENGTH = 500


def set_field(conversation: Conversation, actor: Actor, name: str, value: str) -> Conversation:
    name, value = name.strip(), str(value).strip()
    if not name or len(name) > 40:
        raise ActionRefused(_("A field needs a name of at most 40 characters."), code="invalid")
    if len(value) > MAX_FIELD_LENGTH:
        raise ActionRefused(_("A field's value is at most %(limit)s characters."), code="invalid", limit=MAX_FIELD_LENGTH)
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        before = conv.fields.get(name)
        if before == value:
            return conv
        conv.fields = {**conv.fields, name: value}
        _save_bookkeeping(conv, ["fields"], EventKind.FIELD_SET, actor, now, {"name": name, "from": before, "to": value})
    return conv


def remember_bot_state(conversation: Conversation, state: dict) -> None:
    """Where a bot is in its flow. Internal to the bot: no event, no realtime. Runs inside the
    caller's transaction when there is one (a hook subscriber's), so it rolls back with it."""
    Conversation.objects.filter(pk=conversation.pk).update(bot_state=state)
    conversation.bot_state = state


def _save_bookkeeping(conv, fields: list[str], kind: str, actor: Actor, now, data: dict) -> None:
    """Save a change that leaves attention alone: one UPDATE, one event row, one realtime event."""
    conv.updated_at = now
    conv.save(update_fields=[*fields, "updated_at"])
    state = conv.state(now).value
    record_event(conv, kind, actor, now, state, state, data)
    publish_conversation_changed(conv, state, kind)
    announce_bookkeeping(conv, kind, actor, now, data)
