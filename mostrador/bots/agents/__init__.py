"""The built-in agent kinds, chosen per inbox by `settings.ai_agent.kind`."""

from __future__ import annotations

from .base import Agent
from .llm import LlmAgent
from .routes import RoutesAgent
from .webhook import WebhookAgent

KINDS: dict[str, type[Agent]] = {"routes": RoutesAgent, "llm": LlmAgent, "webhook": WebhookAgent}


def agent_for(inbox) -> Agent:
    config = inbox.setting("ai_agent") or {}
    return KINDS[config["kind"]](inbox, config)
