"""Phone numbers as people type them ("9 8123 4567", "+56 9 8123-4567", "56981234567"), read with
the phonenumbers library in the organisation's country (MOSTRADOR_PHONE_REGION)."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


def e164(raw: str) -> str | None:
    """The number in E.164 ("+56981234567"), or None when it is not a possible number."""
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    region = getattr(settings, "MOSTRADOR_PHONE_REGION", "CL")
    candidates = [text]
    if not text.startswith("+") and text.isdigit() and len(text) > 9:
        candidates.append("+" + text)  # digits with their country code, as WhatsApp writes them
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def forms_of(number: str) -> list[str]:
    """The ways a stored contact may hold this number (E.164, or its digits as WhatsApp ids are)."""
    return [number, number.lstrip("+")]


def country_code() -> str:
    """The calling code of the organisation's country ("56" for Chile), or "" when unknown."""
    region = getattr(settings, "MOSTRADOR_PHONE_REGION", "CL")
    code = phonenumbers.country_code_for_region(region)
    return str(code) if code else ""
