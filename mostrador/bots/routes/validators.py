"""Validation of what a customer types when a route asks for it. Each validator returns the
normalised value, or None when the answer is not valid. Pure Python."""

from __future__ import annotations

import re
from typing import Callable

from mostrador.rules.text import fold, words

# Chilean plates: cars before 2007 "AB·1234", since 2007 "BC·DF·12" (consonants only, no M, N,
# Ñ or Q); motorcycles "AB·123" and "BCD·12".
_NEW_LETTERS = "BCDFGHJKLPRSTVWXYZ"
_CL_PLATE = re.compile(rf"^(?:[A-Z]{{2}}\d{{4}}|[{_NEW_LETTERS}]{{4}}\d{{2}}|[A-Z]{{2}}\d{{3}}|[{_NEW_LETTERS}]{{3}}\d{{2}})$")
# A VIN is 17 characters; I, O and Q are never used, so they cannot be confused with 1 and 0.
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_SIDES = {
    "izquierdo": "izquierdo", "izquierda": "izquierdo", "izq": "izquierdo", "left": "izquierdo",
    "derecho": "derecho", "derecha": "derecho", "der": "derecho", "right": "derecho",
}


def _compact(text: str) -> str:
    return re.sub(r"[\s.\-·_/]", "", fold(text)).upper()


def cl_plate(text: str) -> str | None:
    value = _compact(text)
    return value if _CL_PLATE.match(value) else None


def vin(text: str) -> str | None:
    value = _compact(text)
    return value if _VIN.match(value) else None


def side(text: str) -> str | None:
    found = {_SIDES[w] for w in words(text) if w in _SIDES}
    return found.pop() if len(found) == 1 else None


def free_text(text: str) -> str | None:
    value = text.strip()
    return value[:500] if value else None


VALIDATORS: dict[str, Callable[[str], str | None]] = {
    "text": free_text,
    "cl_plate": cl_plate,
    "vin": vin,
    "side": side,
}

# Answers a validator offers as buttons, so a customer can tap instead of typing.
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "side": (("izquierdo", "Izquierdo"), ("derecho", "Derecho")),
}
