"""The AI turn (DESIGN.md section 2): when a customer message starts a wait on a conversation
with the AI on, the inbox's agent gets the turn as a durable job.

The agent acts only through a `Turn`, which writes through the actions as the bot and checks,
before every write, that the AI still holds the turn: once a person answers, the AI hands off or
its window runs out, the agent's next reply is refused and the turn is dropped. An agent that
errors, times out or does nothing hands off, with the reason recorded, so the chat is pending at
once and never silently stranded.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mostrador.inbox import actions, hooks
from mostrador.inbox.actions import ActionRefused, Actor, OutboundContent
from mostrador.inbox.models import AuthorKind, Conversation, EventKind, Message
from mostrador.jobs.retry import backoff
from mostrador.rules.attention import State

log = logging.getLogger(__name__)


class TurnOver(Exception):
    """The AI no longer holds the turn: stop quietly."""


class AgentTimeout(Exception):
    pass


class AgentFailed(Exception):
    pass


class AgentRetry(AgentFailed):
    """A failure that may pass (a rate limit, a 5xx, the network): the turn is tried again later,
    as a new job, up to `attempts` times, if the agent has done nothing yet in it."""

    def __init__(self, message: str, attempts: int):
        super().__init__(message)
        self.attempts = attempts


def agent_config(inbox) -> dict | None:
    return inbox.setting("ai_agent") or None


def bot_name(config: dict) -> str:
    default = {"routes": _("Menu bot"), "llm": _("AI assistant"), "webhook": _("External agent")}
    return config.get("name") or default.get(config.get("kind"), _("AI"))


def bot_actor(inbox) -> Actor:
    with translation.override(settings.LANGUAGE_CODE):
        return Actor.bot(None, bot_name(agent_config(inbox) or {}))


# Subscribed to the domain hooks (apps.py): runs inside the action's transaction -------------

def on_conversation_changed(change: hooks.ConversationChanged) -> None:
    """React to a change: start the AI's turn, hand it a new message, or end it."""
    conv = change.conversation
    config = agent_config(conv.inbox)
    if config is None:
        return
    if change.kind == EventKind.AI_WINDOW_ENDED:
        turn_ended(conv, "window_ended")
        return
    if change.ai_turn_started:
        actions.record_ai_turn_started(conv, bot_actor(conv.inbox), change.now)
    if conv.ai_since is not None and change.state_after == State.WITH_AI and (
        change.ai_turn_started or change.actor.kind == AuthorKind.CUSTOMER
    ):
        message_id = change.message.pk if change.message is not None else None
        take_turn.enqueue(conv.pk, conv.ai_since.isoformat(), message_id)
    if change.ai_turn_taken_away:
        turn_ended(conv, _END_REASONS.get(change.kind, change.kind))
    if change.actor.is_person and change.kind == EventKind.MESSAGE and conv.bot_state:
        # A person took over mid-flow; the bot starts afresh when it next gets a turn.
        actions.remember_bot_state(conv, {})


_END_REASONS = {
    EventKind.MESSAGE: "person_replied",
    EventKind.HANDOFF: "handoff",
    EventKind.RESOLVED: "resolved",
    EventKind.REOPENED: "reopened",
    EventKind.AI_TOGGLED: "ai_disabled",
}


def turn_ended(conv: Conversation, reason: str) -> None:
    """Tell an external agent its turn is over, so it stops (built-in agents simply check)."""
    config = agent_config(conv.inbox)
    if config and config["kind"] == "webhook":
        from mostrador.bots.agents.webhook import send_event

        send_event(conv, "turn.ended", reason=reason)


# The job ------------------------------------------------------------------------------------

