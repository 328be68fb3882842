"""Contacts through the API: details, custom fields checked by their type, tags, their
conversations, and only for whoever sees one of them."""

from __future__ import annotations

import pytest

from mostrador.accounts.models import Role
from tests.conftest import Api, customer_says, make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_contacts_details_and_custom_fields(agent_api, admin_api, inbox):
    conv = customer_says(inbox.pk, "hola", who="javiera")
    contact_id = agent_api.get(f"/conversations/{conv['conversation_id']}").json_body["contact"]["id"]
    for body in ({"name": "rut", "label": "RUT"}, {"name": "empresa", "label": "Empresa"}, {"name": "flota", "label": "Vehículos", "type": "number"},
                 {"name": "cumple", "label": "Cumpleaños", "type": "date"}, {"name": "segmento", "label": "Segmento", "type": "list", "options": ["taller", "particular"]}):
        assert admin_api.post("/contact_fields", body).status_code == 201
    assert agent_api.post("/contact_fields", {"name": "x", "label": "X"}).status_code == 403
    assert admin_api.post("/contact_fields", {"name": "rut", "label": "RUT"}).status_code == 409
    assert admin_api.post("/contact_fields", {"name": "lista", "label": "L", "type": "list"}).status_code == 422
    assert [f["name"] for f in agent_api.get("/contact_fields").json_body["items"]] == ["cumple", "empresa", "flota", "rut", "segmento"]

    changed = agent_api.patch(f"/contacts/{contact_id}", {
        "name": "Javiera Soto", "phone": "9 8123 4567", "email": "javiera@taller.cl", "language": "es-CL",
        "fields": {"rut": "12.345.678-9", "flota": "12", "cumple": "1990-04-05", "segmento": "taller"}, "tags": ["mayorista", "vip"],
    })
    assert changed.status_code == 200, changed.json_body
    body = changed.json_body
    assert (body["name"], body["phone"], body["email"], body["language"]) == ("Javiera Soto", "+56981234567", "javiera@taller.cl", "es-CL")
    assert body["fields"] == {"rut": "12.345.678-9", "flota": 12, "cumple": "1990-04-05", "segmento": "taller"}
    assert body["tags"] == ["mayorista", "vip"]
    # Fields merge; a null removes one.
    assert agent_api.patch(f"/contacts/{contact_id}", {"fields": {"rut": None}}).json_body["fields"] == {"flota": 12, "cumple": "1990-04-05", "segmento": "taller"}
    for bad in ({"fields": {"flota": "muchos"}}, {"fields": {"cumple": "5 de abril"}}, {"fields": {"segmento": "otro"}},
                {"fields": {"inventado": "x"}}, {"email": "no-es-correo"}, {"phone": "123"}, {"language": "español"}):
        answer = agent_api.patch(f"/contacts/{contact_id}", bad)
        assert answer.status_code == 422, (bad, answer.json_body)
    assert agent_api.get(f"/contacts/{contact_id}").json_body["fields"]["flota"] == 12
    listed = agent_api.get(f"/contacts/{contact_id}/conversations").json_body["items"]
    assert [c["id"] for c in listed] == [conv["conversation_id"]]


def test_a_contact_is_only_seen_through_its_conversations(agent_api, inbox):
    conv = customer_says(inbox.pk, "hola", who="javiera")
    contact_id = agent_api.get(f"/conversations/{conv['conversation_id']}").json_body["contact"]["id"]
    stranger = Api(token_for(make_user("otro@example.test", Role.AGENT, "Otro")))
    assert stranger.get(f"/contacts/{contact_id}").status_code == 404
    assert stranger.patch(f"/contacts/{contact_id}", {"name": "Hackeado"}).status_code == 404
    assert stranger.get(f"/contacts/{contact_id}/conversations").status_code == 404
    assert agent_api.get(f"/contacts/{contact_id}").json_body["name"] == "Javiera"


def test_merging_two_contacts_keeps_every_message(agent_api, admin_api, inbox):
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Contact, ContactIdentity, Message

    telegram_like = create_inbox("Otro canal", "api", {})
    telegram_like.members.add(*inbox.members.all())
    first = customer_says(inbox.pk, "hola, soy Javiera", who="javiera-wa")
    for text in ("¿tienen filtro?", "para un Yaris"):
        customer_says(inbox.pk, text, who="javiera-wa")
    second = customer_says(telegram_like.pk, "te escribo por acá también", who="javiera-tg")
    kept_id = agent_api.get(f"/conversations/{first['conversation_id']}").json_body["contact"]["id"]
    other_id = agent_api.get(f"/conversations/{second['conversation_id']}").json_body["contact"]["id"]
    assert admin_api.post("/contact_fields", {"name": "rut", "label": "RUT"}).status_code == 201
    agent_api.patch(f"/contacts/{other_id}", {"email": "javiera@taller.cl", "fields": {"rut": "12.345.678-9"}, "tags": ["vip"]})
    agent_api.patch(f"/contacts/{kept_id}", {"phone": "+56981234567", "tags": ["taller"]})
    quote = agent_api.post("/quotes", {"conversation_id": second["conversation_id"], "notes": "filtro"})
    assert quote.status_code == 201, quote.json_body
    before = Message.objects.count()

    merged = agent_api.post(f"/contacts/{kept_id}/merge", {"contact_id": other_id})
    assert merged.status_code == 200, merged.json_body
    body = merged.json_body
    assert (body["id"], body["phone"], body["email"], body["fields"], body["tags"]) == (
        kept_id, "+56981234567", "javiera@taller.cl", {"rut": "12.345.678-9"}, ["taller", "vip"])
    assert not Contact.objects.filter(pk=other_id).exists()
    assert Message.objects.count() == before
    # What pointed at the other contact (a quote request here) now points at this one.
    assert agent_api.get(f"/quotes/{quote.json_body['id']}").json_body["contact_id"] == kept_id
    chats = agent_api.get(f"/contacts/{kept_id}/conversations").json_body["items"]
    assert sorted(c["id"] for c in chats) == sorted([first["conversation_id"], second["conversation_id"]])
    # The other channel's next message reaches the same person.
    assert set(ContactIdentity.objects.values_list("contact_id", flat=True)) == {kept_id}
    again = customer_says(telegram_like.pk, "¿y el precio?", who="javiera-tg")
    assert again["conversation_id"] == second["conversation_id"]
    assert agent_api.get(f"/conversations/{again['conversation_id']}").json_body["contact"]["id"] == kept_id

    assert agent_api.post(f"/contacts/{kept_id}/merge", {"contact_id": other_id}).status_code == 404
    assert agent_api.post(f"/contacts/{kept_id}/merge", {"contact_id": kept_id}).status_code == 422


def test_contacts_with_chats_in_the_same_inbox_are_not_merged(agent_api, inbox):
    from mostrador.inbox.models import Contact, Conversation

    one = customer_says(inbox.pk, "hola", who="uno")
    two = customer_says(inbox.pk, "hola", who="dos")
    ids = [agent_api.get(f"/conversations/{c['conversation_id']}").json_body["contact"]["id"] for c in (one, two)]
    refused = agent_api.post(f"/contacts/{ids[0]}/merge", {"contact_id": ids[1]})
    assert refused.status_code == 409 and "Tienda" in refused.json_body["detail"]
    assert Contact.objects.filter(pk__in=ids).count() == 2
    assert Conversation.objects.get(pk=two["conversation_id"]).contact_id == ids[1]
