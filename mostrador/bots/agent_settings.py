"""Validation of `settings.ai_agent`, one shape per agent kind (documented in the README).

Secrets (the LLM API key, the webhook signing secret) are split off here so they are stored
encrypted with the inbox's other credentials and never returned.
"""

from __future__ import annotations

import re

from mostrador.bots.routes.validators import VALIDATORS
from mostrador.inbox.inbox_settings import InvalidSettings

KINDS = ("routes", "llm", "webhook")
# Where each kind's secret goes among the inbox's secrets.
SECRET_KEYS = {"llm": ("api_key", "ai_api_key"), "webhook": ("secret", "ai_webhook_secret")}
MENU_STYLES = ("buttons", "list", "text")
_KEY = re.compile(r"^[a-z0-9_-]{1,40}$")
_FIELD = re.compile(r"^[a-z0-9_]{1,40}$")


class InvalidAgent(InvalidSettings):
    pass


def _str(raw: dict, key: str, where: str, *, required=False, max_len=4000) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidAgent(f"{where}.{key} must be a string")
    if required and not value.strip():
        raise InvalidAgent(f"{where}.{key} is required")
    if len(value) > max_len:
        raise InvalidAgent(f"{where}.{key} is longer than {max_len} characters")
    return value


def _num(raw: dict, key: str, where: str, default, lo, hi, kind=int):
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise InvalidAgent(f"{where}.{key} must be a number" if kind is float else f"{where}.{key} must be an integer")
    if not lo <= value <= hi:
        raise InvalidAgent(f"{where}.{key} must be between {lo} and {hi}")
    return value


