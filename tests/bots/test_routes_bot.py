"""The routes bot through the API: menus, keywords, questions with validation, FAQ, hand-off."""

from __future__ import annotations

import pytest

from tests.conftest import customer_says

from .conftest import ai_texts, conversation, run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def say(api, inbox, text):
    conv_id = customer_says(inbox.pk, text)["conversation_id"]
    run_jobs()
    return conv_id


def test_menu_questions_validation_then_handoff_to_the_routes_team(agent_api, routes_inbox, ventas):
    conv_id = say(agent_api, routes_inbox, "hola")
    greeting = ai_texts(agent_api, conv_id)[-1]
    # The API channel has no buttons, so the menu is numbered.
    assert greeting.startswith("¡Hola! Soy el asistente") and "1. Cotizar repuesto" in greeting
    assert conversation(agent_api, conv_id)["state"] == "with_ai"

    say(agent_api, routes_inbox, "1")
    assert ai_texts(agent_api, conv_id)[-1] == "¿Cuál es la patente del vehículo?"
    say(agent_api, routes_inbox, "la patente es ABC")
    assert ai_texts(agent_api, conv_id)[-1] == "No entendí tu respuesta. ¿Cuál es la patente del vehículo?"
    say(agent_api, routes_inbox, "bc-df 12")
    assert ai_texts(agent_api, conv_id)[-1] == "¿Y el número de chasis (VIN)?"
    say(agent_api, routes_inbox, "1hgcm82633a004352")
    say(agent_api, routes_inbox, "el lado IZQUIERDA")
    conv = conversation(agent_api, conv_id)
    assert conv["fields"] == {"patente": "BCDF12", "chasis": "1HGCM82633A004352", "lado": "izquierdo"}
    assert ai_texts(agent_api, conv_id)[-1] == "¡Gracias! Un vendedor te cotiza en breve."
    # Handed off: pending at once, to the route's team, tagged, with the summary for the seller.
    assert conv["state"] == "pending"
    assert conv["team_id"] == ventas.pk
    assert conv["tags"] == ["cotización"]
    assert conv["handoff"]["reason"] == "Ruta «Cotizar repuesto» completa."
    assert conv["handoff"]["fields"]["patente"] == "BCDF12"
    assert conv["handoff"]["wants"] == "Cotizar repuesto"
    assert conv["handoff"]["said"][-1] == "el lado IZQUIERDA"
    assert conv["handoff"]["team"] == ventas.name
    # The seller's pane says which team it went to.
    from django.test import Client

    from mostrador.accounts.models import User

    seller = Client()
    seller.force_login(User.objects.get(email="ana@example.test"))
    pane = seller.get(f"/ui/c/{conv_id}", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f"derivó esta conversación a {ventas.name}" in pane


def test_keywords_ignore_accents_and_capitals(agent_api, routes_inbox):
    conv_id = say(agent_api, routes_inbox, "Buenas, necesito un FÓCO trasero")
    # Straight into the route: no menu first.
    assert ai_texts(agent_api, conv_id) == ["¿Cuál es la patente del vehículo?"]
    assert conversation(agent_api, conv_id)["tags"] == ["cotización"]


def test_an_answer_that_never_validates_hands_off_with_the_reason(agent_api, routes_inbox):
    conv_id = say(agent_api, routes_inbox, "necesito un espejo")
    say(agent_api, routes_inbox, "no sé")
    say(agent_api, routes_inbox, "tampoco sé")
    conv = conversation(agent_api, conv_id)
    assert conv["state"] == "pending"
    assert conv["handoff"]["reason"] == "No se pudo validar «patente» tras varios intentos."


def test_faq_answers_only_above_the_confidence_threshold(agent_api, routes_inbox):
    conv_id = say(agent_api, routes_inbox, "¿cual es el HORARIO de atencion?")
    assert ai_texts(agent_api, conv_id) == ["Atendemos de lunes a sábado, de 9 a 19 h."]

    other = customer_says(routes_inbox.pk, "¿hacen horario extendido en diciembre para empresas?", who="cliente-2")
    run_jobs()
    # One word in four matches an entry: below the threshold, so the bot does not guess.
    replies = ai_texts(agent_api, other["conversation_id"])
    assert replies and replies[0].startswith("¡Hola! Soy el asistente")


def test_unmatched_answers_to_the_menu_hand_off(agent_api, routes_inbox):
    conv_id = say(agent_api, routes_inbox, "hola")
    say(agent_api, routes_inbox, "quiero hablar con alguien")
    assert ai_texts(agent_api, conv_id)[-1].startswith("No entendí tu respuesta.")
    say(agent_api, routes_inbox, "una persona por favor")
    conv = conversation(agent_api, conv_id)
    assert conv["state"] == "pending" and conv["handoff"]["reason"] == "El cliente no eligió ninguna opción del menú."


def test_switching_the_ai_on_while_a_customer_waits_gives_it_the_turn(agent_api, routes_inbox):
    conv_id = customer_says(routes_inbox.pk, "necesito un parachoque", who="cliente-9")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/ai", {"enabled": False})
    run_jobs()
    assert conversation(agent_api, conv_id)["state"] == "pending"
    # With the AI off, the job that was queued does nothing.
    assert ai_texts(agent_api, conv_id) == []
    agent_api.post(f"/conversations/{conv_id}/ai", {"enabled": True})
    run_jobs()
    assert conversation(agent_api, conv_id)["state"] == "with_ai"
    assert ai_texts(agent_api, conv_id) == ["¿Cuál es la patente del vehículo?"]
