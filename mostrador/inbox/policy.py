"""Who may see and do what (DESIGN.md section 4), in one place. Every list, count, search, API
path, realtime subscription, media file, report and export asks here.

- Admins configure everything; supervisors see every inbox and every report and may transfer
  anything, past an agent's capacity too.
- An agent sees the inboxes they are a member of and those their teams work (the inbox's
  `team_ids`). Within each, by the inbox's `visibility`: every chat (`all`), or only their own
  chats and the unassigned ones (`own_and_unassigned`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from mostrador.accounts.models import Role, Team, User
from mostrador.inbox.models import Contact, Conversation, Inbox

OWN_AND_UNASSIGNED = "own_and_unassigned"


@dataclass(frozen=True)
class Scope:
    """What one person sees: everything, or these inboxes whole and those only in part."""

    user_id: int
    everything: bool
    whole: frozenset[int] = frozenset()
    own_only: frozenset[int] = frozenset()

    @property
    def inbox_ids(self) -> frozenset[int]:
        return self.whole | self.own_only

    def sees_inbox(self, inbox_id: int) -> bool:
        return self.everything or inbox_id in self.whole or inbox_id in self.own_only

    def sees(self, inbox_id: int, assignee_id: int | None) -> bool:
        if self.everything or inbox_id in self.whole:
            return True
        return inbox_id in self.own_only and assignee_id in (None, self.user_id)

    def conversations(self, through: str = "", inbox: str = "", person: object = None) -> Q:
        """The conversations in scope, as an indexed predicate; `through` names the relation
        from another model ("conversation__" for messages), so no list of chats is built.
        `inbox` names the other model's own copy of its chat's inbox (a quote's `inbox_id`):
        its index answers for the inboxes seen whole, and the chat is joined only where its
        assignee matters. `person`: whose own chats count, as an expression (an OuterRef to
        each of many people who see these inboxes alike), instead of this person's."""
        if self.everything:
            return Q()
        inbox = inbox or f"{through}inbox_id"
        whole = Q(**{f"{inbox}__in": sorted(self.whole)})
        if not self.own_only:
            return whole
        mine = Q(**{f"{through}assignee_id": self.user_id if person is None else person}) | Q(**{f"{through}assignee__isnull": True})
        return whole | (Q(**{f"{inbox}__in": sorted(self.own_only)}) & mine)

    def unheld(self) -> Q:
        """What of `conversations` everyone who sees these inboxes the same way sees too: all of
        it but the chats held in the inboxes seen only in part, which are each holder's own."""
        if self.everything:
            return Q()
        return Q(inbox_id__in=sorted(self.whole)) | Q(inbox_id__in=sorted(self.own_only), assignee__isnull=True)


def sees_everything(user) -> bool:
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def scope_of(user) -> Scope:
    remembered = getattr(user, "remembered_scope", None)
    if remembered is not None:
        return remembered
    if sees_everything(user):
        return Scope(user.pk, everything=True)
    member = Exists(Inbox.members.through.objects.filter(inbox_id=OuterRef("pk"), user_id=user.pk))
    # Inboxes are few (one per number or bot); reading their settings beats a JSON join. Every
    # list and every socket asks this, so membership comes with them, not in a query of its own,
    # and the person's teams are read only where some inbox is worked by teams.
    rows = list(Inbox.objects.values_list("pk", "settings", member))
    inboxes = [(pk, settings) for pk, settings, _ in rows]
    team_ids = set(Team.objects.filter(members=user).values_list("pk", flat=True)) if _teams_work_any(inboxes) else set()
    return _scope(user.pk, inboxes, {pk for pk, _, is_member in rows if is_member}, team_ids)


def _teams_work_any(inboxes: list[tuple[int, dict]]) -> bool:
    return any(settings.get("team_ids") for _, settings in inboxes)


def remember_scope(user) -> None:
    """Work the person's scope out once for the rest of this object's life, for a caller that
    reads several lists and counts for them and changes no access meanwhile (a live frame's rows).
    Requests do not: an action in one may change what its person sees."""
    user.remembered_scope = scope_of(user)


def remember_scopes(users) -> None:
    """`remember_scope` for many people at once, in three queries however many they are (a live
    frame renders rows for everyone whose tab is open)."""
    agents = []
    for user in users:
        if sees_everything(user):
            user.remembered_scope = Scope(user.pk, everything=True)
        else:
            agents.append(user)
    if not agents:
        return
    ids = [user.pk for user in agents]
    teams: dict[int, set[int]] = {pk: set() for pk in ids}
    for user_id, team_id in Team.members.through.objects.filter(user_id__in=ids).values_list("user_id", "team_id"):
        teams[user_id].add(team_id)
    member: dict[int, set[int]] = {pk: set() for pk in ids}
    for user_id, inbox_id in Inbox.members.through.objects.filter(user_id__in=ids).values_list("user_id", "inbox_id"):
        member[user_id].add(inbox_id)
    inboxes = list(Inbox.objects.values_list("pk", "settings"))
    for user in agents:
        user.remembered_scope = _scope(user.pk, inboxes, member[user.pk], teams[user.pk])


def _scope(user_id: int, inboxes: list[tuple[int, dict]], member_of: set[int], team_ids: set[int]) -> Scope:
    """An agent's scope: the inboxes they work (as a member, or through a team), whole or, by the
    inbox's visibility, only their own chats and the unassigned ones."""
    whole, own_only = set(), set()
    for inbox_id, settings in inboxes:
        if inbox_id in member_of or team_ids.intersection(settings.get("team_ids") or ()):
            (own_only if settings.get("visibility") == OWN_AND_UNASSIGNED else whole).add(inbox_id)
    return Scope(user_id, everything=False, whole=frozenset(whole), own_only=frozenset(own_only))


def visible_inboxes(user) -> QuerySet[Inbox]:
    if sees_everything(user):
        return Inbox.objects.all()
    return Inbox.objects.filter(pk__in=sorted(scope_of(user).inbox_ids))


def visible_conversations(user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(scope_of(user).conversations())


def visible_contacts(user, among: QuerySet[Conversation] | None = None) -> QuerySet[Contact]:
    """The contacts a person may see: those with a chat they see (admins and supervisors: all).
    `among` narrows the chats that count (one inbox's)."""
    if among is None and sees_everything(user):
        return Contact.objects.all()
    chats = among if among is not None else visible_conversations(user)
    return Contact.objects.filter(Exists(chats.filter(contact_id=OuterRef("pk"))))


def may_see(user, conversation: Conversation) -> bool:
    return scope_of(user).sees(conversation.inbox_id, conversation.assignee_id)


def inbox_people(inbox: Inbox) -> QuerySet[User]:
    """The active people who work an inbox: its members and its teams' members. They are the
    candidates for its chats, and whom a note's @ offers."""
    teams = inbox.setting("team_ids") or []
    return User.objects.filter(Q(inboxes=inbox) | Q(teams__in=teams), is_active=True).distinct()


def works_inbox(user, inbox: Inbox) -> bool:
    """Whether a chat of this inbox may be given to this person."""
    return sees_everything(user) or inbox_people(inbox).filter(pk=user.pk).exists()


def access_changed() -> None:
    """Memberships, teams, roles or an inbox's visibility changed: once committed, every open
    socket works out again what its person may hear of."""
    from mostrador.realtime import events
    from mostrador.realtime.publish import publish_on_commit

    publish_on_commit(events.make(events.ACCESS_CHANGED))


ACCESS_SETTINGS = frozenset({"visibility", "team_ids"})


def watch_access() -> None:
    """Who works which inbox is kept in two many-to-many tables (inbox members, team members),
    written from the API, the admin pages and the demo alike; a change to either, wherever it
    comes from, is an access change. Roles and an inbox's visibility and teams are announced by
    the code that saves them."""
    from django.db.models.signals import m2m_changed

    def on_members(sender, action, **kwargs):
        if action in ("post_add", "post_remove", "post_clear"):
            access_changed()

    for through in (Inbox.members.through, Team.members.through):
        m2m_changed.connect(on_members, sender=through, weak=False, dispatch_uid=f"access-{through.__name__}")


def may_configure(user) -> bool:
    """Inboxes, teams, people and their roles."""
    return user.role == Role.ADMIN


def may_override_capacity(user) -> bool:
    return user is not None and sees_everything(user)


def sees_reports(user) -> bool:
    return sees_everything(user)
