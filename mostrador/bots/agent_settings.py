"""`settings.ai_agent`: one pydantic model per agent kind, told apart by `kind` (documented in
the README). Unknown keys are refused with the path to them.

Secrets (the LLM API key, the webhook signing secret) are split off here so they are stored
encrypted with the inbox's other credentials and never returned.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from mostrador.bots.routes.validators import VALIDATORS
from mostrador.core.outbound import OutboundUrl
from mostrador.inbox.inbox_settings import InvalidSettings

# Where each kind's secret goes among the inbox's secrets.
SECRET_KEYS = {"llm": ("api_key", "ai_api_key"), "webhook": ("secret", "ai_webhook_secret")}
KEY_PATTERN = r"^[a-z0-9_-]{1,40}$"
FIELD_PATTERN = r"^[a-z0-9_]{1,40}$"

Text = Annotated[str, Field(max_length=4000)]
Required = Annotated[str, Field(min_length=1, max_length=4000)]
Word = Annotated[str, Field(min_length=1, max_length=200)]
Url = Annotated[OutboundUrl, Field(min_length=8, max_length=2000, pattern=r"^https?://")]
# A number where JSON may write 1 or 1.0, but never "1".
Number = Annotated[float, Field(strict=True)]


class InvalidAgent(InvalidSettings):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def _stripped_words(values: list[str]) -> list[str]:
    words = [v.strip() for v in values]
    if not all(words):
        raise ValueError("must be a list of non-empty strings")
    return words


class Question(_Strict):
    field: str = Field(pattern=FIELD_PATTERN, description="The conversation field the answer is stored in.")
    prompt: Required
    validate_as: str = Field(default="text", alias="validate", description=f"One of {', '.join(VALIDATORS)}.")
    retry_prompt: Text = ""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @field_validator("validate_as")
    @classmethod
    def known(cls, value: str) -> str:
        if value not in VALIDATORS:
            raise ValueError(f"must be one of {', '.join(VALIDATORS)}")
        return value


KEY_RULE = "must be unique, lower case letters, digits, - or _"


class Route(_Strict):
    key: str = Field(description="Unique, lower case letters, digits, - or _.")
    title: str = Field(min_length=1, max_length=60)
    keywords: list[Word] = Field(default_factory=list)
    team_id: StrictInt | None = None
    tags: list[Word] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    done_text: Text = ""
    # Once its questions are answered, the hand-off asks people for a quote (Por cotizar).
    creates_quote: StrictBool = False

    _words = field_validator("keywords", "tags")(_stripped_words)

    @field_validator("key")
    @classmethod
    def key_shape(cls, value: str) -> str:
        if not re.match(KEY_PATTERN, value):
            raise ValueError(KEY_RULE)
        return value

    @field_validator("title")
    @classmethod
    def has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is required")
        return value

    @model_validator(mode="after")
    def distinct_fields(self):
        names = [q.field for q in self.questions]
        if len(set(names)) != len(names):
            raise ValueError("questions must each store a different field")
        return self


class FaqItem(_Strict):
    question: Required
    answer: Required
    keywords: list[Word] = Field(default_factory=list)

    _words = field_validator("keywords")(_stripped_words)


class RoutesAgent(_Strict):
    kind: Literal["routes"]
    name: Annotated[str, Field(max_length=100)] = ""
    greeting: Text = ""
    menu: Literal["buttons", "list", "text"] = "buttons"
    menu_button: Annotated[str, Field(max_length=20)] = ""
    not_understood: Text = ""
    max_misses: Annotated[StrictInt, Field(ge=1, le=10)] = 2
    routes: list[Route] = Field(default_factory=list)
    faq: list[FaqItem] = Field(default_factory=list)
    faq_min_confidence: Annotated[Number, Field(ge=0, le=1)] = 0.6

    @model_validator(mode="after")
    def distinct_keys(self):
        keys = [r.key for r in self.routes]
        for index, key in enumerate(keys):
            if keys.count(key) > 1:
                raise ValueError(f"routes[{index}].key {KEY_RULE}")
        return self


class LlmAgent(_Strict):
    kind: Literal["llm"]
    name: Annotated[str, Field(max_length=100)] = ""
    base_url: Url
    model: str = Field(min_length=1, max_length=200)
    api_key: Text = Field(default="", description="Write-only: stored encrypted, never returned.")
    system_prompt: Annotated[str, Field(max_length=20000)] = ""
    timeout_seconds: Annotated[StrictInt, Field(ge=1, le=300)] = 20
    max_retries: Annotated[StrictInt, Field(ge=0, le=5)] = 2
    history_limit: Annotated[StrictInt, Field(ge=1, le=200)] = 20
    temperature: Annotated[Number, Field(ge=0, le=2)] = 0.2
    write_summary: StrictBool = True

    @field_validator("base_url")
    @classmethod
    def no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class WebhookAgent(_Strict):
    kind: Literal["webhook"]
    name: Annotated[str, Field(max_length=100)] = ""
    url: Url
    secret: Text = Field(default="", description="Write-only: signs each event; stored encrypted, never returned.")
    timeout_seconds: Annotated[StrictInt, Field(ge=1, le=60)] = 10

    @field_validator("url")
    @classmethod
    def no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


AgentSettings = Annotated[RoutesAgent | LlmAgent | WebhookAgent, Field(discriminator="kind")]
_adapter: TypeAdapter[Any] = TypeAdapter(AgentSettings)
KINDS = ("routes", "llm", "webhook")


def clean(raw: dict) -> tuple[dict, dict]:
    """Validate an ai_agent object; return (settings to store, secrets to seal)."""
    if raw.get("kind") not in KINDS:
        raise InvalidAgent(f"settings.ai_agent.kind must be one of {', '.join(KINDS)}")
    try:
        agent = _adapter.validate_python(raw)
    except ValidationError as error:
        raise InvalidAgent(_describe(error)) from None
    stored = agent.model_dump(by_alias=True)
    stored["name"] = stored["name"].strip()
    secrets = {}
    if agent.kind in SECRET_KEYS:
        given, kept_as = SECRET_KEYS[agent.kind]
        if stored.pop(given):
            secrets[kept_as] = getattr(agent, given)
    return stored, secrets


def _describe(error: ValidationError) -> str:
    """The first problem, with its path as the API's clients write it: routes[0].questions[1].field."""
    problem = error.errors()[0]
    path = "settings.ai_agent"
    for part in problem["loc"][1:]:  # the first is the union member's tag
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    message = str(problem["msg"]).removeprefix("Value error, ")
    if problem["type"] == "extra_forbidden":
        return f"{path} is not a setting of {problem['loc'][0]} agents"
    if message.startswith("routes["):  # a check over the whole agent that names its own path
        return f"{path}.{message}"
    return f"{path} {message}" if message.startswith(("must", "is ", "questions")) else f"{path}: {message}"


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
