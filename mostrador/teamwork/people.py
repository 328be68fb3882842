"""The writes on people and teams, for the API and the admin page alike: roles, capacity, team
memberships, and teams themselves. Each change that can let a queue move, or change who sees
what, says so."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mostrador.accounts.models import Role, Team, User
from mostrador.inbox import policy
from mostrador.inbox.actions import ActionConflict, ActionInvalid
from mostrador.inbox.actions.inboxes import forget_team

from . import assignment

UNCHANGED = object()


def update_person(by: User, person: User, *, role=UNCHANGED, capacity=UNCHANGED, team_ids: list[int] | None = None) -> User:
    """Change someone's role, own capacity (None: the inbox's) or teams."""
    with transaction.atomic():
        person = User.objects.select_for_update(no_key=True).get(pk=person.pk)
        if role is not UNCHANGED and role != person.role:
            if role not in Role.values:
                raise ActionInvalid(_("Unknown role."), code="invalid")
            if person.pk == by.pk:
                raise ActionConflict(_("You cannot take away your own admin role."), code="own_role")
            person.role = role
            policy.access_changed()
        if capacity is not UNCHANGED:
            person.capacity = capacity
        person.save(update_fields=["role", "capacity"])
        if team_ids is not None:
            person.teams.set(_teams(team_ids))
        # More room, or new inboxes through new teams: the queues may move.
        assignment.room_freed()
    return person


def save_team(team: Team | None, *, name: str | None = None, member_ids: list[int] | None = None) -> Team:
    """Create a team (`team` None) or rename it and set its members."""
    with transaction.atomic():
        team = team or Team()
        if name is not None:
            name = name.strip()[:100]
            if not name:
                raise ActionInvalid(_("A team needs a name."), code="invalid")
            if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
                raise ActionConflict(_("There is already a team called %(name)s."), code="duplicate", name=name)
            team.name = name
            team.save()
        if member_ids is not None:
            people = list(User.objects.filter(pk__in=set(member_ids), is_active=True))
            if len(people) != len(set(member_ids)):
                raise ActionInvalid(_("A member named there does not exist."), code="invalid")
            team.members.set(people)
            assignment.room_freed()
    return team


def delete_team(team: Team) -> None:
    with transaction.atomic():
        forget_team(team.pk)
        team.delete()


def _teams(ids: list[int]) -> list[Team]:
    found = list(Team.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ActionInvalid(_("A team named there does not exist."), code="invalid")
    return found
