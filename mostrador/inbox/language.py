"""The language to write to a customer in: theirs, as close as the product speaks it."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def contact_language(contact) -> str:
    """The product language closest to the contact's (pt-BR → pt, es-CL → es), else the
    organisation's."""
    tag = contact.language or ""
    for candidate in (tag, tag.split("-")[0]):
        if candidate:
            try:
                return translation.get_supported_language_variant(candidate.lower())
            except LookupError:
                continue
    return settings.LANGUAGE_CODE
