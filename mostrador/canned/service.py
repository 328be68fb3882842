"""Who may use and change which saved answers, and what one says in a given chat."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.accounts.models import Role, Team, User
from mostrador.inbox.actions import ActionRefused
from mostrador.inbox.actions.actor import ActionConflict, ActionInvalid
from mostrador.inbox.models import Conversation, Inbox, Message
from mostrador.inbox.policy import visible_inboxes
from mostrador.rules import canned as rules
from mostrador.rules.expansion import frequent_phrases

from .models import CannedResponse

SHORTCODE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_"


def code_of(raw: str) -> str:
    """A shortcode as kept: "/Saludo " is "saludo"."""
    return raw.strip().lstrip("/").lower()


def usable(user, inbox: Inbox | None = None) -> QuerySet[CannedResponse]:
    """The saved answers this person may use: their own, their teams', everyone's, and those of
    one inbox (a chat's) or of every inbox they see."""
    scope = Q(owner=user) | Q(owner__isnull=True, team__isnull=True, inbox__isnull=True)
    scope |= Q(team__in=Team.objects.filter(members=user))
    scope |= Q(inbox=inbox) if inbox is not None else Q(inbox__in=visible_inboxes(user))
    return CannedResponse.objects.filter(scope)


def may_share(user) -> bool:
    """Answers for a team, an inbox or everyone are kept by admins and supervisors."""
    return user.role in (Role.ADMIN, Role.SUPERVISOR)


def may_change(user, canned: CannedResponse) -> bool:
    return canned.owner_id == user.pk or may_share(user)


def values_for(conversation: Conversation, user) -> dict[str, str]:
    """What each variable stands for in this chat, written by this person."""
    contact = conversation.contact
    values = {
        "contact.name": contact.name,
        "contact.first_name": rules.first_name(contact.name),
        "contact.phone": contact.phone,
        "agent.name": getattr(user, "name", ""),
        "agent.first_name": rules.first_name(getattr(user, "name", "")),
        "inbox.name": conversation.inbox.name,
    }
    values.update({f"fields.{name}": str(value) for name, value in (conversation.fields or {}).items()})
    return values


@dataclass(frozen=True)
class Offer:
    """One shortcode as this chat would send it: the variant chosen and its text filled in."""

    canned: CannedResponse
    filled: rules.Filled


def offers(conversation: Conversation, user) -> list[Offer]:
    """Every shortcode this person may use in this chat, one variant each (the contact's
    language where there is one), filled in for it; by shortcode."""
    by_code: dict[str, list[CannedResponse]] = {}
    for canned in usable(user, conversation.inbox).order_by("shortcode", "pk"):
        by_code.setdefault(canned.shortcode, []).append(canned)
    values = values_for(conversation, user)
    found = []
    for variants in by_code.values():
        chosen = _best(variants, conversation.contact.language)
        found.append(Offer(chosen, rules.fill(chosen.text, values)))
    return found


RECENT_REPLIES = 400


def phrases(user) -> list[str]:
    """The sentences this person wrote again and again in their latest replies (text
    expansion offers to finish them as they type)."""
    replies = (
        Message.objects.filter(author=user, direction="out", type="text").exclude(text="")
        .order_by("-id").values_list("text", flat=True)[:RECENT_REPLIES]
    )
    return frequent_phrases(replies)


def _best(variants: list[CannedResponse], language: str) -> CannedResponse:
    candidates = [rules.Candidate(c, c.scope, c.language) for c in variants]
    best = rules.best(candidates, language, settings.LANGUAGE_CODE)
    assert best is not None
    return best.key  # type: ignore[return-value]


def text_for(conversation: Conversation, user, shortcode: str) -> str | None:
    """The text a shortcode sends in this chat (the domain hook the core asks); None when this
    person has no such answer. Refused when a variable has no value: never sent with a blank."""
    variants = list(usable(user, conversation.inbox).filter(shortcode=code_of(shortcode)))
    if not variants:
        return None
    filled = rules.fill(_best(variants, conversation.contact.language).text, values_for(conversation, user))
    if filled.missing:
        raise ActionInvalid(
            _("The answer “%(shortcode)s” needs %(names)s, which this chat does not have yet."),
            code="missing_variables",
            shortcode=code_of(shortcode),
            names=", ".join("{{%s}}" % name for name in filled.missing),
        )
    return filled.text


# --- keeping them -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    owner_id: int | None = None
    team_id: int | None = None
    inbox_id: int | None = None


def _checked(user, shortcode: str, text: str, language: str, scope: Scope) -> tuple[str, str, str]:
    shortcode = code_of(shortcode)
    if not shortcode or len(shortcode) > 40 or any(c not in SHORTCODE_CHARS for c in shortcode):
        raise ActionInvalid(_("A shortcode is 1 to 40 letters, digits, - or _ (no spaces or accents)."), code="invalid")
    text = text.strip()
    if not text or len(text) > 4000:
        raise ActionInvalid(_("The text is 1 to 4,000 characters."), code="invalid")
    language = language.strip()
    if len(language) > 15 or (language and not all(part.isalnum() for part in language.split("-"))):
        raise ActionInvalid(_("The language is a tag such as “es” or “pt-BR”, or empty for any."), code="invalid")
    chosen = [v for v in (scope.owner_id, scope.team_id, scope.inbox_id) if v]
    if len(chosen) > 1:
        raise ActionInvalid(_("An answer belongs to one person, one team, one inbox or everyone."), code="invalid")
    if scope.owner_id and scope.owner_id != user.pk and not user.is_admin:
        raise ActionRefused(_("Only admins keep answers for someone else."), code="forbidden")
    if scope.owner_id and not User.objects.filter(pk=scope.owner_id, is_active=True).exists():
        raise ActionInvalid(_("There is no such person."), code="invalid")
    if not scope.owner_id and not may_share(user):
        raise ActionRefused(_("Only admins and supervisors keep answers for a team, an inbox or everyone."), code="forbidden")
    if scope.team_id and not Team.objects.filter(pk=scope.team_id).exists():
        raise ActionInvalid(_("There is no such team."), code="invalid")
    if scope.inbox_id and not visible_inboxes(user).filter(pk=scope.inbox_id).exists():
        raise ActionInvalid(_("There is no such inbox."), code="invalid")
    return shortcode, text, language


def create(user, *, shortcode: str, text: str, language: str = "", scope: Scope | None = None) -> CannedResponse:
    scope = scope or Scope(owner_id=user.pk)
    shortcode, text, language = _checked(user, shortcode, text, language, scope)
    canned = CannedResponse(shortcode=shortcode, text=text, language=language, owner_id=scope.owner_id,
                            team_id=scope.team_id, inbox_id=scope.inbox_id, created_by=user)
    return _saved(canned)


def update(user, canned: CannedResponse, *, shortcode: str, text: str, language: str, scope: Scope) -> CannedResponse:
    if not may_change(user, canned):
        raise ActionRefused(_("Only its owner, admins and supervisors change this answer."), code="forbidden")
    shortcode, text, language = _checked(user, shortcode, text, language, scope)
    canned.shortcode, canned.text, canned.language = shortcode, text, language
    canned.owner_id, canned.team_id, canned.inbox_id = scope.owner_id, scope.team_id, scope.inbox_id
    canned.updated_at = timezone.now()
    return _saved(canned)


def delete(user, canned: CannedResponse) -> None:
    if not may_change(user, canned):
        raise ActionRefused(_("Only its owner, admins and supervisors delete this answer."), code="forbidden")
    canned.delete()


def _saved(canned: CannedResponse) -> CannedResponse:
    try:
        with transaction.atomic():
            canned.save()
    except IntegrityError as exc:
        raise ActionConflict(
            _("There is already an answer “%(shortcode)s” in that language for the same people."), code="conflict", shortcode=canned.shortcode
        ) from exc
    return canned


def scope_of(canned: CannedResponse) -> Scope:
    return Scope(canned.owner_id, canned.team_id, canned.inbox_id)


# --- CSV ----------------------------------------------------------------------------------------

CSV_COLUMNS = ["shortcode", "language", "text", "scope", "team", "inbox"]


def to_csv(rows: QuerySet[CannedResponse]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for canned in rows.select_related("team", "inbox").order_by("shortcode", "language", "pk"):
        writer.writerow([canned.shortcode, canned.language, canned.text, canned.scope,
                         canned.team.name if canned.team else "", canned.inbox.name if canned.inbox else ""])
    return out.getvalue()


@dataclass
class Imported:
    created: int = 0
    updated: int = 0
    errors: list[str] | None = None


def import_csv(user, content: str) -> Imported:
    """Add or replace answers from a CSV with the export's columns (scope: personal, team,
    inbox or everyone; team and inbox by name). All rows or none: a row with an error is named
    and nothing is written."""
    result = Imported(errors=[])
    reader = csv.DictReader(io.StringIO(content))
    if not reader.fieldnames or not {"shortcode", "text"} <= set(reader.fieldnames):
        raise ActionInvalid(_("The file needs at least the columns shortcode and text."), code="invalid")
    with transaction.atomic():
        for number, row in enumerate(reader, start=2):
            try:
                scope = _scope_named(user, (row.get("scope") or "personal").strip().lower(), row.get("team") or "", row.get("inbox") or "")
                shortcode, language = code_of(row.get("shortcode") or ""), (row.get("language") or "").strip()
                existing = CannedResponse.objects.filter(
                    shortcode=shortcode, language=language, owner_id=scope.owner_id, team_id=scope.team_id, inbox_id=scope.inbox_id
                ).first()
                if existing:
                    update(user, existing, shortcode=shortcode, text=row.get("text") or "", language=language, scope=scope)
                    result.updated += 1
                else:
                    create(user, shortcode=shortcode, text=row.get("text") or "", language=language, scope=scope)
                    result.created += 1
            except ActionRefused as exc:
                result.errors.append(str(_("Line %(line)s: %(error)s") % {"line": number, "error": exc}))
        if result.errors:
            transaction.set_rollback(True)
            result.created = result.updated = 0
    return result


def _scope_named(user, scope: str, team: str, inbox: str) -> Scope:
    if scope == "personal":
        return Scope(owner_id=user.pk)
    if scope == "team":
        found = Team.objects.filter(name__iexact=team.strip()).first()
        if found is None:
            raise ActionInvalid(_("There is no team called “%(name)s”."), code="invalid", name=team)
        return Scope(team_id=found.pk)
    if scope == "inbox":
        found_inbox = visible_inboxes(user).filter(name__iexact=inbox.strip()).first()
        if found_inbox is None:
            raise ActionInvalid(_("There is no inbox called “%(name)s”."), code="invalid", name=inbox)
        return Scope(inbox_id=found_inbox.pk)
    if scope == "everyone":
        return Scope()
    raise ActionInvalid(_("The scope is personal, team, inbox or everyone."), code="invalid")
