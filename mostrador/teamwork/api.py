"""People and teams through the API (CONTRACT.md "Teams, availability, assignment")."""

from __future__ import annotations

from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from mostrador.accounts.models import Team, User
from mostrador.api.errors import ApiError, not_found
from mostrador.api.out import ERRORS, Page
from mostrador.api.schemas import Id
from mostrador.inbox import policy

from . import people
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
    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None:
        raise not_found("User not found")
    given = body.model_dump(exclude_unset=True)
    if "role" in given and given["role"] is None:
        raise ApiError(422, "role cannot be null.", "invalid")
    people.update_person(
        request.user, person, role=given.get("role", people.UNCHANGED),
        capacity=given.get("capacity", people.UNCHANGED), team_ids=given.get("team_ids"),
    )
    return user_dict(User.objects.prefetch_related("teams").get(pk=person.pk))


@teams.get("", response={200: Page[TeamOut], **ERRORS})
def list_teams(request):
    return {"items": [team_dict(t) for t in Team.objects.prefetch_related("members").order_by("name")], "next_cursor": None}


@teams.post("", response={201: TeamOut, **ERRORS})
def create_team(request, body: TeamIn):
    _admin(request)
    return 201, team_dict(people.save_team(None, name=body.name, member_ids=body.member_ids))


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
    people.save_team(_team(team_id), name=body.name, member_ids=body.member_ids)
    return team_dict(_team(team_id))


@teams.delete("/{team_id}", response={204: None, **ERRORS})
def delete_team(request, team_id: int):
    _admin(request)
    people.delete_team(_team(team_id))
    return 204, None
