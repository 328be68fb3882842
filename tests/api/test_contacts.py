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
