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
        "route-0-key": "Cotizar Ya!", "route-0-title": "Cotizar",
        "route-0-question-0-field": "patente", "route-0-question-0-prompt": "¿Patente?", "route-0-question-0-validate": "cl_plate",
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


@pytest.mark.django_db
def test_questions_are_one_row_each_and_can_be_added_and_deleted(admin, routes_inbox):
    client = logged_in(admin)
    page = client.get(f"/ai/{routes_inbox.pk}/").content.decode()
    stored = routes_inbox.setting("ai_agent")["routes"][0]["questions"]
    # One row per question, plus a blank one to add another.
    assert page.count('data-testid="question"') >= len(stored) + 1
    assert 'name="route-0-question-0-field" value="patente"' in page
    form = {
        "kind": "routes", "ai_window_seconds": "300",
        "route-0-key": "cotizar", "route-0-title": "Cotizar",
        "route-0-question-0-field": "patente", "route-0-question-0-prompt": "¿Patente?", "route-0-question-0-validate": "cl_plate",
        "route-0-question-1-field": "chasis", "route-0-question-1-prompt": "¿Chasis?", "route-0-question-1-validate": "vin",
        "route-0-question-1-delete": "on",
        "route-0-question-7-field": "lado", "route-0-question-7-prompt": "¿Lado?", "route-0-question-7-validate": "side",
        "route-0-question-8-field": "", "route-0-question-8-prompt": "", "route-0-question-8-validate": "text",
    }
    assert client.post(f"/ai/{routes_inbox.pk}/", form).status_code == 200
    questions = Inbox.objects.get(pk=routes_inbox.pk).setting("ai_agent")["routes"][0]["questions"]
    assert [(q["field"], q["validate"]) for q in questions] == [("patente", "cl_plate"), ("lado", "side")]


@pytest.mark.django_db
def test_a_word_where_a_number_goes_is_explained_and_the_typing_is_kept(admin, routes_inbox):
    form = {"kind": "routes", "ai_window_seconds": "cinco", "greeting": "¡Hola de nuevo!"}
    answer = logged_in(admin).post(f"/ai/{routes_inbox.pk}/", form)
    assert answer.status_code == 422
    assert "¡Hola de nuevo!" in answer.content.decode()
    assert Inbox.objects.get(pk=routes_inbox.pk).setting("ai_window_seconds") == 300
