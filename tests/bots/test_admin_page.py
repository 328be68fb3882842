"""The AI agents admin page: admins only, bad settings explained and nothing saved."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.inbox.models import Inbox


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_only_admins_see_the_ai_page(agent, admin, routes_inbox):
    assert logged_in(agent).get(f"/ai/{routes_inbox.pk}/").status_code == 403
    page = logged_in(admin).get(f"/ai/{routes_inbox.pk}/")
    assert page.status_code == 200
    assert "Cotizar repuesto" in page.content.decode()


@pytest.mark.django_db
def test_a_bad_route_is_explained_and_nothing_is_saved(admin, routes_inbox):
    form = {
        "kind": "routes", "ai_window_seconds": "300", "ai_enabled": "on",
        "route-0-key": "Cotizar Ya!", "route-0-title": "Cotizar", "route-0-questions": "patente | ¿Patente? | cl_plate",
    }
    answer = logged_in(admin).post(f"/ai/{routes_inbox.pk}/", form)
    assert answer.status_code == 422
    assert "key must be unique, lower case" in answer.content.decode()
    assert Inbox.objects.get(pk=routes_inbox.pk).setting("ai_agent")["routes"][0]["key"] == "cotizar"


@pytest.mark.django_db
def test_switching_to_the_llm_keeps_a_saved_key_when_left_blank(admin, routes_inbox):
    client = logged_in(admin)
    base = {"kind": "llm", "ai_window_seconds": "120", "base_url": "http://127.0.0.1:9/v1", "model": "m"}
    assert client.post(f"/ai/{routes_inbox.pk}/", {**base, "api_key": "sk-first"}).status_code == 200
    assert client.post(f"/ai/{routes_inbox.pk}/", base).status_code == 200
    inbox = Inbox.objects.get(pk=routes_inbox.pk)
    assert inbox.setting("ai_agent")["kind"] == "llm" and inbox.secret("ai_api_key") == "sk-first"
    assert inbox.setting("ai_window_seconds") == 120
    # The routes bot's FAQ rows went with it.
    assert not inbox.faq_entries.exists()
