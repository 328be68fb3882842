"""Priority rules ("¡Turbo!"): an inbox's rules raise a chat's priority when a customer writes a
keyword, the chat carries a tag, or a collected field has a value; the reason goes with it, so a
seller sees why a chat sits above older waits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .text import contains_phrase, fold

KINDS = ("keyword", "tag", "field")


@dataclass(frozen=True)
class Rule:
    kind: str  # one of KINDS
    value: str  # the keyword or phrase, the tag, or the field's value
    priority: int  # 1 high, 2 urgent
    reason: str  # said on the chat's row
    field: str = ""  # the field's name, for a "field" rule


def matches(rule: Rule, text: str, tags: Iterable[str], fields: Mapping[str, object]) -> bool:
    if rule.kind == "keyword":
        # Whole words, accents, capitals and plurals ignored: "URGÉNTES" matches "urgente".
        return contains_phrase(text, rule.value)
    if rule.kind == "tag":
        return fold(rule.value) in {fold(tag) for tag in tags}
    value = fields.get(rule.field)
    return value is not None and fold(str(value)) == fold(rule.value)


def raised(rules: Iterable[Rule], text: str, tags: Iterable[str], fields: Mapping[str, object]) -> tuple[int, str] | None:
    """The highest priority the matching rules give, with the first such rule's reason."""
    tags = list(tags)
    best: tuple[int, str] | None = None
    for rule in rules:
        if matches(rule, text, tags, fields) and (best is None or rule.priority > best[0]):
            best = (rule.priority, rule.reason)
    return best
