"""Open-chat counters per person and inbox, kept inside the transaction that changes them.

A chat counts against its assignee while it is not resolved. Every change of a counter first
locks the person's row, in id order, so a capacity read under that lock is exact: two workers
assigning at once see each other's chats, and a person going offline waits for (or is waited for
by) an assignment in flight."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db.models import F, Sum

from mostrador.accounts.models import User
from mostrador.inbox.models import EventKind

from .models import AgentLoad


def lock_people(user_ids: Iterable[int]) -> dict[int, User]:
    """Lock these people's rows, in id order (never two transactions waiting on each other).
    FOR NO KEY UPDATE, as every lock on a person here: writing a row that only points at a person
    (a chat given to them, an event they made) takes a key-share lock on their row, which a plain
    FOR UPDATE waits for, and two such waits crosswise are a deadlock."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")}


def deltas_of(change) -> Counter:
    """How a conversation change moves its people's open-chat counts."""
    conv, out = change.conversation, Counter()
    if change.kind == EventKind.ASSIGNED:
        if not conv.resolved:
            before, after = (change.data.get("from") or {}).get("user_id"), (change.data.get("to") or {}).get("user_id")
            if before != after:
                out[before] -= 1
                out[after] += 1
    elif change.before.resolved != change.after.resolved:
        out[conv.assignee_id] += -1 if change.after.resolved else 1
    return Counter({user_id: n for user_id, n in out.items() if user_id is not None and n})


def apply(inbox_id: int, deltas: Counter, *, assigned_to: int | None = None, now=None) -> None:
    """Add `deltas` to the counters of one inbox (people locked first)."""
    if not deltas:
        return
    # Only the locks matter here, not the rows: no model instances on this hot path.
    list(User.objects.select_for_update(no_key=True).filter(pk__in=sorted(deltas)).order_by("pk").values_list("pk", flat=True))
    AgentLoad.objects.bulk_create(
        [AgentLoad(user_id=user_id, inbox_id=inbox_id) for user_id in sorted(deltas)], ignore_conflicts=True
    )
    for user_id, delta in sorted(deltas.items()):
        fields = {"open": F("open") + delta}
        if user_id == assigned_to and now is not None:
            fields["last_assigned_at"] = now
        AgentLoad.objects.filter(inbox_id=inbox_id, user_id=user_id).update(**fields)


def open_chats(inbox_id: int, user_id: int) -> int:
    row = AgentLoad.objects.filter(inbox_id=inbox_id, user_id=user_id).values_list("open", flat=True).first()
    return row or 0


def held_by(*, user_ids=None, inbox_ids=None) -> dict[int, int]:
    """Open chats per person, summed over the given inboxes (None: all), from the kept counters."""
    loads = AgentLoad.objects.all()
    if user_ids is not None:
        loads = loads.filter(user_id__in=user_ids)
    if inbox_ids is not None:
        loads = loads.filter(inbox_id__in=inbox_ids)
    return {user: n or 0 for user, n in loads.values("user_id").annotate(n=Sum("open")).values_list("user_id", "n")}


def recount(inbox_id: int | None = None) -> int:
    """Set every counter from the conversations themselves (a repair, and what tests compare the
    live counters with). Returns how many counters changed."""
    from django.db.models import Count

    from mostrador.inbox.models import Conversation

    scope = Conversation.objects.filter(resolved=False, assignee__isnull=False)
    loads = AgentLoad.objects.all()
    if inbox_id is not None:
        scope, loads = scope.filter(inbox_id=inbox_id), loads.filter(inbox_id=inbox_id)
    truth = {
        (row["inbox_id"], row["assignee_id"]): row["n"]
        for row in scope.values("inbox_id", "assignee_id").annotate(n=Count("id")).order_by()
    }
    changed = 0
    known = set()
    for load in loads:
        known.add((load.inbox_id, load.user_id))
        want = truth.get((load.inbox_id, load.user_id), 0)
        if load.open != want:
            AgentLoad.objects.filter(pk=load.pk).update(open=want)
            changed += 1
    for (inbox, user), n in truth.items():
        if (inbox, user) not in known:
            AgentLoad.objects.create(inbox_id=inbox, user_id=user, open=n)
            changed += 1
    return changed
