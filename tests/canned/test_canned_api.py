"""Saved answers through the API: who may keep and use which, rendered per chat, contact
language and scope, and never sent with a blank."""

from __future__ import annotations

import pytest

from mostrador.accounts.models import Role, Team
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Contact, Conversation
from tests.conftest import Api, customer_says, make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(agent):
    box = create_inbox("Repuestos Web", "api", {})
    box.members.add(agent)
    return box


@pytest.fixture
def sup():
    return Api(token_for(make_user("sup@example.test", Role.SUPERVISOR, "Sofía Supervisora")))


def sent(api, conv_id, shortcode):
    return api.post(f"/conversations/{conv_id}/messages", {"canned": shortcode})


def test_an_answer_is_filled_in_for_the_chat_in_the_contacts_language(agent_api, agent, shop, sup):
    conv = customer_says(shop.pk, "hola", who="javiera-soto")["conversation_id"]
    Contact.objects.update(name="Javiera Soto", language="pt-BR")
    Conversation.objects.filter(pk=conv).update(fields={"patente": "BCDF12"})
    for language, text in (("", "Hola {{contact.first_name}}, soy {{agent.name}} de {{inbox.name}}. Patente {{fields.patente}}."),
                           ("pt", "Olá {{contact.first_name}}, aqui é {{agent.name}}."),
                           ("en", "Hi {{contact.first_name}}")):
        created = sup.post("/canned_responses", {"shortcode": "saludo", "text": text, "language": language, "everyone": True})
        assert created.status_code == 201, created.json_body
        assert created.json_body["scope"] == "everyone"
    # pt-BR finds the Portuguese variant by its primary language.
    answer = sent(agent_api, conv, "saludo")
    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["text"] == "Olá Javiera, aqui é Ana Rojas."
    # A contact with no language gets the one for any language, filled in.
    Contact.objects.update(language="")
    assert sent(agent_api, conv, "/SALUDO").json_body["text"] == "Hola Javiera, soy Ana Rojas de Repuestos Web. Patente BCDF12."


def test_the_most_specific_scope_wins_and_nobody_uses_another_persons(agent_api, agent, shop, sup):
    ventas = Team.objects.create(name="Ventas")
    ventas.members.add(agent)
    conv = customer_says(shop.pk, "¿precio?")["conversation_id"]
    sup.post("/canned_responses", {"shortcode": "precio", "text": "Para todos", "everyone": True})
    sup.post("/canned_responses", {"shortcode": "precio", "text": "De la bandeja", "inbox_id": shop.pk})
    assert sent(agent_api, conv, "precio").json_body["text"] == "De la bandeja"
    sup.post("/canned_responses", {"shortcode": "precio", "text": "Del equipo", "team_id": ventas.pk})
    assert sent(agent_api, conv, "precio").json_body["text"] == "Del equipo"
    mine = agent_api.post("/canned_responses", {"shortcode": "precio", "text": "La mía"})
    assert mine.status_code == 201 and mine.json_body["scope"] == "personal" and mine.json_body["owner_id"] == agent.pk
    assert sent(agent_api, conv, "precio").json_body["text"] == "La mía"

    # Bruno works the same inbox: he gets the inbox's, never Ana's own.
    bruno = make_user("bruno@example.test", Role.AGENT, "Bruno Díaz")
    shop.members.add(bruno)
    bruno_api = Api(token_for(bruno))
    assert sent(bruno_api, conv, "precio").json_body["text"] == "De la bandeja"
    assert bruno_api.get(f"/canned_responses/{mine.json_body['id']}").status_code == 404
    assert bruno_api.patch(f"/canned_responses/{mine.json_body['id']}", {"text": "x"}).status_code == 404
    assert "La mía" not in [row["text"] for row in bruno_api.get("/canned_responses").json_body["items"]]
    # A seller keeps her own; sharing with a team, an inbox or everyone is for supervisors.
    refused = agent_api.post("/canned_responses", {"shortcode": "envio", "text": "Despachamos", "inbox_id": shop.pk})
    assert refused.status_code == 403 and refused.json_body["code"] == "forbidden"
    assert agent_api.patch(f"/canned_responses/{mine.json_body['id']}", {"text": "La mía, mejor"}).json_body["text"] == "La mía, mejor"
    assert agent_api.delete(f"/canned_responses/{mine.json_body['id']}").status_code == 204
    assert sent(agent_api, conv, "precio").json_body["text"] == "Del equipo"


def test_a_missing_variable_is_refused_never_sent_blank(agent_api, shop):
    conv = customer_says(shop.pk, "hola", who="sin-nombre")["conversation_id"]
    agent_api.post("/canned_responses", {"shortcode": "patente", "text": "¿La patente {{fields.patente}} es correcta?"})
    refused = sent(agent_api, conv, "patente")
    assert refused.status_code == 422 and refused.json_body["code"] == "missing_variables"
    assert "{{fields.patente}}" in refused.json_body["detail"]
    assert len(agent_api.get(f"/conversations/{conv}/messages").json_body["items"]) == 1
    missing = sent(agent_api, conv, "no-existe")
    assert missing.status_code == 404
    both = agent_api.post(f"/conversations/{conv}/messages", {"canned": "patente", "text": "hola"})
    assert both.status_code == 422


def test_bad_answers_are_refused_whole(agent_api, sup, admin_api):
    assert admin_api.post("/canned_responses", {"shortcode": "ok", "text": "x", "owner_id": 999}).status_code == 422
    for body in ({"shortcode": "con espacio", "text": "x"}, {"shortcode": "ok", "text": " "}, {"shortcode": "ok", "text": "x", "language": "es_CL!"},
                 {"shortcode": "ok", "text": "x", "team_id": 999}, {"shortcode": "", "text": "x"}):
        answer = sup.post("/canned_responses", body)
        assert answer.status_code == 422, (body, answer.json_body)
    assert agent_api.post("/canned_responses", {"shortcode": "hola", "text": "Hola"}).status_code == 201
    again = agent_api.post("/canned_responses", {"shortcode": "HOLA", "text": "Otra"})
    assert again.status_code == 409
    assert agent_api.post("/canned_responses", {"shortcode": "hola", "text": "Hi", "language": "en"}).status_code == 201
    assert [row["shortcode"] for row in agent_api.get("/canned_responses", shortcode="hola").json_body["items"]] == ["hola", "hola"]
