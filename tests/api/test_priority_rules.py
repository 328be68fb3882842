"""An inbox's priority rules ("¡Turbo!") raise a chat above older waits, and its row says why."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.inbox import actions
from mostrador.inbox.models import Conversation
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)

RULES = [
    {"keyword": "urgente", "priority": 2, "reason": "Dijo urgente"},
    {"tag": "mayorista", "priority": 1, "reason": "Cliente mayorista"},
    {"field": "segmento", "equals": "flota", "priority": 2, "reason": "Flota"},
]


def test_rules_raise_priority_and_the_row_says_why(admin_api, agent_api, agent, inbox):
    assert admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"priority_rules": RULES}}).status_code == 200
    older = customer_says(inbox.pk, "hola, ¿tienen filtros?", who="primero")["conversation_id"]
    rushed = customer_says(inbox.pk, "Es URGÉNTE, se me quedó el auto", who="segundo")["conversation_id"]
    pending = agent_api.get("/conversations", state="pending").json_body["items"]
    assert [c["id"] for c in pending] == [rushed, older]
    assert pending[0]["priority"] == 2
    seller = Client(HTTP_ACCEPT_LANGUAGE="es")
    seller.force_login(agent)
    rows = seller.get("/ui/list?tab=pending").content.decode()
    assert "🔥 Dijo urgente" in rows and "Por sobre esperas más antiguas: Dijo urgente" in rows

    # A tag raises to high; a rule never lowers what is already higher.
    agent_api.post(f"/conversations/{older}/tags", {"tags": ["mayorista"]})
    assert agent_api.get(f"/conversations/{older}").json_body["priority"] == 1
    agent_api.post(f"/conversations/{rushed}/tags", {"tags": ["mayorista"]})
    assert agent_api.get(f"/conversations/{rushed}").json_body["priority"] == 2
    # A field collected by a bot.
    actions.set_field(Conversation.objects.get(pk=older), actions.Actor.system(), "segmento", "Flota")
    assert agent_api.get(f"/conversations/{older}").json_body["priority"] == 2
    # A seller's own message with the keyword changes nothing.
    quiet = customer_says(inbox.pk, "hola", who="tercero")["conversation_id"]
    agent_api.post(f"/conversations/{quiet}/messages", {"text": "¿Es urgente?"})
    assert agent_api.get(f"/conversations/{quiet}").json_body["priority"] == 0


def test_bad_rules_are_refused_whole(admin_api, inbox):
    for rules in ([{"keyword": "x", "priority": 3}], [{"keyword": "x", "tag": "y", "priority": 1}], [{"priority": 1}],
                  [{"field": "segmento", "priority": 1}], [{"keyword": "x" * 61, "priority": 1}], "urgente", [{"keyword": "x", "priority": 1, "extra": 1}]):
        answer = admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"priority_rules": rules}})
        assert answer.status_code == 422, (rules, answer.json_body)


def test_an_admin_keeps_the_rules_on_their_page(admin, agent, inbox):
    page = Client(HTTP_ACCEPT_LANGUAGE="es")
    page.force_login(admin)
    shown = page.get("/turbo/")
    assert shown.status_code == 200 and "Tienda" in shown.content.decode()
    rows = {
        "kind": ["keyword", "tag", "field", "keyword"],
        "value": ["urgente", "mayorista", "flota", ""],
        "field": ["", "", "segmento", ""],
        "priority": ["2", "1", "2", "1"],
        "reason": ["Dijo urgente", "Cliente mayorista", "Flota", ""],
    }
    saved = page.post(f"/turbo/{inbox.pk}/", rows)
    assert saved.status_code == 302
    inbox.refresh_from_db()
    assert inbox.setting("priority_rules") == RULES
    # The page shows them back, and the chat that matches rises.
    again = page.get("/turbo/").content.decode()
    assert 'value="urgente"' in again and 'value="segmento"' in again
    rushed = customer_says(inbox.pk, "¡urgente por favor!", who="apurado")["conversation_id"]
    assert Conversation.objects.get(pk=rushed).priority == 2

    # A field rule without its field is refused, with the rows kept for fixing; nothing changes.
    refused = page.post(f"/turbo/{inbox.pk}/", {**rows, "field": ["", "", "", ""]})
    assert refused.status_code == 422
    assert 'value="flota"' in refused.content.decode() and 'data-testid="turbo-error"' in refused.content.decode()
    inbox.refresh_from_db()
    assert inbox.setting("priority_rules") == RULES
    # Emptying every row removes the rules.
    assert page.post(f"/turbo/{inbox.pk}/", {**rows, "value": ["", "", "", ""], "field": ["", "", "", ""]}).status_code == 302
    inbox.refresh_from_db()
    assert inbox.setting("priority_rules") == []

    seller = Client()
    seller.force_login(agent)
    assert seller.get("/turbo/").status_code == 403
    assert seller.post(f"/turbo/{inbox.pk}/", rows).status_code == 403
