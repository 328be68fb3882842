"""Notifications as WhatsApp really sends them, beyond plain messages: deletions and edits,
system notices, replies typed in the WhatsApp Business app on the same number, template reviews
and account restrictions, newer interactive replies, ads, odd coordinates, quotes of messages we
never had, voice notes played, and errors redelivered. Each reaches the webhook signed, as Meta
sends it, and is read back through the API a seller or an integration uses."""

from __future__ import annotations

import json
import time

import pytest

from mostrador.inbox.models import MessageTemplate
from mostrador.intake.models import ChannelError

from .conftest import arrive, fixture, post_webhook, run_jobs, seller

pytestmark = pytest.mark.django_db(transaction=True)


def ingest(name, **replace):
    body = json.dumps(fixture(name))
    for old, new in replace.items():
        body = body.replace(old, new)
    response = post_webhook(json.loads(body))
    assert response.status_code == 200, response.content
    run_jobs()


def conversation(api):
    [conv] = api.get("/conversations", state="all").json_body["items"]
    return conv


def timeline(api, conv_id):
    return api.get(f"/conversations/{conv_id}/messages").json_body["items"]


def answered(api, conv_id):
    reply = api.post(f"/conversations/{conv_id}/messages", {"text": "Le confirmo en un minuto."})
    assert reply.status_code == 201, reply.json_body
    run_jobs()
    assert api.get(f"/conversations/{conv_id}").json_body["state"] == "awaiting_customer"


def test_a_deleted_message_hides_its_text_and_moves_nobody(wa_inbox, agent_api, agent):
    conv = arrive("text", agent_api)
    answered(agent_api, conv["id"])
    ingest("revoke")
    ingest("revoke")  # redelivered
    first = timeline(agent_api, conv["id"])[0]
    assert first["deleted_at"] and first["text"] == ""
    assert len(timeline(agent_api, conv["id"])) == 2  # the deletion is not a new message
    assert agent_api.get(f"/conversations/{conv['id']}").json_body["state"] == "awaiting_customer"
    page = seller(agent).get(f"/ui/c/{conv['id']}").content.decode()
    assert 'data-testid="message-deleted"' in page
    assert fixture("text")["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] not in page


def test_an_edit_replaces_the_text_and_moves_nobody(wa_inbox, agent_api):
    conv = arrive("text", agent_api)
    answered(agent_api, conv["id"])
    ingest("edit")
    first = timeline(agent_api, conv["id"])[0]
    assert first["text"] == "Hola, ¿tienen el filtro de aceite para un Yaris 2019?"
    assert first["edited_at"] and not first["deleted_at"]
    assert len(timeline(agent_api, conv["id"])) == 2
    assert agent_api.get(f"/conversations/{conv['id']}").json_body["state"] == "awaiting_customer"


def test_a_deletion_is_final_even_if_an_edit_comes_after(wa_inbox, agent_api):
    conv = arrive("text", agent_api)
    ingest("revoke")
    ingest("edit")
    first = timeline(agent_api, conv["id"])[0]
    assert first["deleted_at"] and first["text"] == ""


@pytest.mark.parametrize("name", ["system_identity_changed", "system_user_id_changed", "system_without_from"])
def test_system_notices_are_notices_never_a_wait(wa_inbox, agent_api, name):
    conv = arrive("text", agent_api)
    answered(agent_api, conv["id"])
    ingest(name)
    convs = agent_api.get("/conversations", state="all").json_body["items"]
    assert [c["id"] for c in convs] == [conv["id"]]  # the same customer, not a new chat
    wamid = fixture(name)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    [notice] = [m for m in timeline(agent_api, conv["id"]) if m["external_id"] == wamid]
    assert notice["author_kind"] == "system" and notice["text"]
    assert agent_api.get(f"/conversations/{conv['id']}").json_body["state"] == "awaiting_customer"


def test_a_new_user_id_finds_the_same_customer(wa_inbox, agent_api):
    conv = arrive("text", agent_api)
    ingest("system_user_id_changed")
    later = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "204060801234567", "changes": [{"field": "messages", "value": {
            "metadata": {"display_phone_number": "56229401234", "phone_number_id": "109876543210001"},
            "contacts": [{"profile": {"name": "Javiera"}, "user_id": "CL.1234567890123456"}],
            "messages": [{"from_user_id": "CL.1234567890123456", "id": "wamid.BYUSERID01", "timestamp": "1763803990",
                          "type": "text", "text": {"body": "¿Sigue en pie?"}}],
        }}]}],
    }
    assert post_webhook(later).status_code == 200
    run_jobs()
    convs = agent_api.get("/conversations", state="all").json_body["items"]
    assert [c["id"] for c in convs] == [conv["id"]]
    assert "¿Sigue en pie?" in [m["text"] for m in timeline(agent_api, conv["id"])]