def _strings(raw: dict, key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidAgent(f"{where}.{key} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _list(raw: dict, key: str, where: str) -> list[dict]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidAgent(f"{where}.{key} must be a list of objects")
    return value


def _url(raw: dict, key: str, where: str) -> str:
    value = _str(raw, key, where, required=True, max_len=2000)
    if not value.startswith(("http://", "https://")):
        raise InvalidAgent(f"{where}.{key} must be an http(s) URL")
    return value.rstrip("/")


def _routes(raw: dict) -> dict:
    w = "settings.ai_agent"
    routes, keys = [], set()
    for i, r in enumerate(_list(raw, "routes", w)):
        rw = f"{w}.routes[{i}]"
        key = _str(r, "key", rw, required=True)
        if not _KEY.match(key) or key in keys:
            raise InvalidAgent(f"{rw}.key must be unique, lower case letters, digits, - or _")
        keys.add(key)
        team_id = r.get("team_id")
        if team_id is not None and (isinstance(team_id, bool) or not isinstance(team_id, int)):
            raise InvalidAgent(f"{rw}.team_id must be an integer or null")
        questions, fields = [], set()
        for j, q in enumerate(_list(r, "questions", rw)):
            qw = f"{rw}.questions[{j}]"
            name = _str(q, "field", qw, required=True)
            if not _FIELD.match(name) or name in fields:
                raise InvalidAgent(f"{qw}.field must be unique, lower case letters, digits or _")
            fields.add(name)
            validate = q.get("validate", "text")
            if validate not in VALIDATORS:
                raise InvalidAgent(f"{qw}.validate must be one of {', '.join(VALIDATORS)}")
            questions.append(
                {"field": name, "prompt": _str(q, "prompt", qw, required=True), "validate": validate,
                 "retry_prompt": _str(q, "retry_prompt", qw)}
            )
        routes.append(
            {"key": key, "title": _str(r, "title", rw, required=True, max_len=60),
             "keywords": _strings(r, "keywords", rw), "team_id": team_id, "tags": _strings(r, "tags", rw),
             "questions": questions, "done_text": _str(r, "done_text", rw)}
        )
    faq = [
        {"question": _str(e, "question", f"{w}.faq[{i}]", required=True),
         "answer": _str(e, "answer", f"{w}.faq[{i}]", required=True),
         "keywords": _strings(e, "keywords", f"{w}.faq[{i}]")}
        for i, e in enumerate(_list(raw, "faq", w))
    ]
    menu = raw.get("menu", "buttons")
    if menu not in MENU_STYLES:
        raise InvalidAgent(f"{w}.menu must be one of {', '.join(MENU_STYLES)}")
    return {
        "greeting": _str(raw, "greeting", w),
        "menu": menu,
        "menu_button": _str(raw, "menu_button", w, max_len=20),
        "not_understood": _str(raw, "not_understood", w),
        "max_misses": _num(raw, "max_misses", w, 2, 1, 10),
        "routes": routes,
        "faq": faq,
        "faq_min_confidence": _num(raw, "faq_min_confidence", w, 0.6, 0, 1, float),
    }


def _llm(raw: dict) -> dict:
    w = "settings.ai_agent"
    return {
        "base_url": _url(raw, "base_url", w),
        "model": _str(raw, "model", w, required=True, max_len=200),
        "system_prompt": _str(raw, "system_prompt", w, max_len=20000),
        "timeout_seconds": _num(raw, "timeout_seconds", w, 20, 1, 300),
        "max_retries": _num(raw, "max_retries", w, 2, 0, 5),
        "history_limit": _num(raw, "history_limit", w, 20, 1, 200),
        "temperature": _num(raw, "temperature", w, 0.2, 0, 2, float),
        "write_summary": bool(raw.get("write_summary", True)),
    }


def _webhook(raw: dict) -> dict:
    w = "settings.ai_agent"
    return {"url": _url(raw, "url", w), "timeout_seconds": _num(raw, "timeout_seconds", w, 10, 1, 60)}


CLEANERS = {"routes": _routes, "llm": _llm, "webhook": _webhook}


def clean(raw: dict) -> tuple[dict, dict]:
    """Validate an ai_agent object; return (settings to store, secrets to seal)."""
    kind = raw.get("kind")
    if kind not in KINDS:
        raise InvalidAgent(f"settings.ai_agent.kind must be one of {', '.join(KINDS)}")
    secrets = {}
    if kind in SECRET_KEYS:
        given, stored = SECRET_KEYS[kind]
        value = _str(raw, given, "settings.ai_agent", max_len=4000)
        if value:
            secrets[stored] = value
    known = {"kind", "name", *(SECRET_KEYS.get(kind, ("",))[:1])}
    cleaned = CLEANERS[kind](raw)
    unknown = set(raw) - known - set(cleaned)
    if unknown:
        raise InvalidAgent(f"settings.ai_agent.{sorted(unknown)[0]} is not a setting of {kind} agents")
    name = _str(raw, "name", "settings.ai_agent", max_len=100).strip()
    return {"kind": kind, "name": name, **cleaned}, secrets


def clean_setting(value) -> tuple[dict | None, dict]:
    """The `ai_agent` inbox setting, as the inbox core's settings registry calls it."""
    if value is None:
        return None, {}
    if not isinstance(value, dict):
        raise InvalidAgent("settings.ai_agent must be an object or null")
    return clean(value)


def on_inbox_configured(event) -> None:
    """Check what a new agent's settings point at, and index the routes bot's FAQ (a hook
    subscriber: raising refuses the settings and rolls the save back)."""
    if not (event.created or "ai_agent" in event.changed):
        return
    from mostrador.accounts.models import Team
    from mostrador.bots.faq import replace_entries

    agent = event.inbox.setting("ai_agent") or {}
    team_ids = {r["team_id"] for r in agent.get("routes", []) if r.get("team_id") is not None}
    missing = team_ids - set(Team.objects.filter(pk__in=team_ids).values_list("pk", flat=True))
    if missing:
        raise InvalidAgent(f"settings.ai_agent.routes names team {min(missing)}, which does not exist")
    replace_entries(event.inbox, agent.get("faq", []) if agent.get("kind") == "routes" else [])
