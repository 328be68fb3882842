"""A seller starts a chat with a phone number: a template on WhatsApp (nothing else may open
it), any number format finds the same person, and a refused first message leaves nothing."""

from __future__ import annotations

import pytest

from mostrador.accounts.models import Role
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Contact, ContactIdentity, Conversation
from tests.conftest import Api, make_user, token_for

from .conftest import run_jobs

pytestmark = pytest.mark.django_db(transaction=True)

TEMPLATES = [{"name": "seguimiento", "language": "es", "status": "APPROVED", "category": "MARKETING", "id": "1",
              "components": [{"type": "BODY", "text": "Hola {{1}}, ¿pudiste revisar la cotización {{2}}?"}]}]


def start(api, inbox, phone, **body):
    return api.post("/conversations", {"inbox_id": inbox.pk, "contact": {"phone": phone, "name": body.pop("name", "")}, **body})


def test_whatsapp_starts_with_a_template_and_refuses_free_text_leaving_nothing(graph, wa_inbox, agent_api):
    graph.templates = TEMPLATES
    assert agent_api.post(f"/inboxes/{wa_inbox.pk}/templates/sync").status_code == 202
    run_jobs()
    refused = start(agent_api, wa_inbox, "+56 9 8123 4567", name="Javiera Soto", text="Hola Javiera")
    assert refused.status_code == 409 and refused.json_body["code"] == "window_closed"
    assert not Contact.objects.exists() and not Conversation.objects.exists() and not ContactIdentity.objects.exists()

    started = start(agent_api, wa_inbox, "9 8123 4567", name="Javiera Soto",
                    template={"name": "seguimiento", "language": "es", "params": ["Javiera", "#88"]})
    assert started.status_code == 201, started.json_body
    conv = started.json_body
    assert conv["inbox_id"] == wa_inbox.pk and conv["state"] == "awaiting_customer"
    run_jobs()
    [sent] = graph.sends()
    assert sent["to"] == "56981234567" and sent["template"]["name"] == "seguimiento"
    contact = Contact.objects.get()
    assert (contact.name, contact.phone) == ("Javiera Soto", "+56981234567")

    # The same number written another way continues the same chat.
    again = start(agent_api, wa_inbox, "56981234567", template={"name": "seguimiento", "language": "es", "params": ["Javiera", "#89"]})
    assert again.status_code == 201 and again.json_body["id"] == conv["id"]
    assert Conversation.objects.count() == 1


def test_other_channels_numbers_and_who_may_start(agent_api, agent, inbox):
    started = start(agent_api, inbox, "+56 2 2345 6789", name="Ferretería Lircay", text="Hola, les escribo por su pedido")
    assert started.status_code == 201, started.json_body
    assert agent_api.get(f"/conversations/{started.json_body['id']}/messages").json_body["items"][-1]["text"] == "Hola, les escribo por su pedido"
    bad = start(agent_api, inbox, "123", text="hola")
    assert bad.status_code == 422
    telegram = create_inbox("Telegram", "telegram", {"bot_token": "123:abc"})
    telegram.members.add(agent)
    cannot = start(agent_api, telegram, "+56981234567", text="hola")
    assert cannot.status_code in (409, 422) and cannot.json_body["code"] == "channel_cannot_start"
    # An inbox the person does not work is one that does not exist.
    outsider = Api(token_for(make_user("otro@example.test", Role.AGENT, "Otro")))
    assert start(outsider, inbox, "+56981234567", text="hola").status_code == 404
    assert Conversation.objects.count() == 1
