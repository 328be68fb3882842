from __future__ import annotations

from dataclasses import dataclass

from mostrador.inbox.models import AuthorKind


class ActionRefused(Exception):
    """The actor may not do this (an AI reopening, a person handing off…).

    The message is translatable and filled in only when read, so people see it in their own
    language and the API can answer in English; `code` is what programs go by."""

    def __init__(self, message, code: str = "forbidden", **params):
        super().__init__(message)
        self.message, self.code, self.params = message, code, params

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


class ActionConflict(ActionRefused):
    """Someone else changed the thing first (two people dragging one card): the API answers 409
    and the screen tells the one who lost."""


class ActionInvalid(ActionRefused):
    """What was asked cannot be done as asked (a stage skipped without a reason): 422."""


@dataclass(frozen=True)
class Actor:
    kind: str  # an AuthorKind value
    user: object | None = None
    bot_name: str = ""

    @classmethod
    def person(cls, user) -> Actor:
        return cls(AuthorKind.AGENT, user=user)

    @classmethod
    def bot(cls, user, bot_name: str) -> Actor:
        return cls(AuthorKind.AI, user=user, bot_name=bot_name)

    @classmethod
    def person_elsewhere(cls, app_name: str) -> Actor:
        """Someone of the team who wrote from outside Mostrador on the same account (the WhatsApp
        Business app on a coexistence number): a person's reply, by nobody we know."""
        return cls(AuthorKind.AGENT, bot_name=app_name)

    @classmethod
    def system(cls) -> Actor:
        return cls(AuthorKind.SYSTEM)

    @classmethod
    def customer(cls) -> Actor:
        return cls(AuthorKind.CUSTOMER)

    @property
    def author_kind(self) -> AuthorKind:
        return AuthorKind(self.kind)

    @property
    def is_person(self) -> bool:
        return self.kind == AuthorKind.AGENT

    @property
    def is_ai(self) -> bool:
        return self.kind == AuthorKind.AI
