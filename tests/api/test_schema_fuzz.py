"""Every operation in the OpenAPI document, fed what its schema allows and what it does not
(schemathesis), as an admin and as an agent: never a 5xx. Runs on whichever database the suite
runs on (CI runs it on SQLite and on PostgreSQL)."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings

from mostrador.accounts.models import Role
from mostrador.inbox.actions.inboxes import create_inbox
from tests.conftest import customer_says, make_user, token_for


def _schema():
    from mostrador.api.main import api

    return schemathesis.openapi.from_dict(api.get_openapi_schema())


schema = _schema()
pytestmark = pytest.mark.django_db


_client = Client()


def send(case, token: str):
    """The generated request, through Django's test client: the whole Django stack, in this
    test's transaction."""
    kw = case.as_transport_kwargs(base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
    headers = {k: v for k, v in kw["headers"].items() if k.lower() not in ("content-type", "content-length", "connection")}
    content_type = kw["headers"].get("Content-Type", "application/octet-stream")
    if "json" in kw:
        body = json.dumps(kw["json"])
    else:
        body = kw.get("data") or b""
        if isinstance(body, dict):
            body, content_type = urlencode(body, doseq=True), "application/x-www-form-urlencoded"
    # One client for every case, its cookies cleared: each request alone, as a fresh client sends
    # it, without building Django's handler (and its middleware, static files index) every time.
    _client.cookies.clear()
    return _client.generic(
        kw["method"], urlsplit(kw["url"]).path, data=body, content_type=content_type, headers=headers,
        QUERY_STRING=urlencode(kw.get("params") or {}, doseq=True),
    )


@pytest.fixture
def people(db):
    """A small installation, so that the ids the fuzzer tries (1, 2, 3…) often exist."""
    admin = make_user("admin@example.test", Role.ADMIN, "Carla Admin")
    agent = make_user("ana@example.test", Role.AGENT, "Ana Rojas")
    for name in ("Tienda", "Taller"):
        inbox = create_inbox(name, "api", {})
        inbox.members.add(agent)
        for who in ("c-1", "c-2"):
            customer_says(inbox.pk, "hola", who=who)
    return {"admin": token_for(admin), "agent": token_for(agent)}


@schema.parametrize()
@settings(
    max_examples=6, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_input_makes_a_5xx(case, people):
    for who, token in people.items():
        response = send(case, token)
        assert response.status_code < 500, (who, case.method, case.formatted_path, case.body, case.query, response.content[:500])
