from __future__ import annotations

import pytest

from mostrador.accounts.models import Team
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.jobs.runner import run_due_jobs

from .fakes import AgentReceiver, FakeLLM

ROUTES = {
    "kind": "routes",
    "name": "Menú Repuestos",
    "greeting": "¡Hola! Soy el asistente de Repuestos Ñuñoa. ¿Qué necesitas?",
    "menu": "buttons",
    "routes": [
        {"key": "cotizar", "title": "Cotizar repuesto", "keywords": ["foco", "parachoque", "espejo"],
         "tags": ["cotización"],
         "questions": [
             {"field": "patente", "prompt": "¿Cuál es la patente del vehículo?", "validate": "cl_plate"},
             {"field": "chasis", "prompt": "¿Y el número de chasis (VIN)?", "validate": "vin"},
             {"field": "lado", "prompt": "¿Lado izquierdo o derecho?", "validate": "side"},
         ],
         "done_text": "¡Gracias! Un vendedor te cotiza en breve."},
        {"key": "despacho", "title": "Estado de despacho", "keywords": ["despacho", "envío"], "questions": [
            {"field": "pedido", "prompt": "¿Cuál es tu número de pedido?"}]},
    ],
    "faq": [
        {"question": "¿Cuál es el horario de atención?", "answer": "Atendemos de lunes a sábado, de 9 a 19 h.",
         "keywords": ["horario", "abren", "cierran"]},
        {"question": "¿Dónde queda la tienda?", "answer": "Estamos en Av. Irarrázaval 1234, Ñuñoa.",
         "keywords": ["dirección", "ubicación"]},
    ],
    "faq_min_confidence": 0.6,
}


def run_jobs(rounds: int = 4) -> None:
    """Run the jobs that are due now (the AI's turn, deliveries); timers stay in the future."""
    for _ in range(rounds):
        run_due_jobs()


@pytest.fixture
def ventas(db):
    return Team.objects.create(name="Ventas")


@pytest.fixture
def routes_inbox(db, agent, ventas):
    config = {**ROUTES, "routes": [{**ROUTES["routes"][0], "team_id": ventas.pk}, ROUTES["routes"][1]]}
    box = create_inbox("Repuestos", "api", {"ai_enabled": True, "ai_window_seconds": 300, "ai_agent": config})
    box.members.add(agent)
    return box


@pytest.fixture
def llm():
    server = FakeLLM()
    yield server
    server.close()


@pytest.fixture
def receiver():
    server = AgentReceiver()
    yield server
    server.close()


@pytest.fixture
def llm_inbox(db, agent, llm):
    box = create_inbox("Asistente", "api", {
        "ai_enabled": True,
        "ai_window_seconds": 300,
        "ai_agent": {"kind": "llm", "base_url": llm.url + "/v1", "model": "gpt-test", "api_key": "sk-test-123",
                     "system_prompt": "Eres el asistente de Repuestos Ñuñoa.", "timeout_seconds": 2, "max_retries": 1},
    })
    box.members.add(agent)
    return box


@pytest.fixture
def webhook_inbox(db, agent, receiver):
    box = create_inbox("Externo", "api", {
        "ai_enabled": True,
        "ai_window_seconds": 300,
        "ai_agent": {"kind": "webhook", "url": receiver.url + "/hooks/mostrador", "secret": "whsec-test", "timeout_seconds": 2},
    })
    box.members.add(agent)
    return box


def messages(api, conv_id):
    return api.get(f"/conversations/{conv_id}/messages").json_body["items"]


def ai_texts(api, conv_id):
    return [m["text"] for m in messages(api, conv_id) if m["author_kind"] == "ai"]


def conversation(api, conv_id):
    return api.get(f"/conversations/{conv_id}").json_body
