from __future__ import annotations

from dataclasses import dataclass

import pytest

from mostrador.accounts.models import Role, User
from mostrador.jobs.runner import run_due_jobs
from tests.conftest import Api, customer_says, make_user, token_for


@dataclass
class Seller:
    user: User
    api: Api

    @property
    def id(self) -> int:
        return self.user.pk

    def set(self, availability: str) -> None:
        answer = self.api.post("/users/me/availability", {"availability": availability})
        assert answer.status_code == 200, answer.json_body
        assert answer.json_body["availability"] == availability


@pytest.fixture
def sellers(db):
    """Three agents, each with an API token, online."""
    out = []
    for name in ("Ana Rojas", "Bruno Díaz", "Carla Soto"):
        user = make_user(f"{name.split()[0].lower()}.ventas@example.test", Role.AGENT, name)
        seller = Seller(user, Api(token_for(user)))
        seller.set("online")
        out.append(seller)
    return out


@pytest.fixture
def supervisor(db):
    user = make_user("sofia@example.test", Role.SUPERVISOR, "Sofía Supervisora")
    return Seller(user, Api(token_for(user)))


def new_inbox(admin_api: Api, members: list[Seller], **settings) -> int:
    answer = admin_api.post(
        "/inboxes", {"name": "Ventas", "channel": "api", "settings": settings, "member_ids": [m.id for m in members]}
    )
    assert answer.status_code == 201, answer.json_body
    return answer.json_body["id"]


def chat(admin_api: Api, inbox_id: int, who: str, text: str = "hola") -> dict:
    """A customer writes; returns the conversation as the API shows it right after."""
    return customer_says(inbox_id, text, who=who)["conversation"]


def conversation(api: Api, conversation_id: int) -> dict:
    answer = api.get(f"/conversations/{conversation_id}")
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def settle() -> None:
    """Run the background jobs that are due (queue drains)."""
    run_due_jobs()
