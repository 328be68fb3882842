"""Back to a chat after a while: a summary of what happened since the person last looked."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.test import Client

from mostrador.accounts.models import Role
from mostrador.inbox import actions
from mostrador.inbox.models import Conversation
from tests.conftest import Api, customer_says, make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 2, 13, tzinfo=timezone.utc)


def test_a_seller_back_after_a_while_reads_what_happened(agent_api, agent, inbox, settings):
    settings.MOSTRADOR_CATCHUP_AFTER_SECONDS = 3600
    bruno = make_user("bruno@example.test", Role.AGENT, "Bruno Díaz")
    inbox.members.add(bruno)
    seller = Client(HTTP_ACCEPT_LANGUAGE="es")
    seller.force_login(agent)
    with time_machine.travel(T0, tick=False) as clock:
        conv = customer_says(inbox.pk, "Hola, necesito un foco", who="javiera")["conversation_id"]
        seller.post(f"/ui/c/{conv}/seen")
        agent_api.post(f"/conversations/{conv}/messages", {"text": "¿Para qué auto?"})
        # Ana leaves; the chat goes on without her.
        clock.shift(timedelta(hours=2))
        customer_says(inbox.pk, "Un Yaris 2016", who="javiera")
        customer_says(inbox.pk, "El trasero derecho", who="javiera")
        actions.set_field(Conversation.objects.get(pk=conv), actions.Actor.system(), "patente", "BCDF12")
        Api(token_for(bruno)).post(f"/conversations/{conv}/notes", {"text": "Le ofrecí el original"})
        clock.shift(timedelta(minutes=5))
        pane = seller.get(f"/ui/c/{conv}").content.decode()
        summary = pane.split('data-testid="catchup"', 1)[1].split("</aside>", 1)[0]
        assert "El cliente escribió 2 mensajes." in summary
        assert "Reunido: patente BCDF12" in summary
        assert "Nota de Bruno Díaz: “Le ofrecí el original”" in summary
        # Looking again: no summary until she is away a while again.
        seller.post(f"/ui/c/{conv}/seen")
        assert 'data-testid="catchup"' not in seller.get(f"/ui/c/{conv}").content.decode()
        # Back soon after: nothing to sum up yet.
        clock.shift(timedelta(minutes=10))
        customer_says(inbox.pk, "¿Y?", who="javiera")
        assert 'data-testid="catchup"' not in seller.get(f"/ui/c/{conv}").content.decode()
