"""`/api/v1/canned_responses` (CONTRACT.md "Canned responses"): saved answers a person may use,
kept through canned.service, which decides who may keep which."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.api.errors import not_found
from mostrador.api.out import ERRORS, Page
from mostrador.api.paging import newest_first
from mostrador.api.schemas import Id

from . import service
from .models import CannedResponse

router = Router(tags=["canned responses"])


class CannedIn(Schema):
    shortcode: str = Field(min_length=1, max_length=41)
    text: str = Field(min_length=1, max_length=4000)
    language: str = Field(default="", max_length=15, description="A BCP 47 tag such as es or pt-BR; empty for any language")
    inbox_id: Id | None = None
    team_id: Id | None = None
    owner_id: Id | None = Field(default=None, description="Omit all three scopes for a personal answer; see `everyone`")
    everyone: bool = Field(default=False, description="For everyone in the organisation (admins and supervisors)")


class CannedPatch(Schema):
    shortcode: str | None = Field(default=None, min_length=1, max_length=41)
    text: str | None = Field(default=None, min_length=1, max_length=4000)
    language: str | None = Field(default=None, max_length=15)
    inbox_id: Id | None = None
    team_id: Id | None = None
    owner_id: Id | None = None
    everyone: bool | None = None


class CannedOut(Schema):
    id: int
    shortcode: str
    text: str
    language: str
    scope: str
    inbox_id: int | None
    team_id: int | None
    owner_id: int | None
    created_at: datetime
    updated_at: datetime


class CannedFilters(Schema):
    limit: int = Field(default=100, ge=1, le=500)
    cursor: str | None = None
    shortcode: str | None = Field(default=None, max_length=41)


def _out(canned: CannedResponse) -> dict:
    return {
        "id": canned.pk, "shortcode": canned.shortcode, "text": canned.text, "language": canned.language,
        "scope": canned.scope, "inbox_id": canned.inbox_id, "team_id": canned.team_id, "owner_id": canned.owner_id,
        "created_at": canned.created_at, "updated_at": canned.updated_at,
    }


def _scope(request, body) -> service.Scope:
    if body.inbox_id or body.team_id or body.owner_id or body.everyone:
        return service.Scope(owner_id=body.owner_id, team_id=body.team_id, inbox_id=body.inbox_id)
    return service.Scope(owner_id=request.user.pk)


def _found(request, canned_id: int) -> CannedResponse:
    canned = service.usable(request.user).filter(pk=canned_id).first()
    if canned is None:
        raise not_found("No such canned response.")
    return canned


@router.get("", response={200: Page[CannedOut], **ERRORS})
def list_canned(request, params: Query[CannedFilters]):
    """The saved answers you may use: yours, your teams', your inboxes' and everyone's."""
    rows = service.usable(request.user)
    if params.shortcode:
        rows = rows.filter(shortcode=service.code_of(params.shortcode))
    return newest_first(rows, params.limit, params.cursor, _out)


@router.post("", response={201: CannedOut, **ERRORS})
def create(request, body: CannedIn):
    canned = service.create(request.user, shortcode=body.shortcode, text=body.text, language=body.language, scope=_scope(request, body))
    return 201, _out(canned)


@router.get("/{canned_id}", response={200: CannedOut, **ERRORS})
def read(request, canned_id: int):
    return _out(_found(request, canned_id))


@router.patch("/{canned_id}", response={200: CannedOut, **ERRORS})
def patch(request, canned_id: int, body: CannedPatch):
    canned = _found(request, canned_id)
    given = body.dict(exclude_unset=True)
    scoped = {"inbox_id", "team_id", "owner_id", "everyone"} & set(given)
    if scoped:
        scope = service.Scope(owner_id=body.owner_id, team_id=body.team_id, inbox_id=body.inbox_id)
    else:
        scope = service.scope_of(canned)
    canned = service.update(
        request.user, canned,
        shortcode=body.shortcode if body.shortcode is not None else canned.shortcode,
        text=body.text if body.text is not None else canned.text,
        language=body.language if body.language is not None else canned.language,
        scope=scope,
    )
    return _out(canned)


@router.delete("/{canned_id}", response={204: None, **ERRORS})
def delete(request, canned_id: int):
    service.delete(request.user, _found(request, canned_id))
    return 204, None
