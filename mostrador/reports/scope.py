"""Who may read which numbers: a report counts only the inboxes its reader sees (DESIGN.md
section 4), narrowed by the filters they ask for."""

from __future__ import annotations

from dataclasses import dataclass

from mostrador.cases.reports import Scope
from mostrador.inbox.models import Inbox
from mostrador.inbox.policy import visible_inboxes


@dataclass(frozen=True)
class Filters:
    inbox_id: int | None = None
    channel: str | None = None
    team_id: int | None = None
    agent_id: int | None = None
    tag: str | None = None


def scope_for(user, filters: Filters) -> Scope:
    inboxes: tuple[int, ...] | None = None
    if not user.sees_every_inbox:
        inboxes = tuple(visible_inboxes(user).values_list("pk", flat=True))
    if filters.channel:
        of_channel = Inbox.objects.filter(channel=filters.channel).values_list("pk", flat=True)
        inboxes = tuple(i for i in of_channel if inboxes is None or i in inboxes)
    if filters.inbox_id is not None:
        inboxes = (filters.inbox_id,) if inboxes is None or filters.inbox_id in inboxes else ()
    return Scope(inboxes=inboxes, team_id=filters.team_id, agent_id=filters.agent_id, tag=filters.tag or None)


def may_read_everyone(user) -> bool:
    """Supervisors and admins read every person's numbers; a seller reads their own."""
    return user.sees_every_inbox
