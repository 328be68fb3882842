"""Inbox settings: the keys every channel shares, the keys the inbox's connector declares, and the
keys that capabilities register (the AI agent). Each key is validated by its pydantic type; an
unknown key is refused, and secrets are split off to be stored encrypted."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, field_validator

# A window, target or delay in seconds: any value from one second up to a year.
Seconds = Annotated[StrictInt, Field(ge=1, le=366 * 86400)]


class CommonSettings(BaseModel):
    """Settings every inbox has, whatever its channel (CONTRACT.md)."""

    model_config = ConfigDict(extra="forbid")

    ai_enabled: StrictBool = False
    # How long the AI stays quiet after a person answers (rules.attention.AiAfterPerson).
    ai_after_person: Literal["case_end", "next_wait"] = "case_end"
    ai_can_resolve: StrictBool = False
    ai_window_seconds: Seconds = 300
    wait_target_seconds: Seconds = 900
    case_close_after_seconds: Seconds = 86400
    # Teamwork (DESIGN.md section 4): who gets new chats, how many each may hold, what agents see
    # and which teams work the inbox (their members see it as if they were its members).
    assignment: Literal["manual", "round_robin", "balanced"] = "manual"
    capacity: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = None
    visibility: Literal["all", "own_and_unassigned"] = "all"
    team_ids: list[StrictInt] = Field(default_factory=list)

    @field_validator("team_ids")
    @classmethod
    def _teams_exist(cls, ids: list[int]) -> list[int]:
        from mostrador.accounts.models import Team

        wanted = sorted(set(ids))
        found = set(Team.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = [i for i in wanted if i not in found]
        if missing:
            raise ValueError(f"no team with id {missing[0]}")
        return wanted


class InvalidSettings(ValueError):
    pass


# Settings a capability adds to every inbox: key -> (clean(value) -> (value, secrets), default).
_registered: dict[str, tuple[Callable[[Any], tuple[Any, dict]], Any]] = {}


def register_setting(key: str, clean: Callable[[Any], tuple[Any, dict]], default: Any = None) -> None:
    """Let a capability own one inbox setting. `clean` validates a value (raising
    InvalidSettings) and returns it with any secrets to store encrypted."""
    _registered[key] = (clean, default)
    defaults.cache_clear()


@cache
def defaults(channel: str) -> dict:
    """Every setting's default for an inbox of this channel."""
    from mostrador.connectors.base import connector_class

    connector = connector_class(channel)
    values = CommonSettings().model_dump()
    values.update({key: default for key, (_, default) in _registered.items()})
    values.update(connector.settings_model.model_construct().model_dump(exclude=set(connector.secret_keys)))
    return values


def split_settings(channel: str, raw: dict) -> tuple[dict, dict]:
    """Validate the given keys of `raw` for `channel` (a partial update is fine); return
    (settings, secrets)."""
    from mostrador.connectors.base import connector_class

    if not isinstance(raw, dict):
        raise InvalidSettings("settings must be an object")
    connector = connector_class(channel)
    settings, secrets = {}, {}
    for key, value in raw.items():
        if key in _registered:
            clean, _ = _registered[key]
            settings[key], found = clean(value)
            secrets.update(found)
            continue
        model = CommonSettings if key in CommonSettings.model_fields else connector.settings_model
        if key not in model.model_fields:
            raise InvalidSettings(f"settings.{key} is not a setting of {channel} inboxes")
        checked = _check(model, key, value)
        if key in connector.secret_keys:
            secrets[key] = checked
        else:
            settings[key] = checked
    return settings, secrets


def _check(model: type[BaseModel], key: str, value):
    # Validated as an assignment to a blank model, so a key's own validators run too.
    instance = model.model_construct()
    try:
        model.__pydantic_validator__.validate_assignment(instance, key, value)
    except ValidationError as error:
        problem = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise InvalidSettings(f"settings.{key}: {_lower_first(problem)}") from None
    return getattr(instance, key)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
