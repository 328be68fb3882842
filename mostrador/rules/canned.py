"""Canned responses (respuestas rápidas): filling a saved text's variables for one chat, and
choosing which saved text a shortcode means for a person and a customer.

A variable is written `{{contact.first_name}}`, `{{agent.name}}`, `{{fields.patente}}`… A
variable with no value is left as written and reported, so the seller sees it and fills it in:
nothing is ever sent with a blank where a name should be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

VARIABLE = re.compile(r"\{\{\s*([a-z_]+(?:\.[\w-]+)?)\s*\}\}", re.IGNORECASE)

# Most specific first: a person's own answer wins over their team's, the inbox's and everyone's.
SCOPES = ("personal", "team", "inbox", "everyone")


@dataclass(frozen=True)
class Filled:
    text: str
    missing: tuple[str, ...]  # the variables left as written, in order, once each


def fill(text: str, values: Mapping[str, str]) -> Filled:
    """The text with every variable that has a (non-blank) value replaced by it."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name, values.get(name.lower(), ""))
        if value is None or not str(value).strip():
            if name not in missing:
                missing.append(name)
            return str(match.group(0))
        return str(value)

    return Filled(VARIABLE.sub(replace, text), tuple(missing))


def variables_in(text: str) -> list[str]:
    return [match.group(1) for match in VARIABLE.finditer(text)]


def first_name(name: str) -> str:
    return name.strip().split()[0] if name.strip() else ""


@dataclass(frozen=True)
class Candidate:
    key: object  # what the caller identifies it by
    scope: str  # one of SCOPES
    language: str  # a BCP 47 tag, or "" for any language


def best(candidates: Iterable[Candidate], language: str, default_language: str) -> Candidate | None:
    """The variant of one shortcode to use: the most specific scope that has one, and within it
    the contact's language (its exact tag, then its primary language), then one for any
    language, then the organisation's language, then any."""
    found = list(candidates)
    if not found:
        return None
    top = min(SCOPES.index(c.scope) for c in found)
    found = [c for c in found if SCOPES.index(c.scope) == top]

    def rank(candidate: Candidate) -> int:
        tag = candidate.language.lower()
        wanted = language.lower()
        if wanted and tag == wanted:
            return 0
        if wanted and tag and tag.split("-")[0] == wanted.split("-")[0]:
            return 1
        if not tag:
            return 2
        if tag.split("-")[0] == default_language.lower().split("-")[0]:
            return 3
        return 4

    return min(found, key=rank)
