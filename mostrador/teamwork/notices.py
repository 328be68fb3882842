"""Notifications and mentions: the small in-app centre (assigned to you, transferred to you,
mentioned, a chat of yours turned pending) and the Menciones list. Written in the transaction of
the change they tell of, delivered live to that person's sockets after commit."""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils import timezone

from mostrador.accounts.models import Role, User
from mostrador.inbox import hooks, policy
from mostrador.inbox.models import EventKind, Note
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit

from .models import Mention, Notification, NotificationKind

NOTIFICATION_CREATED = "notification.created"
# A person's mentions or notices were read: every tab of theirs asks for its counters (Menciones,
# the bell), the one that read them and the others alike.
NOTICES_READ = "notices.read"


def notify(user_id: int, kind: str, conversation, *, actor=None, text: str = "", now=None) -> Notification:
    notice = Notification.objects.create(
        user_id=user_id, kind=kind, conversation=conversation, actor=actor, text=text[:200],
        created_at=now or timezone.now(),
    )
    publish_on_commit(
        events.make(
            NOTIFICATION_CREATED, user_id=user_id, notification_id=notice.pk,
            conversation_id=conversation.pk, kind=kind,
        )
    )
    return notice


def on_change(change: hooks.ConversationChanged) -> None:
    if change.kind == EventKind.ASSIGNED:
        _on_assigned(change)
    elif change.kind == EventKind.NOTE:
        _on_note(change)
    elif change.turned_pending:
        assignee = change.conversation.assignee_id
        if assignee is not None and assignee != getattr(change.actor.user, "pk", None):
            notify(assignee, NotificationKind.PENDING, change.conversation, now=change.now)


def _on_assigned(change: hooks.ConversationChanged) -> None:
    conv, data = change.conversation, change.data
    by = change.actor.user if change.actor.is_person else None
    to = (data.get("to") or {}).get("user_id")
    kind = NotificationKind.TRANSFERRED if data.get("transfer") else NotificationKind.ASSIGNED
    note = Note.objects.filter(pk=data["note_id"]).values_list("text", flat=True).first() if data.get("note_id") else ""
    if to is not None:
        receivers = [to]
    elif data.get("transfer") and (team := (data.get("to") or {}).get("team_id")):
        receivers = list(policy.inbox_people(conv.inbox).filter(teams=team).values_list("pk", flat=True))
    else:
        receivers = []
    for user_id in receivers:
        if by is None or user_id != by.pk:
            notify(user_id, kind, conv, actor=by, text=note or "", now=change.now)


# --- mentions -----------------------------------------------------------------------------------


def mentionable(conversation) -> list[User]:
    """Whom a note on this chat may @mention: the people who work its inbox, and supervisors."""
    people = policy.inbox_people(conversation.inbox)
    everyone = User.objects.filter(Q(pk__in=people.values("pk")) | Q(role__in=[Role.ADMIN, Role.SUPERVISOR]), is_active=True)
    return list(everyone.order_by("name", "pk"))


def mentioned_in(text: str, people: list[User]) -> list[User]:
    """Who `@Name` names: a full name, or a first name no one else among `people` shares;
    letters' case is ignored."""
    firsts: dict[str, list[User]] = {}
    for person in people:
        first = (person.name or "").split(" ")[0].casefold()
        if first:
            firsts.setdefault(first, []).append(person)
    found: dict[int, User] = {}
    lowered = text.casefold()
    for person in people:
        names = [(person.name or "").casefold()]
        first = names[0].split(" ")[0]
        if first and len(firsts.get(first, [])) == 1:
            names.append(first)
        names.append(person.email.split("@")[0].casefold())
        for name in filter(None, names):
            # The name must end there ("@ana." ends a sentence; "@ana.ventas" is someone else).
            if re.search(r"@" + re.escape(name) + r"(?!\w|\.\w)", lowered):
                found[person.pk] = person
                break
    return list(found.values())


def _on_note(change: hooks.ConversationChanged) -> None:
    note = Note.objects.filter(pk=change.data.get("note_id")).first()
    if note is None or "@" not in note.text:
        return
    conv = change.conversation
    by = change.actor.user
    for person in mentioned_in(note.text, mentionable(conv)):
        if by is not None and person.pk == by.pk:
            continue
        Mention.objects.create(user=person, conversation=conv, note=note, by=by, created_at=change.now)
        notify(person.pk, NotificationKind.MENTIONED, conv, actor=by, text=note.text, now=change.now)


def on_opened(opened: hooks.ConversationOpened) -> None:
    """Opening a chat reads what it was about: its mentions leave Menciones and its notices are
    read."""
    user, conv = opened.user, opened.conversation
    read = False
    # Looked for before being written: most looks find nothing, and on SQLite an UPDATE takes
    # the database's write lock even when it changes no row.
    mentions = Mention.objects.filter(user=user, conversation=conv, opened_at__isnull=True)
    if mentions.exists():
        read = bool(mentions.update(opened_at=opened.now))
    notices = Notification.objects.filter(user=user, conversation=conv, read_at__isnull=True)
    if notices.exists():
        read = bool(notices.update(read_at=opened.now)) or read
    if read:
        told_read(user.pk)


def told_read(user_id: int) -> None:
    publish_on_commit(events.make(NOTICES_READ, user_id=user_id))


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def open_mentions(user):
    return Mention.objects.filter(user=user, opened_at__isnull=True)
