from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Trial:
    """What an agent would do with one message, for the admin's "try this message"."""

    replies: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    error: str = ""


class Agent:
    kind = ""
    # Whether a turn in which the agent did nothing is a failure. An external agent answers
    # later, through the API, so for it silence during the job is normal.
    must_act = True

    def __init__(self, inbox, config: dict):
        self.inbox = inbox
        self.config = config

    def take_turn(self, turn, message_id: int | None) -> bool | None:
        """Act on the turn. Return False when there was nothing to do (another job of the same
        turn already handled these messages), which is not a failure."""
        raise NotImplementedError

    def trial(self, text: str) -> Trial:
        raise NotImplementedError
