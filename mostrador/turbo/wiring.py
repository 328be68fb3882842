"""An inbox's priority rules (its `priority_rules` setting), applied as chats change: a customer
message with a keyword, a tag put on, a field collected. A rule only ever raises a priority;
lowering one is for people."""

from __future__ import annotations

from dataclasses import replace

from mostrador.inbox import actions, hooks
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.models import EventKind
from mostrador.rules import turbo

MOST_RULES = 50
SHORT = 60

WATCHED = {EventKind.MESSAGE, EventKind.TAGGED, EventKind.FIELD_SET}


def clean_rules(value):
    if not isinstance(value, list) or len(value) > MOST_RULES:
        raise InvalidSettings(f"settings.priority_rules must be a list of at most {MOST_RULES} rules")
    cleaned = []
    for n, rule in enumerate(value):
        where = f"settings.priority_rules[{n}]"
        if not isinstance(rule, dict) or set(rule) - {"keyword", "tag", "field", "equals", "priority", "reason"}:
            raise InvalidSettings(f"{where} takes keyword, tag, or field with equals; priority; reason")
        kinds = [kind for kind in turbo.KINDS if rule.get(kind) not in (None, "")]
        if len(kinds) != 1:
            raise InvalidSettings(f"{where} needs exactly one of keyword, tag or field")
        kind = kinds[0]
        value_ = rule.get("equals") if kind == "field" else rule[kind]
        texts = [value_, rule.get("reason", ""), rule.get("field", "")]
        if not all(isinstance(t, str) and len(t) <= SHORT for t in texts) or not str(value_ or "").strip():
            raise InvalidSettings(f"{where}: its words are text of at most {SHORT} characters (a field rule needs equals)")
        if rule.get("priority") not in (1, 2):
            raise InvalidSettings(f"{where}.priority must be 1 (high) or 2 (urgent)")
        cleaned.append(stored(turbo.Rule(kind, value_, rule["priority"], rule.get("reason", "").strip(), rule.get("field", ""))))
    return cleaned, {}


def stored(rule: turbo.Rule) -> dict:
    """A rule as the `priority_rules` setting holds it (the API's shape)."""
    what = {"field": rule.field, "equals": rule.value} if rule.kind == "field" else {rule.kind: rule.value}
    return {**what, "priority": rule.priority, "reason": rule.reason}


def parsed(raw: dict) -> turbo.Rule:
    """A rule the setting holds (already cleaned), its reason as written."""
    kind = next(k for k in turbo.KINDS if raw.get(k))
    return turbo.Rule(kind, raw["equals"] if kind == "field" else raw[kind], raw["priority"], raw.get("reason", ""), raw.get("field", ""))


def rules_of(inbox) -> list[turbo.Rule]:
    """The inbox's rules as applied: a rule without a reason gives its words as the reason."""
    return [replace(rule, reason=rule.reason or rule.value) for rule in map(parsed, inbox.setting("priority_rules") or [])]


def on_conversation_changed(change: hooks.ConversationChanged) -> None:
    if change.kind not in WATCHED or (change.kind == EventKind.MESSAGE and change.actor.kind != "customer"):
        return
    conv = change.conversation
    rules = rules_of(conv.inbox)
    if not rules:
        return
    text = " ".join(m.text or "" for m in (change.messages or ((change.message,) if change.message else ())))
    fields = conv.fields if "fields" not in conv.get_deferred_fields() else type(conv).objects.get(pk=conv.pk).fields
    found = turbo.raised(rules, text, conv.tags.values_list("name", flat=True), fields or {})
    if found is not None and found[0] > (type(conv).objects.filter(pk=conv.pk).values_list("priority", flat=True).first() or 0):
        actions.set_priority(conv, actions.Actor.system(), found[0], reason=found[1])
