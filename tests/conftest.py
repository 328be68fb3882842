from __future__ import annotations

import asyncio
import json
import os
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from mostrador.accounts.models import ApiToken, Role, User
from mostrador.inbox.actions.inboxes import create_inbox

LOOPBACK = "127.0.0.0/8 ::1 localhost"

# Each pytest-xdist worker has a test database of its own (pytest-django names them apart); its
# Redis keys and its realtime channel are kept apart the same way, or one worker's sockets would
# hear the other's events. Servers a test starts inherit the prefix.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER:
    settings.MOSTRADOR_REDIS_PREFIX = os.environ["MOSTRADOR_REDIS_PREFIX"] = f"{settings.MOSTRADOR_REDIS_PREFIX}-{_WORKER}"


@pytest.fixture(autouse=True)
def sandboxes_on(settings):
    """The channels' sandboxes are off unless an installation asks for them; the tests use them."""
    settings.MOSTRADOR_SANDBOX = True
    # The tests' fakes of providers listen on loopback, as the demo's sandboxes do; the refusal
    # of such addresses by default is tested on its own (tests/hardening/test_outbound_urls.py).
    settings.MOSTRADOR_OUTBOUND_ALLOW = LOOPBACK
    # A real installation hashes passwords slowly on purpose (a million rounds); tests make
    # hundreds of users, and how the hash is made is Django's to test, not ours.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A closed last tab turns its person offline at once here (the grace for reloads is tested
    # on its own), so no timer outlives the event loop of the test that started it.
    settings.MOSTRADOR_PRESENCE_GRACE_SECONDS = 0


class Api:
    """A REST client speaking to the real URL stack with a bearer token."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def _do(self, method, path, body=None, raw=None, **params):
        kwargs = dict(self.headers)
        if raw is not None:
            kwargs.update(data=raw, content_type="application/json")
        elif body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        elif params:
            kwargs["data"] = params
        response = getattr(self.client, method)(f"/api/v1{path}", **kwargs)
        is_json = response.get("Content-Type", "").startswith("application/json") and not response.streaming
        response.json_body = response.json() if is_json and response.content else None
        return response

    def get(self, path, **params):
        return self._do("get", path, **params)

    def post(self, path, body=None, raw=None):
        return self._do("post", path, body=body if body is not None else ({} if raw is None else None), raw=raw)

    def patch(self, path, body):
        return self._do("patch", path, body=body)

    def delete(self, path):
        return self._do("delete", path)


def make_user(email, role=Role.AGENT, name=None):
    return User.objects.create_user(email, "secret-pass-1", name=name or email.split("@")[0].title(), role=role)


@pytest.fixture
def admin(db):
    return make_user("admin@example.test", Role.ADMIN, "Carla Admin")


@pytest.fixture
def agent(db):
    return make_user("ana@example.test", Role.AGENT, "Ana Rojas")


@pytest.fixture
def outsider(db):
    return make_user("otro@example.test", Role.AGENT, "Otro Vendedor")


@pytest.fixture
def inbox(db, agent):
    box = create_inbox("Tienda", "api", {})
    box.members.add(agent)
    return box


@pytest.fixture
def ai_inbox(db, agent):
    box = create_inbox("Con IA", "api", {"ai_enabled": True, "ai_window_seconds": 2})
    box.members.add(agent)
    return box


def token_for(user, bot=""):
    return ApiToken.issue(user, bot_name=bot)[1]


@pytest.fixture
def admin_api(admin):
    return Api(token_for(admin))


@pytest.fixture
def agent_api(agent):
    return Api(token_for(agent))


@pytest.fixture
def bot_api(agent):
    return Api(token_for(agent, bot="asistente"))


@pytest.fixture
def outsider_api(outsider):
    return Api(token_for(outsider))




def later(seconds: float):
    """Move the clock forward, as if `seconds` had passed (time-machine; no sleeping)."""
    import time_machine
    from django.utils import timezone

    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)


def integration_api(inbox_id: int) -> Api:
    """The outside system that feeds an `api` inbox, with that inbox's integration token: the
    only kind (besides an admin's) that delivers customer messages."""
    from mostrador.inbox.actions.inboxes import issue_integration_token
    from mostrador.inbox.models import Inbox

    token = ApiToken.objects.filter(inbox_id=inbox_id, label="tests").first()
    if token is None or inbox_id not in _integration_keys or ApiToken.find(_integration_keys[inbox_id]) != token:
        owner = User.objects.filter(email="integracion@example.test").first() or make_user(
            "integracion@example.test", Role.ADMIN, "Integración"
        )
        _integration_keys[inbox_id] = issue_integration_token(Inbox.objects.get(pk=inbox_id), owner, "tests")[1]
    return Api(_integration_keys[inbox_id])


_integration_keys: dict[int, str] = {}


def customer_says(inbox_id: int, text: str, who: str = "cliente-1", **extra):
    """A customer's message, delivered as the inbox's outside system delivers it."""
    body = {"contact": {"external_id": who, "name": who.title()}, "text": text, **extra}
    response = integration_api(inbox_id).post(f"/inboxes/{inbox_id}/messages", body)
    assert response.status_code in (200, 201), response.json_body
    return response.json_body


@pytest.fixture
def published():
    """Collects the realtime events that really went out, as a socket that sees every inbox
    would hear them: on an event loop of its own, through this process's hub (and Redis, when
    it is set)."""
    from mostrador.realtime import hub, relay

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    heard: asyncio.Queue = asyncio.Queue()

    def on_loop(coro):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=10)

    async def join():
        async def send(text):
            heard.put_nowait(json.loads(text))

        listener = hub.Receiver(0, hub.View(everything=True), send)
        here = hub.here()
        here.add(listener)
        if relay.enabled():
            await relay.joined(here)
        listener.release()
        return here, listener

    here, listener = on_loop(join())

    async def drain():
        out = []
        deadline = asyncio.get_running_loop().time() + 10
        while asyncio.get_running_loop().time() < deadline:
            try:
                out.extend(await asyncio.wait_for(heard.get(), 0.3))
            except asyncio.TimeoutError:
                return out
        raise AssertionError("events kept coming for 10 s")

    yield lambda: on_loop(drain())

    async def leave():
        here.remove(listener)
        if relay.enabled():
            await relay.left(here)

    on_loop(leave())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
