"""The conversation pane shows the AI's hand-off summary however the chat was handed over: to a
team, to the chat's team, or to nobody in particular."""

import pytest
from django.test import Client

from mostrador.accounts.models import Team
from mostrador.inbox import actions
from mostrador.inbox.models import Conversation


def handed_off(inbox, agent, team=None) -> Conversation:
    actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id="c1", contact_name="Lucía", text="necesito un repuesto"))
    conv = Conversation.objects.get(inbox=inbox)
    return actions.handoff(conv, actions.Actor.bot(agent, "Asistente"), "route_done", wants="Cotizar", team=team)


def pane(agent, conv) -> str:
    client = Client()
    client.force_login(agent)
    response = client.get(f"/ui/c/{conv.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_handoff_to_nobody_in_particular_shows_its_summary(agent, inbox):
    html = pane(agent, handed_off(inbox, agent))
    assert 'data-testid="handoff-summary"' in html
    assert "Asistente handed this conversation to the team" in html


@pytest.mark.django_db
def test_a_handoff_to_a_team_names_it(agent, inbox):
    html = pane(agent, handed_off(inbox, agent, team=Team.objects.create(name="Repuestos")))
    assert "Asistente handed this conversation to Repuestos" in html
