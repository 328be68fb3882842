"""Validation of inbox settings: every key is known and typed, secrets are split off."""

from __future__ import annotations

from mostrador.bots import agent_settings

# key -> (accepted python types, minimum for numbers)
COMMON: dict[str, tuple[tuple[type, ...], int | None]] = {
    "ai_enabled": ((bool,), None),
    "ai_can_resolve": ((bool,), None),
    "ai_window_seconds": ((int,), 1),
    "wait_target_seconds": ((int,), 1),
    "case_close_after_seconds": ((int,), 60),
    "ai_agent": ((dict, type(None)), None),
}
PER_CHANNEL: dict[str, dict[str, tuple[tuple[type, ...], int | None]]] = {
    "api": {"outbound_url": ((str,), None)},
    "whatsapp": {
        "phone_number_id": ((str,), None),
        "display_phone_number": ((str,), None),
        "graph_api_url": ((str,), None),
        "business_account_id": ((str,), None),
        "read_receipts": ((bool,), None),
    },
}
SECRETS: dict[str, tuple[str, ...]] = {
    "api": (),
    "whatsapp": ("access_token", "app_secret", "verify_token"),
}


class InvalidSettings(ValueError):
    pass


def split_settings(channel: str, raw: dict) -> tuple[dict, dict]:
    """Validate `raw` for `channel`; return (settings, secrets)."""
    if not isinstance(raw, dict):
        raise InvalidSettings("settings must be an object")
    allowed = {**COMMON, **PER_CHANNEL.get(channel, {})}
    settings, secrets = {}, {}
    for key, value in raw.items():
        if key in SECRETS.get(channel, ()):
            if not isinstance(value, str):
                raise InvalidSettings(f"settings.{key} must be a string")
            secrets[key] = value
            continue
        if key not in allowed:
            raise InvalidSettings(f"settings.{key} is not a setting of {channel} inboxes")
        types, minimum = allowed[key]
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            raise InvalidSettings(f"settings.{key} must be {names}")
        if minimum is not None and value < minimum:
            raise InvalidSettings(f"settings.{key} must be at least {minimum}")
        if key == "ai_agent" and value is not None:
            try:
                value, agent_secrets = agent_settings.clean(value)
            except agent_settings.InvalidAgent as error:
                raise InvalidSettings(str(error)) from None
            secrets.update(agent_secrets)
        settings[key] = value
    return settings, secrets
