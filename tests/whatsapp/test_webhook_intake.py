"""The WhatsApp webhook, through the HTTP stack: signatures, durable intake, routing, every
inbound type mapped to the API's message fields, duplicates, batches and junk."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from mostrador.connectors.whatsapp.connector import signature_of
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Message
from mostrador.intake.models import ChannelError, InboundLog, LogState

from .conftest import APP_SECRET, PHONE_NUMBER_ID, fixture, post_webhook, run_jobs, seller

pytestmark = pytest.mark.django_db(transaction=True)


def messages_via_api(agent_api, conversation_id=None):
    convs = agent_api.get("/conversations", state="all").json_body["items"]
    if conversation_id is None:
        assert len(convs) == 1, convs
        conversation_id = convs[0]["id"]
    return agent_api.get(f"/conversations/{conversation_id}/messages").json_body["items"]


def fixture_wamid(name):
    return fixture(name)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]


def ingest(name):
    response = post_webhook(fixture(name))
    assert response.status_code == 200, response.content
    run_jobs()


def test_subscription_handshake_echoes_the_challenge(wa_inbox):
    ok = Client().get("/webhooks/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"})
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = Client().get("/webhooks/whatsapp", {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    "signature, status",
    [(None, 403), ("", 401), ("sha256=" + "0" * 64, 403), ("md5=abc", 401)],
    ids=["other-secret", "missing", "wrong-digest", "wrong-scheme"],
)
def test_a_refused_request_stores_nothing(wa_inbox, signature, status):
    body = fixture("text")
    response = post_webhook(body, secret="not-the-app-secret") if signature is None else post_webhook(body, signature=signature)
    assert response.status_code == status
    assert response.json()["code"]
    run_jobs()
    assert InboundLog.objects.count() == 0 and Message.objects.count() == 0


def test_the_signature_covers_the_raw_bytes(wa_inbox, agent_api):
    # Same JSON, different bytes: a signature of the re-serialised body must not pass.
    raw = json.dumps(fixture("text"), indent=2, ensure_ascii=False).encode()
    compact_sig = signature_of(APP_SECRET, json.dumps(fixture("text")).encode())
    assert post_webhook(raw, signature=compact_sig).status_code == 403
    assert post_webhook(raw).status_code == 200


def test_text_message_arrives_pending_with_the_contact(wa_inbox, agent_api):
    ingest("text")
    conv = agent_api.get("/conversations", state="pending").json_body["items"][0]
    assert conv["contact"]["name"] == "Javiera Morales"
    assert conv["contact"]["phone"] == "56912345678"
    [m] = messages_via_api(agent_api, conv["id"])
    assert m["type"] == "text" and m["text"].startswith("Hola, ¿tienen pastillas")
    assert m["external_id"].startswith("wamid.") and m["status"] == "received"
    assert m["created_at"].startswith("2025-11-22")  # the message's own timestamp, in UTC
    log = InboundLog.objects.get()
    assert (log.state, log.account) == (LogState.PROCESSED, PHONE_NUMBER_ID)


EXPECTED = {
    "image": {"type": "image", "text": "Esta es la pieza", "media": {"id": "1479537139650973", "mime_type": "image/jpeg"}},
    "audio_voice": {"type": "audio", "text": "", "media": {"id": "1003383421387256", "voice": True}},
    "video": {"type": "video", "text": "Así suena el motor", "media": {"mime_type": "video/mp4"}},
    "document": {"type": "document", "text": "Factura", "media": {"filename": "factura-1234.pdf", "mime_type": "application/pdf"}},
    "sticker": {"type": "sticker", "media": {"mime_type": "image/webp"}},
    "location": {"type": "location", "location": {"latitude": -33.4489, "longitude": -70.6693, "name": "Taller Don Pepe", "address": "Av. Matta 1234, Santiago"}},
    "contacts": {"type": "contacts", "text": "Pedro Mecánico"},
    "button_reply": {"type": "interactive_reply", "text": "Cotizar repuesto", "payload": "ventas"},
    "list_reply": {"type": "interactive_reply", "text": "Frenos", "payload": "frenos"},
    "template_button": {"type": "interactive_reply", "text": "Sí, me interesa", "payload": "Sí, me interesa"},
    "unsupported": {"type": "unsupported", "error": {"code": "131051", "message": "Message type is currently not supported."}},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_inbound_type_maps_to_the_message_fields(wa_inbox, agent_api, name):
    ingest(name)
    [m] = messages_via_api(agent_api)
    for key, want in EXPECTED[name].items():
        if isinstance(want, dict):
            for sub, value in want.items():
                assert m[key][sub] == value, (key, sub, m[key])
        else:
            assert m[key] == want, (key, m)
    assert m["author_kind"] == "customer" and m["direction"] == "in"


def test_contacts_card_keeps_the_phones(wa_inbox, agent_api):
    ingest("contacts")
    [m] = messages_via_api(agent_api)
    assert m["payload"]["contacts"][0]["phones"][0]["wa_id"] == "56987654321"


def test_replies_and_reactions_point_at_the_quoted_message(wa_inbox, agent_api):
    ingest("text")
    ingest("reply_with_context")
    ingest("reaction")
    ingest("reaction_removed")
    first, reply, reaction, removed = messages_via_api(agent_api)
    assert reply["reply_to_id"] == first["id"]
    assert reaction["type"] == "reaction" and reaction["text"] == "👍" and reaction["reply_to_id"] == first["id"]
    assert removed["type"] == "reaction" and removed["text"] == "" and removed["reply_to_id"] == first["id"]


def test_a_contact_known_only_by_business_scoped_id(wa_inbox, agent_api):
    ingest("bsuid_only")
    conv = agent_api.get("/conversations", state="pending").json_body["items"][0]
    assert conv["contact"]["name"] == "Tomás" and conv["contact"]["phone"] is None
    # The next message finds the same contact and conversation.
    again = fixture("bsuid_only")
    again["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.BSU2"
    post_webhook(again)
    run_jobs()
    assert len(messages_via_api(agent_api, conv["id"])) == 2
    assert agent_api.get("/conversations", state="all").json_body["items"].__len__() == 1


def test_duplicates_never_make_a_second_message(wa_inbox, agent_api):
    for _ in range(3):
        assert post_webhook(fixture("text")).status_code == 200
    run_jobs()
    assert len(messages_via_api(agent_api)) == 1
    assert InboundLog.objects.count() == 3  # every delivery is kept; processing is idempotent


def test_batches_route_each_entry_to_its_number(wa_inbox, agent, agent_api):
    other = create_inbox("Sucursal", "whatsapp", {"phone_number_id": "109876543210002", "app_secret": APP_SECRET})
    other.members.add(agent)
    ingest("batch_two_entries")
    convs = agent_api.get("/conversations", state="pending").json_body["items"]
    by_inbox = sorted((c["inbox_id"], c["contact"]["name"]) for c in convs)
    assert by_inbox == [(wa_inbox.pk, "Ana"), (wa_inbox.pk, "Beto"), (other.pk, "Carla")]


def test_unknown_number_is_kept_reported_and_replayable(wa_inbox, agent, agent_api, admin):
    assert post_webhook(fixture("unknown_number")).status_code == 200
    run_jobs()
    log = InboundLog.objects.get()
    assert log.state == LogState.UNROUTABLE and "999000999000999" in log.problem
    assert "999000999000999" in seller(admin).get("/channels/").content.decode()
    # The admin adds the number; replaying the kept notification delivers the message.
    late = create_inbox("Nuevo número", "whatsapp", {"phone_number_id": "999000999000999", "app_secret": APP_SECRET})
    late.members.add(agent)
    call_command("replay_inbound")
    assert InboundLog.objects.get().state == LogState.PROCESSED
    assert agent_api.get("/conversations", state="pending").json_body["items"][0]["contact"]["name"] == "X"


@pytest.mark.parametrize(
    "raw",
    [b"not json at all", b"[1, 2, 3]", b'{"object": "page", "entry": []}', b'{"object": "whatsapp_business_account"}', b"[" * 100_000],
    ids=["not-json", "array", "other-object", "no-entry", "nested-too-deep"],
)
def test_junk_bodies_are_refused_clearly_and_kept(wa_inbox, raw):
    response = post_webhook(raw)
    assert response.status_code == 400 and response.json()["code"] == "malformed_notification"
    run_jobs()
    assert Message.objects.count() == 0
    assert InboundLog.objects.get().state == LogState.REJECTED


def test_broken_parts_do_not_stop_the_rest(wa_inbox, agent_api):
    body = fixture("text")
    value = body["entry"][0]["changes"][0]["value"]
    value["messages"].insert(0, {"type": "text"})  # no id, no sender
    value["statuses"] = [{"status": "read"}]
    assert post_webhook(body).status_code == 200
    run_jobs()
    assert len(messages_via_api(agent_api)) == 1
    log = InboundLog.objects.get()
    assert log.state == LogState.REJECTED and "messages[0]" in log.problem and "statuses[0]" in log.problem


def test_value_level_errors_are_recorded_for_admins(wa_inbox, admin):
    ingest("value_errors")
    error = ChannelError.objects.get()
    assert (error.inbox_id, error.code) == (wa_inbox.pk, "131000")
    page = seller(admin).get("/channels/").content.decode()
    assert "Unable to process the notification for this number." in page


def test_huge_bodies_are_refused(wa_inbox):
    raw = b'{"entry": [' + b'{"x": 1},' * 200_000 + b'{}]}'
    assert post_webhook(raw).status_code == 413
    assert InboundLog.objects.count() == 0


def test_a_customer_who_changes_number_keeps_the_conversation(wa_inbox, agent_api, graph):
    ingest("text")
    conv_id = agent_api.get("/conversations", state="pending").json_body["items"][0]["id"]
    assert agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Hola Javiera, ¿patente?"}).status_code == 201
    run_jobs()

    # WhatsApp's notice of the change makes nobody wait; the conversation now knows the new number.
    ingest("system_changed_number")
    conv = agent_api.get(f"/conversations/{conv_id}").json_body
    assert conv["state"] == "awaiting_customer"
    assert conv["contact"]["phone"] == "56998765432"
    [notice] = [m for m in messages_via_api(agent_api, conv_id) if m["external_id"] == fixture_wamid("system_changed_number")]
    # WhatsApp wrote it, not the customer: a system message, which changes nothing.
    assert (notice["author_kind"], notice["direction"], notice["type"]) == ("system", "in", "unsupported")
    assert notice["text"] == "User Javiera Morales changed from 56912345678 to 56998765432"
    assert notice["error"] is None

    # Her next message comes from the new number and lands in the same conversation.
    later = fixture("text")
    value = later["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = value["messages"][0]["from"] = "56998765432"
    value["contacts"][0].pop("user_id")
    value["messages"][0]["id"] = "wamid.FROM-THE-NEW-NUMBER"
    assert post_webhook(later).status_code == 200
    run_jobs()
    assert [c["id"] for c in agent_api.get("/conversations", state="all").json_body["items"]] == [conv_id]
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "pending"

    # And the reply goes to the number she uses now.
    assert agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Anotado"}).status_code == 201
    run_jobs()
    assert graph.sends()[-1]["to"] == "56998765432"


def test_a_catalog_order_is_shown_and_waits_for_a_person(wa_inbox, agent_api):
    ingest("order")
    conv = agent_api.get("/conversations", state="pending").json_body["items"][0]
    [m] = messages_via_api(agent_api, conv["id"])
    assert m["type"] == "unsupported" and m["error"] is None
    assert m["text"].splitlines() == [
        "¿Me lo pueden despachar a Maipú?", "2 × PF-YARIS-16 · 18990 CLP", "1 × LIQ-FRENO-DOT4 · 6490 CLP",
    ]
    assert m["payload"]["order"]["catalog_id"] == "881234567890123"


def test_strange_values_inside_a_notification_never_fail_it(wa_inbox, agent_api):
    """Whatever the shapes inside a signed notification, it ends processed or reported as
    unreadable, never failed and retried: the good parts are stored, the rest listed."""
    body = fixture("text")
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["profile"]["name"] = "Javiera " + "M" * 400  # longer than a name column
    value["messages"][0]["text"]["body"] = "Hola\u0000 ¿tienen stock?"  # PostgreSQL text cannot hold NUL
    value["messages"].append({"from": "56911111111", "id": "wamid." + "X" * 300, "type": "text", "text": {"body": "?"}})
    value["messages"].append({"from": {"wa": 1}, "id": "wamid.OBJ", "type": "text"})
    value["messages"].append({"from": "56922222222", "id": "wamid.TS", "timestamp": "99999999999999999999", "type": "text", "text": {"body": "reloj roto"}})
    value["statuses"] = [{"id": "wamid.ANY", "status": {"x": 1}}, {"id": ["wamid"], "status": "read"}]
    value["errors"] = "not a list"
    assert post_webhook(body).status_code == 200
    run_jobs()
    log = InboundLog.objects.get()
    assert log.state == LogState.REJECTED, log.problem
    for where in ("messages[1]", "messages[2]", "statuses[0]", "statuses[1]", "errors is not a list"):
        assert where in log.problem
    texts = {m.text: m for m in Message.objects.all()}
    assert set(texts) == {"Hola ¿tienen stock?", "reloj roto"}
    assert texts["Hola ¿tienen stock?"].conversation.contact.name.startswith("Javiera MMM")
