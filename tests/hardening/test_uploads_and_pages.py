"""Nothing an agent or a customer uploads runs script, and no page runs script it does not ship."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mostrador.inbox import actions
from mostrador.inbox.media import store_upload

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/v1/inboxes")</script></svg>'


def sent(agent, inbox, name: str, mime: str, body: bytes):
    conv = actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id="c", text="hola"))[0].conversation
    media = store_upload(SimpleUploadedFile(name, body, content_type=mime))
    return actions.send_message(conv, actions.Actor.person(agent), actions.OutboundContent(text="", media=media))


@pytest.mark.parametrize(
    ("name", "mime", "body"),
    [("x.svg", "image/svg+xml", SVG), ("x.html", "text/html", b"<script>alert(1)</script>"), ("x.js", "text/javascript", b"alert(1)")],
)
def test_a_file_that_could_run_script_is_only_ever_downloaded(agent, inbox, name, mime, body):
    message = sent(agent, inbox, name, mime, body)
    browser = Client()
    browser.force_login(agent)
    answer = browser.get(f"/media/{message.pk}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["Content-Disposition"].startswith("attachment")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in answer["Content-Security-Policy"] and "default-src 'none'" in answer["Content-Security-Policy"]


def test_a_photo_still_shows_in_the_page(agent, inbox):
    message = sent(agent, inbox, "foto.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    browser = Client()
    browser.force_login(agent)
    answer = browser.get(f"/media/{message.pk}")
    assert answer["Content-Type"] == "image/png"
    assert not answer.get("Content-Disposition", "").startswith("attachment")
    assert "sandbox" in answer["Content-Security-Policy"]


def test_every_page_forbids_inline_and_foreign_script(agent, admin, inbox):
    for user, paths in ((agent, ["/", "/quotes/", "/team/mentions/"]), (admin, ["/channels/", "/ai/", "/team/teams/", "/simulator/"])):
        browser = Client()
        browser.force_login(user)
        for path in paths:
            answer = browser.get(path, follow=True)
            assert answer.status_code == 200, path
            policy = answer["Content-Security-Policy"]
            script = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()[1:]
            assert script == ["'self'"], (path, policy)
            html = answer.content.decode()
            for inline in (" onchange=", " onclick=", " onsubmit=", " oninput=", "hx-on"):
                assert inline not in html, (path, inline)