def test_a_reply_typed_in_the_business_app_shows_and_ends_the_wait(wa_inbox, agent_api, agent):
    conv = arrive("text", agent_api)
    assert conv["state"] == "pending"
    # Typed just now: a reply a year old would have closed the case long ago.
    now = str(int(time.time()))
    ingest("smb_echo", **{"1763803800": now})
    ingest("smb_echo", **{"1763803800": now})  # redelivered
    after = agent_api.get(f"/conversations/{conv['id']}").json_body
    assert after["state"] == "awaiting_customer" and after["waiting_since"] is None
    [echo] = [m for m in timeline(agent_api, conv["id"]) if m["direction"] == "out"]
    assert (echo["direction"], echo["author_kind"], echo["status"]) == ("out", "agent", "sent")
    assert echo["text"] == "Sí, lo tenemos. Pasa hoy a retirarlo." and echo["external_id"] == "wamid.ECHO000001"
    assert len(timeline(agent_api, conv["id"])) == 2
    page = seller(agent).get(f"/ui/c/{conv['id']}").content.decode()
    assert "WhatsApp Business" in page


def test_a_business_app_message_to_a_new_customer_opens_their_chat_answered(wa_inbox, agent_api):
    ingest("smb_echo", **{"1763803800": str(int(time.time()))})
    conv = conversation(agent_api)
    assert conv["state"] == "awaiting_customer" and conv["contact"]["phone"] == "56912345678"


def test_a_template_review_updates_the_list_and_tells_admins(wa_inbox, admin, agent_api):
    run_jobs()  # the first template sync, done
    MessageTemplate.objects.create(inbox=wa_inbox, name="seguimiento_cotizacion", language="es", status="APPROVED", body="Hola")
    ingest("template_status_rejected")
    ingest("template_status_rejected")  # redelivered
    assert MessageTemplate.objects.get(inbox=wa_inbox).status == "REJECTED"
    [error] = ChannelError.objects.filter(inbox=wa_inbox)
    assert error.code == "template_rejected" and "INCORRECT_CATEGORY" in error.details
    page = seller(admin).get("/channels/").content.decode()
    assert "seguimiento_cotizacion" in page
    listed = agent_api.get(f"/inboxes/{wa_inbox.pk}/templates").json_body["items"]
    assert [t["status"] for t in listed] == ["REJECTED"]


def test_an_account_restriction_is_shown_to_admins(wa_inbox, admin):
    ingest("account_update_restricted")
    [error] = ChannelError.objects.filter(inbox=wa_inbox)
    assert error.code == "account_restriction" and "RESTRICTED_ADD_PHONE_NUMBER_ACTION" in error.details
    assert "Account restriction" in seller(admin).get("/channels/").content.decode()


def test_a_call_permission_reply_keeps_its_answer(wa_inbox, agent_api):
    conv = arrive("call_permission_reply", agent_api)
    [m] = timeline(agent_api, conv["id"])
    assert m["type"] == "interactive_reply" and "accept" in m["text"]
    assert m["payload"]["call_permission_reply"]["response"] == "accept"


def test_an_ad_referral_is_kept_beside_a_button_tap(wa_inbox, agent_api):
    conv = arrive("referral_with_button", agent_api)
    [m] = timeline(agent_api, conv["id"])
    assert m["text"] == "Quiero cotizar"
    assert m["payload"]["value"] == "quiero_cotizar"
    assert m["payload"]["referral"]["headline"] == "Frenos a mitad de precio"


def test_a_location_without_numeric_coordinates_keeps_the_message(wa_inbox, agent_api, agent):
    conv = arrive("location_bad_coordinates", agent_api)
    [m] = timeline(agent_api, conv["id"])
    assert m["type"] == "location" and m["text"] == "Taller Los Andes"
    assert m["location"]["latitude"] is None and m["location"]["address"] == "Av. Matta 1020"
    page = seller(agent).get(f"/ui/c/{conv['id']}").content.decode()
    assert 'data-testid="location-unmapped"' in page


def test_a_quote_of_a_message_we_never_had_keeps_its_id(wa_inbox, agent_api, agent):
    conv = arrive("reply_to_unknown", agent_api)
    [m] = timeline(agent_api, conv["id"])
    assert m["reply_to_id"] is None and m["reply_to_external_id"] == "wamid.OLDCATALOG99"
    page = seller(agent).get(f"/ui/c/{conv['id']}").content.decode()
    assert 'data-testid="quote-unknown"' in page


def test_a_played_voice_note_says_so(wa_inbox, agent_api, graph):
    conv = arrive("text", agent_api)
    sent = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Escuche el audio"}).json_body
    run_jobs()
    wamid = next(m for m in timeline(agent_api, conv["id"]) if m["id"] == sent["id"])["external_id"]
    body = json.loads(json.dumps(fixture("status_played")).replace("WAMID_OUT", wamid))
    assert post_webhook(body).status_code == 200
    run_jobs()
    mine = next(m for m in timeline(agent_api, conv["id"]) if m["id"] == sent["id"])
    assert mine["status"] == "read" and mine["played_at"]


def test_a_redelivered_error_is_recorded_once(wa_inbox):
    ingest("value_errors")
    ingest("value_errors")
    assert ChannelError.objects.filter(inbox=wa_inbox).count() == 1
