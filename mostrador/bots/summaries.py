"""The summary on return, written by the inbox's LLM agent where it has one: what the customer
said since the person last looked, and what happened, in two or three sentences for a seller.
Any failure of the model leaves the summary built from the events, as without an agent."""

from __future__ import annotations

import logging

from django.utils import translation

from mostrador.bots.agents import agent_for
from mostrador.bots.agents.llm import LlmAgent
from mostrador.bots.turn import AgentFailed, AgentRetry, AgentTimeout
from mostrador.inbox.models import Message

log = logging.getLogger(__name__)

MOST_MESSAGES = 40
MOST_CHARACTERS = 600
WAIT_SECONDS = 8  # the seller is looking at the chat: an answer later than this is no help
SPEAKERS = {"customer": "Customer", "agent": "Seller", "ai": "Assistant", "system": "System"}


def write_summary(conversation, since, lines: list[str]) -> str | None:
    config = conversation.inbox.setting("ai_agent") or {}
    if config.get("kind") != "llm":
        return None
    agent = agent_for(conversation.inbox)
    assert isinstance(agent, LlmAgent)
    messages = list(
        Message.objects.filter(conversation=conversation, created_at__gt=since).exclude(text="")
        .order_by("-created_at", "-id").values_list("author_kind", "text")[:MOST_MESSAGES]
    )[::-1]
    transcript = "\n".join(f"{SPEAKERS.get(kind, kind)}: {text}" for kind, text in messages)
    language = translation.get_language() or "es"
    instructions = (
        "You help a salesperson who is coming back to a customer chat. In at most three short "
        f"sentences, in the language whose code is '{language}', say what the customer wants now "
        "and what is still open. Do not greet, do not invent facts."
    )
    text = "Messages since they last looked:\n" + (transcript or "(none)") + "\n\nWhat happened:\n" + "\n".join(lines)
    try:
        written = agent.write(instructions, text, WAIT_SECONDS)
    except (AgentFailed, AgentRetry, AgentTimeout) as exc:
        log.info("no written summary for conversation %s: %s", conversation.pk, exc)
        return None
    return written[:MOST_CHARACTERS] or None
