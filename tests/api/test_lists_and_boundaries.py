"""Ordering, pagination, idempotent inbound, permissions and bad input through the API."""

from datetime import datetime, timedelta, timezone

import pytest

from mostrador.inbox.models import Message
from tests.conftest import customer_says, integration_api


def iso(minutes_ago: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()


def test_pending_is_ordered_by_priority_then_longest_wait(agent_api, inbox):
    ids = {}
    for who, minutes in (("a", 3), ("b", 20), ("c", 9)):
        ids[who] = customer_says(inbox.pk, "hola", who=who, sent_at=iso(minutes))["conversation_id"]
    listed = [c["id"] for c in agent_api.get("/conversations", state="pending").json_body["items"]]
    assert listed == [ids["b"], ids["c"], ids["a"]]
    agent_api.post(f"/conversations/{ids['a']}/priority", {"priority": 2})
    listed = [c["id"] for c in agent_api.get("/conversations", state="pending").json_body["items"]]
    assert listed == [ids["a"], ids["b"], ids["c"]]


def test_cursor_pagination_walks_every_row_once(agent_api, inbox):
    expected = [customer_says(inbox.pk, "hola", who=f"c{i}", sent_at=iso(60 - i))["conversation_id"] for i in range(7)]
    seen, cursor = [], None
    for _ in range(10):  # 7 rows in pages of 3: never more than 3 pages
        params = {"state": "pending", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = agent_api.get("/conversations", **params).json_body
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == expected


def test_same_external_id_twice_stores_one_message(inbox):
    system = integration_api(inbox.pk)
    first = system.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"external_id": "x"}, "text": "hola", "external_id": "m-1"})
    again = system.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"external_id": "x"}, "text": "hola", "external_id": "m-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert first.json_body["id"] == again.json_body["id"]
    assert Message.objects.filter(inbox=inbox, external_id="m-1").count() == 1


def test_a_future_sent_at_does_not_start_a_wait_in_the_future(agent_api, inbox):
    out = customer_says(inbox.pk, "hola", sent_at=(datetime.now(timezone.utc) + timedelta(hours=2)).isoformat())
    assert datetime.fromisoformat(out["conversation"]["waiting_since"]) <= datetime.now(timezone.utc)


def test_another_inboxes_conversation_is_a_404(agent_api, outsider_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    for method, path in [
        ("get", f"/conversations/{conv_id}"),
        ("get", f"/conversations/{conv_id}/messages"),
        ("post", f"/conversations/{conv_id}/resolve"),
        ("post", f"/conversations/{conv_id}/reopen"),
        ("get", f"/inboxes/{inbox.pk}"),
    ]:
        response = getattr(outsider_api, method)(path)
        assert response.status_code == 404, path
        assert response.json_body["code"] == "not_found"
    assert outsider_api.post(f"/conversations/{conv_id}/messages", {"text": "hola"}).status_code == 404
    assert outsider_api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"external_id": "z"}, "text": "x"}).status_code == 404
    assert outsider_api.get("/conversations", state="all").json_body["items"] == []


def test_supervisors_see_every_inbox_agents_cannot_manage_inboxes(admin_api, agent_api, inbox):
    customer_says(inbox.pk, "hola")
    assert len(admin_api.get("/conversations", state="all").json_body["items"]) == 1
    denied = agent_api.post("/inboxes", {"name": "Nueva", "channel": "api"})
    assert denied.status_code == 403 and denied.json_body["code"] == "forbidden"


