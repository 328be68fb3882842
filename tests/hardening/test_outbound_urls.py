"""URLs admins set are URLs the server calls. Only http(s) to public addresses are taken, unless
MOSTRADOR_OUTBOUND_ALLOW says otherwise; the check holds again at connect time, and what the
other end answered never reaches the sellers who read message errors."""

from __future__ import annotations

import pytest

from mostrador.core.outbound import OutboundRefused, check_url, parse_allow
from mostrador.inbox.models import Inbox, Message
from tests.bots.fakes import _Server
from tests.whatsapp.conftest import run_jobs

pytestmark = pytest.mark.django_db(transaction=True)

FORBIDDEN = [
    "http://127.0.0.1:9/hook",
    "http://localhost:8000/",
    "http://api.localhost/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/",
    "http://192.168.1.10:5432/",
    "http://100.64.0.1/",
    "http://[::1]:8000/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0:8000/",
    "http://2130706433/",  # 127.0.0.1 written as one number
    "file:///etc/passwd",
    "gopher://example.com/",
    "ftp://example.com/",
]


@pytest.fixture
def nothing_allowed(settings):
    settings.MOSTRADOR_OUTBOUND_ALLOW = ""


@pytest.mark.parametrize("url", FORBIDDEN)
def test_private_and_odd_urls_are_refused_when_saved(admin_api, inbox, nothing_allowed, url):
    before = Inbox.objects.get(pk=inbox.pk).settings
    answer = admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"outbound_url": url}})
    assert answer.status_code == 422, answer.json_body
    assert Inbox.objects.get(pk=inbox.pk).settings == before


@pytest.mark.parametrize(
    "channel, settings_",
    [
        ("whatsapp", {"phone_number_id": "1", "graph_api_url": "http://169.254.169.254/v23.0"}),
        ("telegram", {"bot_token": "1:x", "secret_token": "s", "api_base_url": "http://127.0.0.1:6379"}),
        ("api", {"ai_agent": {"kind": "webhook", "url": "http://127.0.0.1:5432/"}}),
        ("api", {"ai_agent": {"kind": "llm", "base_url": "http://10.1.2.3/v1", "model": "m"}}),
    ],
)
def test_every_url_an_admin_sets_is_checked(admin_api, nothing_allowed, channel, settings_):
    answer = admin_api.post("/inboxes", {"name": "X", "channel": channel, "settings": settings_})
    assert answer.status_code == 422, answer.json_body
    assert not Inbox.objects.filter(name="X").exists()


def test_public_addresses_are_taken(admin_api, inbox, nothing_allowed):
    answer = admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"outbound_url": "https://93.184.215.14/hook"}})
    assert answer.status_code == 200, answer.json_body


def test_the_allow_list_takes_hosts_and_ranges(settings):
    settings.MOSTRADOR_OUTBOUND_ALLOW = "10.0.0.0/8, crm.internal 127.0.0.1"
    for url in ("http://10.20.30.40/", "http://127.0.0.1:9000/", "http://CRM.internal/"):
        check_url(url, resolve=False)
    with pytest.raises(OutboundRefused):
        check_url("http://192.168.0.1/")
    assert parse_allow("a.example , 10.0.0.0/8") == (frozenset({"a.example"}), parse_allow("10.0.0.0/8")[1])


class Receiver(_Server):
    """An outside system's endpoint that fails loudly, with something private in its answer."""


@pytest.fixture
def receiver():
    server = Receiver()
    server.default = (500, {"detail": "db password is hunter2"})
    yield server
    server.close()


def test_a_url_allowed_when_saved_is_checked_again_when_called(admin_api, agent_api, inbox, settings, receiver):
    settings.MOSTRADOR_OUTBOUND_ALLOW = "127.0.0.1"
    assert admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"outbound_url": receiver.url}}).status_code == 200
    # The allowance is withdrawn (or the name now resolves elsewhere): the next call is refused
    # before a connection is made.
    settings.MOSTRADOR_OUTBOUND_ALLOW = ""
    conv = admin_api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"external_id": "c1", "name": "Caro"}, "text": "hola"})
    sent = agent_api.post(f"/conversations/{conv.json_body['conversation']['id']}/messages", {"text": "buenas"})
    assert sent.status_code == 201
    run_jobs(rounds=1)
    assert receiver.requests == []
    assert Message.objects.get(pk=sent.json_body["id"]).status in ("queued", "failed")


def test_what_the_other_end_answered_stays_out_of_message_errors(admin_api, agent_api, inbox, receiver):
    assert admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"outbound_url": receiver.url}}).status_code == 200
    receiver.default = (400, {"detail": "db password is hunter2"})
    conv = admin_api.post(f"/inboxes/{inbox.pk}/messages", {"contact": {"external_id": "c1", "name": "Caro"}, "text": "hola"})
    conv_id = conv.json_body["conversation"]["id"]
    sent = agent_api.post(f"/conversations/{conv_id}/messages", {"text": "buenas"}).json_body
    run_jobs(rounds=1)
    assert len(receiver.requests) == 1
    seen = next(m for m in agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"] if m["id"] == sent["id"])
    assert seen["status"] == "failed" and seen["error"]["code"] == "400"
    assert "hunter2" not in str(seen)
