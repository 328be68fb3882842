"""The sandboxes (demo only) act for the inboxes a person sees, and deliver only where the server
is configured to be, whatever the request's Host says."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.accounts.models import Role
from mostrador.connectors.whatsapp.sandbox import phone
from mostrador.connectors.whatsapp.sandbox.demo import ensure_whatsapp_sandbox
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(monkeypatch):
    calls = []
    monkeypatch.setattr(phone, "deliver", lambda inbox, notification, url: calls.append(url) or 200)
    return calls


def test_the_phone_delivers_to_the_configured_address_not_the_requests_host(agent, settings, delivered):
    settings.MOSTRADOR_PUBLIC_URL = "http://127.0.0.1:8000"
    inbox = ensure_whatsapp_sandbox("http://127.0.0.1:8000")
    inbox.members.add(agent)
    browser = Client()
    browser.force_login(agent)
    answer = browser.post("/sandbox/phone/send", {"inbox": inbox.pk, "text": "hola"}, HTTP_HOST="127.0.0.1:9")
    assert answer.status_code == 200
    assert delivered == ["http://127.0.0.1:8000/webhooks/whatsapp"]


def test_someone_who_does_not_work_the_inbox_cannot_write_as_its_customer(agent, delivered):
    inbox = ensure_whatsapp_sandbox("http://127.0.0.1:8000")
    stranger = make_user("extra@example.test", Role.AGENT, "Extraño")
    browser = Client()
    browser.force_login(stranger)
    page = browser.get("/sandbox/phone/").content.decode()
    assert inbox.name not in page
    browser.post("/sandbox/phone/send", {"inbox": inbox.pk, "text": "hola"})
    assert delivered == []


def test_the_sandboxes_are_off_unless_the_installation_runs_them(agent, settings):
    settings.MOSTRADOR_SANDBOX = False
    browser = Client()
    browser.force_login(agent)
    assert browser.get("/sandbox/phone/").status_code == 404
    assert browser.get("/sandbox/telegram/").status_code == 404


def test_the_sandbox_phone_never_shows_a_customers_svg_in_the_page(agent):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from mostrador.connectors.whatsapp.sandbox.models import Media

    path = default_storage.save("sandbox/x.svg", ContentFile(b"<svg><script>alert(1)</script></svg>"))
    Media.objects.create(media_id="m-svg", path=path, mime_type="image/svg+xml", phone_number_id="1", sha256="0", size=40)
    browser = Client()
    browser.force_login(agent)
    answer = browser.get("/sandbox/phone/media/m-svg")
    assert answer["Content-Type"] == "application/octet-stream" and answer["Content-Disposition"].startswith("attachment")
    assert "sandbox" in answer["Content-Security-Policy"]
