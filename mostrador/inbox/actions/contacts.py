"""Writing contacts: their details, custom fields and tags; and the custom fields themselves."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.inbox import phones
from mostrador.inbox.models import Contact, ContactField, Conversation, Tag

from .actor import ActionConflict, ActionInvalid, ActionRefused, Actor
from .organise import MAX_TAG
from .record import publish_conversation_changed

LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_VALUE = 500


def update_contact(contact: Contact, actor: Actor, changes: dict) -> Contact:
    """Change what is given of name, phone, email, language, custom fields (merged: a value of
    None removes one) and tags (the whole set). Everything is checked before anything is
    written; the chats of the contact refresh on every open screen."""
    if not actor.is_person:
        raise ActionRefused(_("Only people edit contacts."))
    with transaction.atomic():
        person = Contact.objects.select_for_update().get(pk=contact.pk)
        updates = _checked(person, changes)
        tags = updates.pop("tags", None)
        for name, value in updates.items():
            setattr(person, name, value)
        if updates:
            person.save(update_fields=list(updates))
        if tags is not None:
            person.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
        for conv in person.conversations.all():
            publish_conversation_changed(conv, conv.state(timezone.now()).value, "contact")
    return person


def merge_contacts(kept: Contact, other: Contact, actor: Actor) -> Contact:
    """Two contacts that are one person become `kept`: every row that points at `other` (its
    chats with their messages, its channel identities, cases, quote requests…) moves to it;
    details `kept` lacks (phone, email, language, custom fields) come from `other`, and tags
    join. Then `other` is gone. Refused, with nothing changed, when both have a chat in the
    same inbox: an inbox holds one chat per contact, and two chats' histories are not merged."""
    if not actor.is_person:
        raise ActionRefused(_("Only people merge contacts."))
    if kept.pk == other.pk:
        raise ActionInvalid(_("A contact cannot be merged with itself."))
    with transaction.atomic():
        locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[kept.pk, other.pk]).order_by("pk")}
        if len(locked) != 2:
            raise ActionConflict(_("The other contact no longer exists (someone merged it first)."), code="conflict")
        kept, other = locked[kept.pk], locked[other.pk]
        shared = (
            Conversation.objects.filter(contact=kept, inbox__conversations__contact=other)
            .values_list("inbox__name", flat=True).first()
        )
        if shared:
            raise ActionConflict(
                _("Both contacts have a chat in %(inbox)s; an inbox holds one chat per person, so they are not merged."),
                code="conflict", inbox=shared,
            )
        for relation in Contact._meta.related_objects:
            if relation.many_to_many:
                continue  # tags, below
            relation.related_model._base_manager.filter(**{relation.field.name: other}).update(**{relation.field.name: kept})
        for name in ("name", "phone", "email", "language"):
            if not getattr(kept, name) and getattr(other, name):
                setattr(kept, name, getattr(other, name))
        kept.fields = {**(other.fields or {}), **(kept.fields or {})}
        kept.created_at = min(kept.created_at, other.created_at)
        kept.save(update_fields=["name", "phone", "email", "language", "fields", "created_at"])
        kept.tags.add(*other.tags.all())
        other.delete()
        for conv in kept.conversations.all():
            publish_conversation_changed(conv, conv.state(timezone.now()).value, "contact")
    return kept


def phone_number(raw: str) -> str:
    """The number in E.164, or refused in words a person understands."""
    number = phones.e164(raw)
    if number is None:
        raise ActionInvalid(_("“%(phone)s” is not a phone number (write it with its country code if it is from abroad)."), phone=raw)
    return number


def _checked(person: Contact, changes: dict) -> dict:
    updates: dict = {}
    if changes.get("name") is not None:
        updates["name"] = str(changes["name"]).strip()[:200]
    if changes.get("phone") is not None:
        raw = str(changes["phone"]).strip()
        updates["phone"] = phone_number(raw) if raw else ""
    if changes.get("email") is not None:
        email = str(changes["email"]).strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ActionInvalid(_("“%(email)s” is not an email address."), email=email) from exc
        updates["email"] = email
    if changes.get("language") is not None:
        language = str(changes["language"]).strip()
        if language and not LANGUAGE.match(language):
            raise ActionInvalid(_("The language is a tag such as “es” or “pt-BR”, or empty for any."))
        updates["language"] = language
    if changes.get("fields") is not None:
        updates["fields"] = _merged_fields(person.fields or {}, changes["fields"])
    if changes.get("tags") is not None:
        tags = sorted({str(t).strip() for t in changes["tags"] if str(t).strip()})
        if any(len(t) > MAX_TAG for t in tags):
            raise ActionInvalid(_("A tag is at most %(limit)s characters."), limit=MAX_TAG)
        updates["tags"] = tags
    return updates


def _merged_fields(current: dict, given: dict) -> dict:
    if not isinstance(given, dict):
        raise ActionInvalid(_("Fields are given as an object of names and values."))
    known = {f.name: f for f in ContactField.objects.filter(name__in=list(given))}
    merged = dict(current)
    for name, value in given.items():
        field = known.get(name)
        if field is None:
            raise ActionInvalid(_("There is no contact field “%(name)s” (an admin defines them)."), name=name)
        if value is None or value == "":
            merged.pop(name, None)
            continue
        merged[name] = _valid(field, value)
    return merged


def _valid(field: ContactField, value) -> object:
    text = str(value).strip()
    if field.type == ContactField.Type.NUMBER:
        try:
            number = float(text.replace(",", "."))
        except ValueError as exc:
            raise ActionInvalid(_("%(label)s is a number."), label=field.label) from exc
        return int(number) if number.is_integer() else number
    if field.type == ContactField.Type.DATE:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise ActionInvalid(_("%(label)s is a date (YYYY-MM-DD)."), label=field.label) from exc
    if field.type == ContactField.Type.LIST and text not in (field.options or []):
        raise ActionInvalid(_("%(label)s is one of: %(options)s."), label=field.label, options=", ".join(field.options or []))
    if len(text) > MAX_VALUE:
        raise ActionInvalid(_("A field's value is at most %(limit)s characters."), limit=MAX_VALUE)
    return text


def define_contact_field(actor: Actor, name: str, label: str, type_: str, options: list[str] | None = None) -> ContactField:
    """A new custom field for every contact (admins)."""
    if not actor.is_person or not getattr(actor.user, "is_admin", False):
        raise ActionRefused(_("Only admins define contact fields."))
    name = name.strip().lower()
    if not re.match(r"^[a-z0-9_]{1,40}$", name):
        raise ActionInvalid(_("A field's name is 1 to 40 lowercase letters, digits or _."))
    if type_ not in ContactField.Type.values:
        raise ActionInvalid(_("A field's type is text, number, date or list."))
    options = [str(o).strip() for o in (options or []) if str(o).strip()]
    if type_ == ContactField.Type.LIST and not options:
        raise ActionInvalid(_("A list field needs its options."))
    if ContactField.objects.filter(name=name).exists():
        raise ActionConflict(_("There is already a contact field “%(name)s”."), code="conflict", name=name)
    return ContactField.objects.create(name=name, label=label.strip()[:80] or name, type=type_, options=options)
