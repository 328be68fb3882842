"""Cases in the seller's pane: resolving offers contact reasons, and the timeline shows where
each case opened and closed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)


def test_resolve_with_a_reason_and_cases_divide_the_timeline(agent_api, agent, inbox):
    conv_id = customer_says(agent_api, inbox.pk, "¿tienen frenos?")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/tags", {"tags": ["frenos", "cotización"]})
    seller = Client()
    seller.force_login(agent)
    pane = seller.get(f"/ui/c/{conv_id}").content.decode()
    assert 'data-testid="resolve-reasons"' in pane and "frenos" in pane
    seller.post(f"/ui/c/{conv_id}/reply", {"text": "Sí, quedan"})
    after = seller.post(f"/ui/c/{conv_id}/resolve", {"reason": "frenos"}).content.decode()
    [case] = agent_api.get("/cases", conversation_id=conv_id).json_body["items"]
    assert case["reason"] == "frenos" and case["state"] == "closed"
    assert 'data-testid="event-case_opened"' in after and 'data-testid="event-case_closed"' in after
