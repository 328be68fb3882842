"""Cases in the seller's pane: resolving offers contact reasons, and the timeline shows where
each case opened and closed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)


def test_resolve_with_a_reason_and_cases_divide_the_timeline(agent_api, agent, inbox):
    conv_id = customer_says(inbox.pk, "¿tienen frenos?")["conversation_id"]
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


def test_pending_marks_a_chat_seen_and_left_unanswered_until_someone_answers(agent_api, agent):
    from datetime import datetime, timedelta, timezone

    import time_machine

    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.jobs.runner import run_due_jobs

    shop = create_inbox("Tienda", "api", {"wait_target_seconds": 60})
    shop.members.add(agent)
    seller = Client()
    seller.force_login(agent)
    with time_machine.travel(datetime(2026, 3, 2, 13, tzinfo=timezone.utc), tick=False) as clock:
        seen = customer_says(shop.pk, "¿me ayudan?")["conversation_id"]
        untouched = customer_says(shop.pk, "hola", who="otro")["conversation_id"]
        seller.post(f"/ui/c/{seen}/seen")  # the chat on screen, its page visible and focused
        clock.shift(timedelta(seconds=61))
        run_due_jobs()
        pending = seller.get("/ui/list?tab=pending").content.decode()
        rows = {int(chunk.split('"', 1)[0]): chunk for chunk in pending.split('data-id="')[1:]}
        assert "mark-left-on-read" in rows[seen] and "mark-left-on-read" not in rows[untouched]
        seller.post(f"/ui/c/{seen}/reply", {"text": "Sí, dime"})
        customer_says(shop.pk, "¿tienen frenos?")  # a new wait, not yet seen by anyone
        pending = seller.get("/ui/list?tab=pending").content.decode()
        assert "mark-left-on-read" not in pending


def test_the_pane_lists_the_contacts_earlier_cases(agent_api, agent, inbox, outsider):
    seller = Client()
    seller.force_login(agent)
    conv_id = customer_says(inbox.pk, "¿tienen frenos?")["conversation_id"]
    assert 'data-testid="earlier-cases"' not in seller.get(f"/ui/c/{conv_id}").content.decode()
    seller.post(f"/ui/c/{conv_id}/reply", {"text": "Sí"})
    seller.post(f"/ui/c/{conv_id}/resolve", {"reason": "frenos"})
    customer_says(inbox.pk, "otra cosa: ¿y pastillas?")
    pane = seller.get(f"/ui/c/{conv_id}").content.decode()
    panel = pane.split('data-testid="earlier-cases"', 1)[1].split("</details>", 1)[0]
    assert 'class="count">1<' in panel and "frenos" in panel and agent.name in panel
    stranger = Client()
    stranger.force_login(outsider)
    assert stranger.get(f"/ui/c/{conv_id}").status_code == 404


def test_switching_the_ai_on_where_nothing_answers_says_so(agent_api, agent, admin, inbox):
    from mostrador.accounts.models import ApiToken
    from mostrador.core.demo import demo_routes_bot
    from mostrador.inbox.actions.inboxes import update_inbox

    seller = Client()
    seller.force_login(agent)
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    assert 'data-testid="ai-answers-nobody"' not in seller.get(f"/ui/c/{conv_id}").content.decode()
    pane = seller.post(f"/ui/c/{conv_id}/ai", {"enabled": "on"}).content.decode()
    warning = pane.split('data-testid="ai-answers-nobody"', 1)[1].split("</div>", 1)[0]
    assert "nadie responderá" in warning and "5 min" in warning  # the inbox's AI window
    boss = Client()
    boss.force_login(admin)
    update_inbox(inbox, raw_settings={"ai_enabled": True})
    assert 'data-testid="ai-answers-nobody"' in boss.get(f"/ai/{inbox.pk}/").content.decode()
    # A bot with a token that reaches the inbox answers through the API: no warning.
    token, _ = ApiToken.issue(agent, bot_name="Vendedor externo")
    assert 'data-testid="ai-answers-nobody"' not in seller.get(f"/ui/c/{conv_id}").content.decode()
    token.delete()
    update_inbox(inbox, raw_settings={"ai_agent": demo_routes_bot()})
    assert 'data-testid="ai-answers-nobody"' not in seller.get(f"/ui/c/{conv_id}").content.decode()
    assert 'data-testid="ai-answers-nobody"' not in boss.get(f"/ai/{inbox.pk}/").content.decode()

