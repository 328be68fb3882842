"""People and teams through the API (CONTRACT.md "Teams, availability, assignment")."""

from __future__ import annotations

from typing import Literal

from django.db import transaction
from ninja import Router, Schema
from pydantic import Field

from mostrador.accounts.models import Role, Team, User
from mostrador.api.errors import ApiError, not_found
from mostrador.api.out import ERRORS, Page
from mostrador.api.schemas import Id
from mostrador.inbox import policy
from mostrador.inbox.actions.inboxes import forget_team

from . import assignment
from .availability import set_availability

users = Router(tags=["people"])
teams = Router(tags=["people"])


class UserOut(Schema):
    id: int
    name: str
    email: str
    role: Literal["admin", "supervisor", "agent"]
    team_ids: list[int]
    availability: Literal["online", "away", "offline"]
    capacity: int | None = Field(default=None, description="Open chats per inbox; null: the inbox's capacity.")


class UserPatch(Schema):
    role: Literal["admin", "supervisor", "agent"] | None = None
    team_ids: list[Id] | None = None
    capacity: int | None = Field(default=None, ge=1, le=10_000)


class AvailabilityIn(Schema):
    availability: Literal["online", "away", "offline"]


class TeamOut(Schema):
    id: int
    name: str
    member_ids: list[int]


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    member_ids: list[Id] = Field(default_factory=list)


class TeamPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    member_ids: list[Id] | None = None


def user_dict(user: User) -> dict:
    return {
        "id": user.pk,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "team_ids": sorted(t.pk for t in user.teams.all()),
        "availability": user.availability,
        "capacity": user.capacity,
    }


def team_dict(team: Team) -> dict:
    return {"id": team.pk, "name": team.name, "member_ids": sorted(m.pk for m in team.members.all())}


def _admin(request) -> None:
    if not policy.may_configure(request.user):
        raise ApiError(403, "Only admins manage people and teams.", "forbidden")


def _people(ids: list[int]) -> list[User]:
    found = list(User.objects.filter(pk__in=set(ids), is_active=True))
    if len(found) != len(set(ids)):
        raise ApiError(422, "member_ids names a user that does not exist.", "invalid")
    return found


def _teams(ids: list[int]) -> list[Team]:
    found = list(Team.objects.filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ApiError(422, "team_ids names a team that does not exist.", "invalid")
    return found


@users.get("", response={200: Page[UserOut], **ERRORS})
def list_users(request):
    people = User.objects.filter(is_active=True).prefetch_related("teams").order_by("name", "pk")
    return {"items": [user_dict(u) for u in people], "next_cursor": None}


@users.post("/me/availability", response={200: UserOut, **ERRORS})
def my_availability(request, body: AvailabilityIn):
    """Set your own availability. It holds until changed again, or until your last browser tab
    closes or idles; an API-only client keeps what it set."""
    set_availability(request.user, body.availability)
    return user_dict(User.objects.prefetch_related("teams").get(pk=request.user.pk))


@users.get("/{user_id}", response={200: UserOut, **ERRORS})
def read_user(request, user_id: int):
    user = User.objects.prefetch_related("teams").filter(pk=user_id, is_active=True).first()
    if user is None:
        raise not_found("User not found")
    return user_dict(user)


@users.patch("/{user_id}", response={200: UserOut, **ERRORS})
def patch_user(request, user_id: int, body: UserPatch):
    _admin(request)
    given = body.model_dump(exclude_unset=True)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        if user is None:
            raise not_found("User not found")
        if "role" in given:
            if given["role"] is None:
                raise ApiError(422, "role cannot be null.", "invalid")
            if user.pk == request.user.pk and given["role"] != Role.ADMIN:
                raise ApiError(409, "An admin cannot take away their own admin role.", "own_role")
            user.role = given["role"]
        if "capacity" in given:
            user.capacity = given["capacity"]
        if user.role != User.objects.get(pk=user.pk).role:
            policy.access_changed()
        user.save(update_fields=["role", "capacity"])
        if given.get("team_ids") is not None:
            user.teams.set(_teams(given["team_ids"]))
        # More room, or new inboxes through new teams: the queues may move.
        assignment.room_freed()
    return user_dict(User.objects.prefetch_related("teams").get(pk=user.pk))


@teams.get("", response={200: Page[TeamOut], **ERRORS})
def list_teams(request):
    return {"items": [team_dict(t) for t in Team.objects.prefetch_related("members").order_by("name")], "next_cursor": None}


@teams.post("", response={201: TeamOut, **ERRORS})
def create_team(request, body: TeamIn):
    _admin(request)
    with transaction.atomic():
        if Team.objects.filter(name__iexact=body.name.strip()).exists():
            raise ApiError(409, "A team with that name exists.", "duplicate")
        team = Team.objects.create(name=body.name.strip())
        team.members.set(_people(body.member_ids))
        assignment.room_freed()
    return 201, team_dict(team)


def _team(team_id: int) -> Team:
    team = Team.objects.prefetch_related("members").filter(pk=team_id).first()
    if team is None:
        raise not_found("Team not found")
    return team


@teams.get("/{team_id}", response={200: TeamOut, **ERRORS})
def read_team(request, team_id: int):
    return team_dict(_team(team_id))


@teams.patch("/{team_id}", response={200: TeamOut, **ERRORS})
def patch_team(request, team_id: int, body: TeamPatch):
    _admin(request)
    with transaction.atomic():
        team = _team(team_id)
        if body.name is not None:
            name = body.name.strip()
            if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
                raise ApiError(409, "A team with that name exists.", "duplicate")
            team.name = name
            team.save(update_fields=["name"])
        if body.member_ids is not None:
            team.members.set(_people(body.member_ids))
            assignment.room_freed()
    return team_dict(_team(team_id))


@teams.delete("/{team_id}", response={204: None, **ERRORS})
def delete_team(request, team_id: int):
    _admin(request)
    with transaction.atomic():
        team = _team(team_id)
        forget_team(team.pk)
        team.delete()
    return 204, None