@task(queue_name="agents")
def take_turn(conversation_id: int, turn: str, message_id: int | None = None, attempt: int = 1) -> str:
    from mostrador.bots.agents import agent_for

    conv = Conversation.objects.select_related("inbox", "contact").filter(pk=conversation_id).first()
    if conv is None or not holds_turn(conv, turn):
        return "turn over"
    config = agent_config(conv.inbox)
    if config is None:
        return "no agent"
    current = Turn(conv, turn)
    agent = agent_for(conv.inbox)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            if agent.take_turn(current, message_id) is False:
                return "nothing to do"
        except TurnOver:
            return "turn over"
        except AgentTimeout as error:
            log.warning("AI agent timed out on conversation %s: %s", conv.pk, error)
            return current.fail("timeout", _("The AI agent did not answer in time."))
        except AgentRetry as error:
            if not current.acted and attempt < error.attempts:
                # Tried again as a new job, never by sleeping in this one: the agents' lane
                # keeps serving other chats meanwhile. A turn that already did something is not
                # re-run (it would say it twice); it hands off like any failure.
                wait = backoff(attempt, first=0.5, cap=4)
                take_turn.using(run_after=timezone.now() + wait).enqueue(conversation_id, turn, message_id, attempt + 1)
                return "retrying"
            log.warning("AI agent failed on conversation %s: %s", conv.pk, error)
            return current.fail("error", _("The AI agent failed: %(detail)s") % {"detail": _short(error)})
        except Exception as error:  # any failure of an agent is a hand-off, never a stranded chat
            log.exception("AI agent failed on conversation %s", conv.pk)
            return current.fail("error", _("The AI agent failed: %(detail)s") % {"detail": _short(error)})
        if not current.acted and agent.must_act:
            return current.fail("empty", _("The AI agent returned nothing."))
    return "done"


def holds_turn(conv: Conversation, turn: str) -> bool:
    return (
        conv.ai_since is not None
        and conv.ai_since.isoformat() == turn
        and conv.state(timezone.now()) == State.WITH_AI
    )


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "…"


class Turn:
    """What an agent may do during its turn, each step written through the actions as the bot."""

    def __init__(self, conv: Conversation, turn: str):
        self.conv = conv
        self.turn = turn
        self.actor = bot_actor(conv.inbox)
        self.acted = False
        self.finished = False

    # Reading ----------------------------------------------------------------------------------

    @property
    def inbox(self):
        return self.conv.inbox

    @property
    def deadline(self):
        return self.conv.ai_deadline

    def refresh(self) -> Conversation:
        self.conv = Conversation.objects.select_related("inbox", "contact").get(pk=self.conv.pk)
        return self.conv

    def check(self) -> None:
        if self.finished or not holds_turn(self.refresh(), self.turn):
            raise TurnOver()

    def new_customer_messages(self) -> list[Message]:
        """Customer messages of this wait the bot has not handled yet, oldest first."""
        seen = self.conv.bot_state.get("last_message_id") or 0
        return list(
            self.conv.messages.filter(
                author_kind=AuthorKind.CUSTOMER, created_at__gte=self.conv.waiting_since, pk__gt=seen
            ).order_by("created_at", "pk")
        )

    def history(self, limit: int) -> list[Message]:
        recent = self.conv.messages.select_related("author").order_by("-created_at", "-pk")[:limit]
        return list(reversed(recent))

    # Acting -----------------------------------------------------------------------------------

    def _do(self, action, *args, **kwargs):
        self.check()
        try:
            result = action(self.conv, self.actor, *args, **kwargs)
        except ActionRefused as refused:
            if refused.code == "not_ai_turn":
                raise TurnOver() from None
            raise
        self.acted = True
        return result

    def say(self, text: str, interactive: dict | None = None) -> Message:
        return self._do(actions.send_message, OutboundContent(text=text, interactive=interactive))

    def set_field(self, name: str, value: str) -> None:
        self._do(actions.set_field, name, value)

    def add_tag(self, name: str) -> None:
        self._do(actions.add_tag, name)

    def remember(self, state: dict) -> None:
        actions.remember_bot_state(self.conv, state)

    def handoff(
        self, reason: str, *, wants: str = "", team_id: int | None = None, route: str = "", cause: str = "agent", asks: dict | None = None
    ) -> None:
        from mostrador.accounts.models import Team

        team = Team.objects.filter(pk=team_id).first() if team_id else None
        self._do(actions.handoff, reason, wants=wants, team=team, route=route, cause=cause, asks=asks)
        self.finished = True

    def resolve(self) -> None:
        self._do(actions.resolve)
        self.finished = True

    def fail(self, cause: str, reason: str) -> str:
        """Hand the chat to people because the agent could not carry its turn.

        Recorded even when the window has just run out, so the reason is on the timeline; not
        when a person or a new turn has already taken over."""
        conv = self.refresh()
        if self.finished or conv.ai_since is None or conv.ai_since.isoformat() != self.turn:
            return "turn over"
        actions.handoff(conv, self.actor, reason, cause=cause)
        self.finished = True
        return cause