def test_inbox_create_read_patch_and_secrets_are_write_only(admin_api):
    created = admin_api.post(
        "/inboxes",
        {"name": "WhatsApp Ventas", "channel": "whatsapp", "settings": {"phone_number_id": "123", "access_token": "EAAG-secret", "app_secret": "s3cr3t", "verify_token": "v"}},
    )
    assert created.status_code == 201
    body = created.json_body
    assert body["settings"]["ai_window_seconds"] == 300 and body["settings"]["wait_target_seconds"] == 900
    assert "EAAG-secret" not in str(body) and "s3cr3t" not in str(body)
    patched = admin_api.patch(f"/inboxes/{body['id']}", {"settings": {"ai_window_seconds": 1, "ai_enabled": True}})
    assert patched.json_body["settings"]["ai_window_seconds"] == 1
    assert admin_api.get(f"/inboxes/{body['id']}").json_body["settings"]["ai_enabled"] is True


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"name": "x", "channel": "fax"}, 422, "invalid"),
        ({"name": "x", "channel": "api", "settings": {"ai_window_seconds": 0}}, 422, "invalid_settings"),
        ({"name": "x", "channel": "api", "settings": {"ai_window_seconds": "5"}}, 422, "invalid_settings"),
        ({"name": "x", "channel": "api", "settings": {"nonsense": 1}}, 422, "invalid_settings"),
        ({"name": "x", "channel": "api", "settings": {"ai_agent": {"kind": "magic"}}}, 422, "invalid_settings"),
    ],
)
def test_bad_inbox_input_is_a_clear_4xx(admin_api, body, status, code):
    response = admin_api.post("/inboxes", body)
    assert response.status_code == status and response.json_body["code"] == code
    assert response.json_body["detail"]


def test_bad_input_is_4xx_json_and_writes_nothing(agent_api, inbox):
    url = f"/inboxes/{inbox.pk}/messages"
    cases = [
        (agent_api.post(url, raw="{not json"), 400, "malformed_json"),
        (agent_api.post(url, {"text": "sin contacto"}), 422, "invalid"),
        (agent_api.post(url, {"contact": {"external_id": ""}, "text": "x"}), 422, "invalid"),
        (agent_api.post(url, {"contact": {"external_id": "a"}, "text": ""}), 422, "invalid"),
        (agent_api.post(url, {"contact": {"external_id": "a"}, "text": "x", "sent_at": "ayer"}), 422, "invalid"),
        (agent_api.post(url, {"contact": {"external_id": "a"}, "text": "x", "sent_at": "2026-01-01T10:00:00"}), 422, "invalid"),
        (agent_api.post(url, raw='{"contact": {"external_id": "a"}, "text": "' + "x" * 2_000_000 + '"}'), 413, "body_too_large"),
        (agent_api.get("/conversations", state="nope"), 422, "invalid"),
        (agent_api.get("/conversations", cursor="garbage!!"), 400, "bad_cursor"),
        (agent_api.get("/conversations", limit=0), 422, "invalid"),
        (agent_api.get("/conversations/999999"), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (response.status_code, response.json_body)
        assert response.json_body["code"] == code
    assert Message.objects.count() == 0


def test_bad_outbound_input(agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    assert agent_api.post(f"/conversations/{conv_id}/messages", {}).status_code == 422
    assert agent_api.post(f"/conversations/{conv_id}/messages", {"text": "   "}).json_body["code"] == "empty_message"
    assert agent_api.post(f"/conversations/{conv_id}/assign", {"user_id": 424242}).status_code == 422
    assert agent_api.post(f"/conversations/{conv_id}/ai", {"enabled": "maybe"}).status_code == 422


def test_template_messages(agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    sent = agent_api.post(f"/conversations/{conv_id}/messages", {"template": {"name": "cotizacion_lista", "language": "es", "params": ["Juan", "$25.990"]}})
    assert sent.status_code == 201
    assert sent.json_body["type"] == "template"
    assert sent.json_body["payload"]["template"]["params"] == ["Juan", "$25.990"]


def test_missing_or_wrong_token_is_401(client, inbox):
    response = client.get("/api/v1/conversations")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    response = client.get("/api/v1/conversations", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401


def test_health_and_openapi(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/conversations/{conversation_id}/resolve" in spec["paths"]
