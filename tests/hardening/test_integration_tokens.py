"""Who may write as a customer: an `api` inbox's own integration tokens (and admins). A seller's
or a bot's token writes as the team, never as a customer; an integration token does nothing else."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from mostrador.accounts.models import ApiToken
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Message
from tests.conftest import Api, token_for

pytestmark = pytest.mark.django_db

BODY = {"contact": {"external_id": "c-1", "name": "Caro"}, "text": "hola"}


@pytest.fixture
def integration(admin_api, inbox):
    made = admin_api.post(f"/inboxes/{inbox.pk}/tokens", {"label": "CRM"})
    assert made.status_code == 201, made.json_body
    return made.json_body


def test_a_members_or_bots_token_cannot_write_as_a_customer(agent_api, bot_api, inbox):
    for api in (agent_api, bot_api):
        answer = api.post(f"/inboxes/{inbox.pk}/messages", BODY)
        assert answer.status_code == 403 and answer.json_body["code"] == "integration_token_required"
    assert not Message.objects.exists()


def test_the_inboxs_integration_token_delivers(integration, inbox):
    answer = Api(integration["token"]).post(f"/inboxes/{inbox.pk}/messages", BODY)
    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["author_kind"] == "customer"


def test_an_integration_token_does_nothing_else(integration, inbox, agent):
    system = Api(integration["token"])
    other = create_inbox("Otra", "api", {})
    assert system.post(f"/inboxes/{other.pk}/messages", BODY).status_code == 401
    conv = system.post(f"/inboxes/{inbox.pk}/messages", BODY).json_body["conversation"]["id"]
    for answer in (
        system.get("/conversations"),
        system.get(f"/conversations/{conv}"),
        system.get(f"/conversations/{conv}/messages"),
        system.post(f"/conversations/{conv}/messages", {"text": "as the team"}),
        system.post(f"/conversations/{conv}/resolve", {}),
        system.get("/inboxes"),
        system.post("/inboxes", {"name": "X", "channel": "api", "settings": {}}),
        system.get("/users"),
    ):
        assert answer.status_code == 401, answer.json_body
    assert Message.objects.count() == 1


def test_tokens_are_listed_without_the_secret_and_can_be_revoked(admin_api, integration, inbox):
    listed = admin_api.get(f"/inboxes/{inbox.pk}/tokens").json_body["items"]
    assert [(t["label"], t["token"]) for t in listed] == [("CRM", None)]
    assert listed[0]["prefix"] == integration["token"][:12]
    assert admin_api.delete(f"/inboxes/{inbox.pk}/tokens/{integration['id']}").status_code == 204
    assert Api(integration["token"]).post(f"/inboxes/{inbox.pk}/messages", BODY).status_code == 401


def test_only_admins_manage_integration_tokens(agent_api, inbox, admin_api):
    assert agent_api.post(f"/inboxes/{inbox.pk}/tokens", {"label": "x"}).status_code == 403
    assert agent_api.get(f"/inboxes/{inbox.pk}/tokens").status_code == 403
    whatsapp = create_inbox("WA", "whatsapp", {"phone_number_id": "77"})
    assert admin_api.post(f"/inboxes/{whatsapp.pk}/tokens", {}).status_code == 409


def test_the_command_line_makes_one(admin, inbox, capsys):
    call_command("token", "create", "--email", admin.email, "--inbox", str(inbox.pk), "--label", "ERP")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiToken.find(raw).inbox_id == inbox.pk
    answer = Api(raw).post(f"/inboxes/{inbox.pk}/messages", BODY)
    assert answer.status_code == 201


def test_admins_still_deliver(admin, inbox):
    assert Api(token_for(admin)).post(f"/inboxes/{inbox.pk}/messages", BODY).status_code == 201


def test_an_admin_makes_and_revokes_one_on_the_inbox_page(admin, inbox):
    from django.test import Client

    browser = Client()
    browser.force_login(admin)
    made = browser.post(f"/channels/{inbox.pk}/tokens", {"label": "Tienda online"}, follow=True)
    page = made.content.decode()
    raw = page.split('data-testid="new-integration-token">')[1].split("<")[0]
    assert ApiToken.find(raw).inbox_id == inbox.pk and "Tienda online" in page
    # Shown once: the next visit lists it by its first characters only.
    again = browser.get(f"/channels/{inbox.pk}/").content.decode()
    assert raw not in again and raw[:12] in again
    token = ApiToken.find(raw)
    browser.post(f"/channels/{inbox.pk}/tokens", {"revoke": token.pk})
    assert ApiToken.find(raw) is None


def test_sellers_cannot_make_one(agent, inbox):
    from django.test import Client

    browser = Client()
    browser.force_login(agent)
    assert browser.post(f"/channels/{inbox.pk}/tokens", {"label": "x"}).status_code == 403
    assert not ApiToken.objects.filter(inbox=inbox).exists()
