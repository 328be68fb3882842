"""Who answers: automatic assignment, capacity and the FIFO queue, as a subscriber of the domain
hooks (DESIGN.md section 4). The inbox core never calls this; it announces changes and this
module answers them inside the same transaction.

- A chat that turns pending with nobody on it goes to the agent `rules.assignment.choose` names,
  or, when nobody online has room, waits in the inbox's queue (`queued_since`).
- A returning customer (a resolved chat that starts a new wait) goes back to their last agent when
  that agent is online and has room; otherwise to someone else, or to the queue.
- Room that frees up (a chat resolved or moved away, someone coming online, capacity raised)
  drains the queue oldest first, in a durable job: one transaction per chat, under the inbox's
  row lock, so two workers never take the queue out of order.
- Nothing jumps the queue: while chats wait in it, a new one joins the end.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.accounts.models import User
from mostrador.inbox import actions, hooks, policy
from mostrador.inbox.actions.record import publish_conversation_changed, record_events
from mostrador.inbox.models import Conversation, EventKind, Inbox
from mostrador.rules import assignment as rule
from mostrador.rules.attention import State

from . import loads
from .models import AgentLoad

QUEUED = "queued"
DEQUEUED = "dequeued"


def policy_of(inbox: Inbox) -> rule.Policy:
    return rule.Policy(inbox.setting("assignment") or rule.Policy.MANUAL)


# --- the subscriber ---------------------------------------------------------------------------


def on_change(change: hooks.ConversationChanged) -> None:
    on_changes([change])


def on_changes(changes: list[hooks.ConversationChanged]) -> None:
    """Counters first (all people of the batch locked in id order), then the decisions. A batch
    of several chats that need someone queues them and lets the drain job hand them out, one
    transaction each, so two batches never lock people in opposite orders."""
    per_inbox: dict[int, Counter] = {}
    assigned_to: dict[int, tuple[int, datetime]] = {}
    for change in changes:
        deltas = loads.deltas_of(change)
        if deltas:
            per_inbox.setdefault(change.conversation.inbox_id, Counter()).update(deltas)
            if change.kind == EventKind.ASSIGNED and (to := (change.data.get("to") or {}).get("user_id")):
                assigned_to[change.conversation.inbox_id] = (to, change.now)
    for inbox_id, deltas in per_inbox.items():
        to, now = assigned_to.get(inbox_id, (None, None))
        loads.apply(inbox_id, deltas, assigned_to=to, now=now)
        if any(n < 0 for n in deltas.values()):
            drain_soon(inbox_id)
    for change in changes:
        _guard_capacity(change)
        _leave_queue_if_settled(change)
        _place_team_transfer(change)
    needing = [c for c in changes if _needs_someone(c)]
    if len(needing) == 1:
        place(needing[0].conversation, needing[0].now, returning=needing[0].before.resolved)
    elif needing:
        enqueue_many([change.conversation for change in needing], needing[0].now)


def _needs_someone(change: hooks.ConversationChanged) -> bool:
    """The chat just turned pending (a customer's new wait, an AI hand-off, an AI window run
    out) in an inbox that assigns chats, and has nobody on it, or has a returning customer."""
    if change.kind == EventKind.ASSIGNED or change.state_after is not State.PENDING:
        return False
    if change.state_before is State.PENDING and not change.wait_started:
        return False
    conv = change.conversation
    if policy_of(conv.inbox) is rule.Policy.MANUAL:
        return False
    return conv.assignee_id is None or change.before.resolved


def _place_team_transfer(change: hooks.ConversationChanged) -> None:
    """A chat transferred to a team, nobody named: the inbox's assignment picks among that team,
    or, when the customer is waiting and nobody in it has room, the chat queues."""
    to = change.data.get("to") or {}
    if change.kind != EventKind.ASSIGNED or not change.data.get("transfer") or to.get("user_id") is not None:
        return
    conv = change.conversation
    if to.get("team_id") is None or conv.resolved or policy_of(conv.inbox) is rule.Policy.MANUAL:
        return
    choice = pick(conv.inbox, conv)
    if choice is not None:
        _give(conv, choice)
    elif change.state_after is State.PENDING:
        enqueue(conv, change.now)


def _leave_queue_if_settled(change: hooks.ConversationChanged) -> None:
    """A queued chat that someone took, answered or resolved no longer waits for an agent. A
    person who answers an unassigned chat in an inbox that assigns chats takes it."""
    conv = change.conversation
    if conv.queued_since is None:
        return
    answered = change.kind == EventKind.MESSAGE and change.actor.is_person
    if answered and conv.assignee_id is None and change.actor.user is not None:
        actions.assign(conv, change.actor, user=change.actor.user, team=conv.team)
        conv.assignee_id = change.actor.user.pk
    if conv.assignee_id is not None or conv.resolved or answered:
        dequeue(conv, change.now)


def _guard_capacity(change: hooks.ConversationChanged) -> None:
    """A person may not hand a chat to an agent who is full; a supervisor may. Taking a chat
    oneself is always allowed (answering it is taking it). The new load is already counted."""
    if change.kind != EventKind.ASSIGNED or not change.actor.is_person or change.conversation.resolved:
        return
    to = (change.data.get("to") or {}).get("user_id")
    if to is None or to == change.actor.user.pk:
        return
    conv = change.conversation
    target = candidate(conv.inbox, User.objects.get(pk=to), holding=True)
    refusal = rule.may_assign(target, overrides_capacity=policy.may_override_capacity(change.actor.user))
    if refusal is not None:
        raise actions.ActionConflict(
            _("%(user)s already has %(load)s open chats in this inbox, their limit."),
            code=refusal, user=str(User.objects.get(pk=to)), load=target.capacity,
        )


# --- choosing -----------------------------------------------------------------------------------


def candidate(inbox: Inbox, user: User, *, holding: bool = False) -> rule.Candidate:
    """One person as the rule sees them; `holding`: the chat in question is already counted in
    their load (so room means the load without it)."""
    return _as_candidate(inbox, user.pk, user.availability, user.capacity, holding=holding)


def _as_candidate(inbox: Inbox, user_id: int, availability: str, own_capacity: int | None, *, holding: bool) -> rule.Candidate:
    row = AgentLoad.objects.filter(inbox=inbox, user_id=user_id).values_list("open", "last_assigned_at").first()
    return _candidate(user_id, availability, own_capacity, row, inbox.setting("capacity"), holding)


def _candidate(user_id: int, availability: str, own_capacity: int | None, load_row, inbox_capacity, holding: bool) -> rule.Candidate:
    """A person as the rule sees them, from their load row ((open, last assigned) or None)."""
    load, last = load_row or (0, None)
    return rule.Candidate(
        user_id, rule.Availability(availability), load - (1 if holding else 0),
        rule.effective_capacity(inbox_capacity, own_capacity), last,
    )


def candidates(inbox: Inbox, team_id: int | None, *, holding: int | None = None) -> list[rule.Candidate]:
    """Everyone who works the inbox (narrowed to the chat's team when it has one), with their
    loads, as read now (unlocked: `pick` confirms its choice under a lock)."""
    people = policy.inbox_people(inbox)
    if team_id is not None:
        people = people.filter(teams=team_id)
    rows = list(people.values_list("pk", "availability", "capacity"))
    found = {
        user_id: (n, last)
        for user_id, n, last in AgentLoad.objects.filter(inbox=inbox, user_id__in=[r[0] for r in rows]).values_list(
            "user_id", "open", "last_assigned_at"
        )
    }
    inbox_capacity = inbox.setting("capacity")
    return [_candidate(pk, availability, own, found.get(pk), inbox_capacity, pk == holding) for pk, availability, own in rows]


def pick(inbox: Inbox, conv: Conversation, *, returning: bool = False) -> int | None:
    """The agent to give this chat to now, or None. The choice is made on a snapshot, then
    confirmed under the lock of that one person's row (their availability and load read again):
    a colleague's assignment or a switch to offline in flight either finished first, and is seen,
    or waits for this one. A choice that no longer holds is replaced and the rule asked again.
    Only the first choice waits for its lock: holding one person's row while waiting for another's
    is how two assignments deadlock, so a later choice whose row is locked is passed over (the
    chat queues, and the drain hands it out as soon as room is seen)."""
    holding = conv.assignee_id if returning else None
    found = candidates(inbox, conv.team_id, holding=holding)
    rule_policy = policy_of(inbox)
    for attempt in range(len(found)):
        choice = rule.choose(rule_policy, found, sticky_agent_id=holding)
        if choice is None:
            return None
        locked = User.objects.select_for_update(no_key=True, skip_locked=attempt > 0)
        row = locked.filter(pk=choice, is_active=True).values_list("availability", "capacity").first()
        if row is not None:
            fresh = _as_candidate(inbox, choice, row[0], row[1], holding=choice == holding)
            if fresh.can_take:
                return choice
        else:
            fresh = rule.Candidate(choice, rule.Availability.OFFLINE, 0, None)
        found = [fresh if c.agent_id == choice else c for c in found]
    return None


def place(conv: Conversation, now: datetime, *, returning: bool = False) -> None:
    """Give a chat that needs someone to an agent, or queue it."""
    inbox = conv.inbox
    if _others_queued(conv):
        enqueue(conv, now)
        return
    choice = pick(inbox, conv, returning=returning)
    if choice is None:
        enqueue(conv, now)
    elif choice != conv.assignee_id:
        _give(conv, choice)


def _give(conv: Conversation, user_id: int) -> None:
    actions.assign(conv, actions.Actor.system(), user=User.objects.get(pk=user_id), team=conv.team)
    conv.assignee_id = user_id


def _others_queued(conv: Conversation) -> bool:
    return Conversation.objects.filter(inbox_id=conv.inbox_id, queued_since__isnull=False).exclude(pk=conv.pk).exists()


# --- the queue ----------------------------------------------------------------------------------


def enqueue(conv: Conversation, now: datetime) -> None:
    enqueue_many([conv], now)


def enqueue_many(convs: list[Conversation], now: datetime) -> None:
    """Put the chats at the end of their inboxes' queues, in this order. A returning customer
    whose agent cannot take them is let go, so the chat does not sit in the list of someone who
    is away. A burst of new customers joins with one UPDATE and one INSERT of events, however
    many they are."""
    for conv in convs:
        if conv.assignee_id is not None:
            actions.assign(conv, actions.Actor.system(), user=None, team=conv.team)
            conv.assignee_id = None
    joining = [conv for conv in convs if conv.queued_since is None]
    if joining:
        Conversation.objects.filter(pk__in=[conv.pk for conv in joining]).update(queued_since=now)
        record_events([(conv, QUEUED, actions.Actor.system(), now, {}) for conv in joining])
        for conv in joining:
            conv.queued_since = now
            publish_conversation_changed(conv, conv.state(now).value, QUEUED)
    from .jobs import drain_queue

    # They are queued now: the drain is due once this commits.
    for inbox_id in dict.fromkeys(conv.inbox_id for conv in convs):
        drain_queue.enqueue(inbox_id)


def dequeue(conv: Conversation, now: datetime) -> None:
    conv.queued_since = None
    Conversation.objects.filter(pk=conv.pk).update(queued_since=None)
    publish_conversation_changed(conv, conv.state(now).value, DEQUEUED)


def drain_soon(inbox_id: int) -> None:
    """Ask for the queue to be drained once this transaction commits (a durable job: it commits
    with the change that freed room, or not at all). Nothing to do when nobody is queued."""
    from .jobs import drain_queue

    if Conversation.objects.filter(inbox_id=inbox_id, queued_since__isnull=False).exists():
        drain_queue.enqueue(inbox_id)


def drain(inbox_id: int, limit: int = 1000) -> int:
    """Give queued chats, oldest first, to agents with room; stop at the first that nobody can
    take. One transaction per chat. Returns how many were given."""
    given = 0
    for _attempt in range(limit):
        with transaction.atomic():
            inbox = Inbox.objects.select_for_update().filter(pk=inbox_id).first()
            if inbox is None:
                return given
            conv = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("inbox")
                .filter(inbox_id=inbox_id, queued_since__isnull=False)
                .order_by("queued_since", "id")
                .first()
            )
            if conv is None:
                return given
            now = timezone.now()
            if conv.resolved or conv.waiting_since is None or conv.assignee_id is not None or policy_of(inbox) is rule.Policy.MANUAL:
                dequeue(conv, now)
                continue
            choice = pick(inbox, conv)
            if choice is None:
                return given
            dequeue(conv, now)
            _give(conv, choice)
            given += 1
    return given


def queue_positions(conversations: list[Conversation]) -> dict[int, int]:
    """Each queued conversation's place in its inbox's queue (1 = next), one query per inbox."""
    out: dict[int, int] = {}
    inboxes = {c.inbox_id for c in conversations if c.queued_since is not None}
    for inbox_id in inboxes:
        order = Conversation.objects.filter(inbox_id=inbox_id, queued_since__isnull=False).order_by("queued_since", "id")
        for place_, pk in enumerate(order.values_list("pk", flat=True), start=1):
            out[pk] = place_
    return out


def room_freed() -> None:
    """Someone came online or got more room: drain every queue that has chats in it (inboxes
    are few, and a drain that finds nobody with room stops at once)."""
    queued = Conversation.objects.filter(queued_since__isnull=False).values_list("inbox_id", flat=True)
    for inbox_id in sorted(set(queued.order_by())):
        drain_soon(inbox_id)


def on_inbox_configured(configured: hooks.InboxConfigured) -> None:
    """New assignment settings (a policy switched on, more capacity, more teams) may let the
    queue move. Switching assignment on hands out the chats already waiting for somebody, in the
    order their customers started waiting."""
    if not configured.changed & {"assignment", "capacity", "team_ids"}:
        return
    inbox = configured.inbox
    if "assignment" in configured.changed and policy_of(inbox) is not rule.Policy.MANUAL:
        _queue_waiting(inbox)
    drain_soon(inbox.pk)


def _queue_waiting(inbox: Inbox) -> None:
    from mostrador.inbox.actions.record import record_events
    from mostrador.inbox.queries import state_filter

    now = timezone.now()
    waiting = list(
        Conversation.objects.filter(inbox=inbox, assignee__isnull=True, queued_since__isnull=True)
        .filter(state_filter(State.PENDING.value, now))
        .order_by("waiting_since", "id")
    )
    for conv in waiting:
        conv.queued_since = conv.waiting_since
    Conversation.objects.bulk_update(waiting, ["queued_since"], batch_size=500)
    record_events([(conv, QUEUED, actions.Actor.system(), now, {}) for conv in waiting])
