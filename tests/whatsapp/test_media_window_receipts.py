"""Media downloads and who may see them, the 24-hour window with templates, and read receipts."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import token_for

from .conftest import arrive, read_receipts, run_jobs, seller
from .fake_graph import MEDIA_BYTES

pytestmark = pytest.mark.django_db(transaction=True)


def test_media_is_downloaded_and_served_only_to_people_who_see_the_chat(graph, wa_inbox, agent, outsider, agent_api):
    conv = arrive("image", agent_api)
    [m] = agent_api.get(f"/conversations/{conv['id']}/messages").json_body["items"]
    lookup = next(r for r in graph.requests if r["path"].startswith("/v23.0/1479537139650973"))
    assert lookup["auth"] == "Bearer EAAG-test-token"
    url = m["media"]["url"]
    assert url == f"/media/{m['id']}"
    response = seller(agent).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == MEDIA_BYTES
    assert response["Content-Type"] == "image/jpeg"
    assert seller(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    api = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token_for(agent)}")
    assert api.status_code == 200
    page = seller(agent).get(f"/ui/c/{conv['id']}").content.decode()
    assert f'src="/media/{m["id"]}"' in page


def test_document_downloads_with_its_name(graph, wa_inbox, agent, agent_api):
    conv = arrive("document", agent_api)
    [m] = agent_api.get(f"/conversations/{conv['id']}/messages").json_body["items"]
    response = seller(agent).get(m["media"]["url"])
    assert 'attachment; filename="factura-1234.pdf"' == response["Content-Disposition"]


def test_after_24_hours_only_approved_templates_go_out(graph, wa_inbox, agent, agent_api):
    from mostrador.inbox.models import Conversation

    graph.templates = [
        {"name": "seguimiento", "language": "es", "status": "APPROVED", "category": "MARKETING", "id": "1",
         "components": [{"type": "BODY", "text": "Hola {{1}}, ¿pudiste revisar la cotización {{2}}?"}]},
        {"name": "borrador", "language": "es", "status": "PENDING", "category": "MARKETING", "id": "2",
         "components": [{"type": "BODY", "text": "Pronto"}]},
    ]
    assert agent_api.post(f"/inboxes/{wa_inbox.pk}/templates/sync").status_code == 202
    conv = arrive("text", agent_api)
    listed = agent_api.get(f"/inboxes/{wa_inbox.pk}/templates").json_body["items"]
    assert [(t["name"], t["param_count"]) for t in listed] == [("borrador", 0), ("seguimiento", 2)]
    assert conv["service_window_closes_at"]
    Conversation.objects.filter(pk=conv["id"]).update(customer_last_message_at="2020-01-01T00:00:00Z")
    closed = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "hola"})
    assert closed.status_code == 409 and closed.json_body["code"] == "window_closed"
    assert agent_api.post(f"/conversations/{conv['id']}/messages", {"template": {"name": "borrador", "language": "es"}}).status_code == 422
    assert agent_api.post(f"/conversations/{conv['id']}/messages", {"template": {"name": "seguimiento", "language": "es", "params": ["Javiera"]}}).status_code == 422
    ok = agent_api.post(f"/conversations/{conv['id']}/messages", {"template": {"name": "seguimiento", "language": "es", "params": ["Javiera", "#88"]}})
    assert ok.status_code == 201
    assert ok.json_body["text"] == "Hola Javiera, ¿pudiste revisar la cotización #88?"
    page = seller(agent).get(f"/ui/c/{conv['id']}").content.decode()
    assert 'data-testid="template-composer"' in page and "seguimiento" in page and "borrador" not in page


def test_looking_at_a_chat_sends_the_read_receipt_but_keeps_it_pending(graph, wa_inbox, agent, agent_api):
    conv = arrive("text", agent_api)
    browser = seller(agent)
    # Drawing the chat (a tab in the background, say) is not reading it.
    browser.get(f"/ui/c/{conv['id']}")
    browser.get(f"/c/{conv['id']}")
    run_jobs()
    assert read_receipts(graph) == []
    # The page says the seller is looking at it: visible and focused.
    assert browser.post(f"/ui/c/{conv['id']}/seen").status_code == 204
    browser.post(f"/ui/c/{conv['id']}/seen")  # a second look sends nothing more
    run_jobs()
    assert read_receipts(graph) == [{"messaging_product": "whatsapp", "status": "read", "message_id": conv["last_message"]["external_id"]}]
    assert agent_api.get(f"/conversations/{conv['id']}").json_body["state"] == "pending"


def test_read_receipts_can_be_switched_off(graph, wa_inbox, agent, agent_api):
    from mostrador.inbox.actions.inboxes import update_inbox

    update_inbox(wa_inbox, raw_settings={"read_receipts": False})
    conv = arrive("text", agent_api)
    seller(agent).post(f"/ui/c/{conv['id']}/seen")
    run_jobs()
    assert read_receipts(graph) == []


def test_a_reply_refused_because_the_window_closed_is_handed_back(graph, wa_inbox, agent, agent_api):
    from mostrador.inbox.models import Conversation

    conv = arrive("text", agent_api)
    # The seller wrote with the chat open while the window closed under her.
    Conversation.objects.filter(pk=conv["id"]).update(customer_last_message_at="2020-01-01T00:00:00Z")
    draft = "Hola Javiera, te cotizo:\npastillas Yaris 2016, $18.990"
    page = seller(agent).post(f"/ui/c/{conv['id']}/reply", {"text": draft}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    # The refusal reads in the seller's language, and her text is there to copy into a template.
    assert "Se cerró la ventana de 24 horas para responder con texto libre" in page
    assert 'data-testid="unsent-draft"' in page and "No se envió" in page
    assert "pastillas Yaris 2016, $18.990" in page
    assert not agent_api.get(f"/conversations/{conv['id']}/messages").json_body["items"][1:]
