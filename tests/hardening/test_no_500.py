"""Input found to make the server fail (a 500) now gets a clear 4xx and changes nothing."""

from __future__ import annotations

import base64
import json

import pytest

from mostrador.inbox.models import Message, Note, Tag
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def conv(admin_api, inbox):
    return customer_says(inbox.pk, "hola")["conversation_id"]


def test_ids_beyond_what_a_database_holds_are_refused(admin_api, conv):
    for params in ({"inbox_id": 2**70}, {"assignee_id": 2**63}, {"team_id": -1}):
        answer = admin_api.get("/conversations", **params)
        assert answer.status_code == 422, (params, answer.json_body)
    assert admin_api.post(f"/conversations/{conv}/assign", {"user_id": 2**64}).status_code == 422
    assert admin_api.post("/teams", {"name": "X", "member_ids": [2**64]}).status_code == 422


@pytest.mark.parametrize(
    "values",
    [[1, 2, 3], ["x", "2026-01-01T00:00:00+00:00", 1], [0, "0001-01-01T00:00:00+14:00", 1], [0, "2026-01-01T00:00:00", 1],
     [0, "2026-01-01T00:00:00+00:00", 2**70], [True, "2026-01-01T00:00:00+00:00", 1], [[[[]]], None, {}]],
)
def test_a_cursor_with_values_of_the_wrong_kind_is_refused(admin_api, conv, values):
    answer = admin_api.get("/conversations", state="pending", cursor=cursor(values))
    assert answer.status_code == 400 and answer.json_body["code"] == "bad_cursor"
    messages = admin_api.get(f"/conversations/{conv}/messages", cursor=cursor(values[:2]))
    assert messages.status_code == 400


@pytest.mark.parametrize("sent_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2001-01-01T00:00:00+00:00"])
def test_a_customer_message_dated_outside_the_window_is_refused(admin_api, inbox, sent_at):
    body = {"contact": {"external_id": "c"}, "text": "hola", "sent_at": sent_at}
    answer = admin_api.post(f"/inboxes/{inbox.pk}/messages", body)
    assert answer.status_code == 422 and "sent_at" in answer.json_body["detail"]
    assert not Message.objects.exists()


def test_text_with_nul_is_refused_and_nothing_is_stored(admin_api, conv):
    answer = admin_api.post(f"/conversations/{conv}/notes", {"text": "a\u0000b"})
    assert answer.status_code == 422 and "NUL" in answer.json_body["detail"]
    assert not Note.objects.exists()


def test_a_tag_longer_than_sixty_characters_is_refused(admin_api, conv):
    assert admin_api.post(f"/conversations/{conv}/tags", {"tags": ["x" * 61]}).status_code == 422
    assert not Tag.objects.exists()


@pytest.mark.parametrize("raw", ["false", "null", "[]", '"x"', "0", "[" * 100_000])
def test_a_body_that_is_not_an_object_is_refused(admin_api, agent, conv, raw):
    admin_api.post(f"/conversations/{conv}/assign", {"user_id": agent.pk})
    answer = admin_api.post(f"/conversations/{conv}/assign", raw=raw)
    assert answer.status_code in (400, 422), answer.json_body
    assert admin_api.get(f"/conversations/{conv}").json_body["assignee_id"] == agent.pk
