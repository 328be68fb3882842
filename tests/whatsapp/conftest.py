from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mostrador.connectors.whatsapp.connector import signature_of
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.jobs.runner import run_due_jobs

from .fake_graph import TOKEN, FakeGraph

FIXTURES = Path(__file__).parent.parent / "fixtures" / "whatsapp"
PHONE_NUMBER_ID = "109876543210001"
APP_SECRET = "test-app-secret-0123"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def post_webhook(body, secret: str = APP_SECRET, signature: str | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    sig = signature if signature is not None else signature_of(secret, raw)
    if sig:
        headers["HTTP_X_HUB_SIGNATURE_256"] = sig
    return Client().post("/webhooks/whatsapp", data=raw, content_type="application/json", **headers)


def arrive(name: str, api) -> dict:
    """A recorded notification reaches the webhook and is processed; returns the pending chat."""
    response = post_webhook(fixture(name))
    assert response.status_code == 200, response.content
    run_jobs()
    return api.get("/conversations", state="pending").json_body["items"][0]


def seller(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def read_receipts(graph) -> list[dict]:
    return [r["json"] for r in graph.requests if r["json"] and r["json"].get("status") == "read"]


def run_jobs(rounds: int = 5) -> None:
    """Run every job, including retries scheduled for later (tests do not wait for backoff)."""
    for _ in range(rounds):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_due_jobs()


@pytest.fixture
def graph():
    fake = FakeGraph()
    yield fake
    fake.close()


@pytest.fixture
def wa_inbox(db, agent, graph):
    box = create_inbox(
        "WhatsApp Tienda",
        "whatsapp",
        {
            "phone_number_id": PHONE_NUMBER_ID,
            "display_phone_number": "+56 2 2940 1234",
            "business_account_id": "204060801234567",
            "graph_api_url": graph.graph_api_url,
            "access_token": TOKEN,
            "app_secret": APP_SECRET,
            "verify_token": "verify-me",
        },
    )
    box.members.add(agent)
    return box
