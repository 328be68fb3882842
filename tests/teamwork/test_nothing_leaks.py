"""Every API path and page that takes a conversation, walked as people who may not see it: an
agent of another inbox, and an agent of an own-and-unassigned inbox looking at a colleague's
chat. None of them gets a 2xx, and nothing about the chat changes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mostrador.inbox.models import Conversation, ConversationEvent, Message, Note
from mostrador.quotes.models import Quote
from mostrador.teamwork.models import Notification

from .conftest import chat, new_inbox

pytestmark = pytest.mark.django_db(transaction=True)

METHODS = ("get", "post", "patch", "delete")


def footprint(conversation_id: int) -> tuple:
    conv = Conversation.objects.get(pk=conversation_id)
    return (
        conv.assignee_id, conv.team_id, conv.resolved, conv.waiting_since, conv.ai_enabled, conv.priority,
        ConversationEvent.objects.filter(conversation_id=conversation_id).count(),
        Message.objects.filter(conversation_id=conversation_id).count(),
        Note.objects.filter(conversation_id=conversation_id).count(),
        Quote.objects.filter(conversation_id=conversation_id).count(),
        Notification.objects.filter(conversation_id=conversation_id).count(),
    )


def conversation_paths(api) -> list[tuple[str, str]]:
    doc = api.get("/openapi.json")
    if doc.status_code != 200:  # the document is public; fetch it without the prefix's auth
        doc = Client().get("/api/v1/openapi.json")
    found = []
    for path, item in doc.json()["paths"].items():
        if "{conversation_id}" not in path:
            continue
        for method in item:
            if method in METHODS:
                found.append((method, path.removeprefix("/api/v1")))
    return found


@pytest.mark.parametrize("who", ["other_inbox", "colleague_own_only"])
def test_no_api_path_or_page_reaches_a_chat_the_person_may_not_see(admin_api, sellers, who):
    ana, bruno, _ = sellers
    own_only = new_inbox(admin_api, [ana, bruno], visibility="own_and_unassigned")
    elsewhere = new_inbox(admin_api, [bruno])
    if who == "other_inbox":
        hidden = chat(admin_api, elsewhere, "x", "secreto")["id"]
    else:
        hidden = chat(admin_api, own_only, "x", "secreto")["id"]
        admin_api.post(f"/conversations/{hidden}/assign", {"user_id": bruno.id})
    message_id = Message.objects.filter(conversation_id=hidden).values_list("pk", flat=True).first()
    before = footprint(hidden)
    paths = conversation_paths(ana.api)
    assert len(paths) >= 15, paths
    bodies = {"post": {"text": "hola", "user_id": ana.id, "enabled": True, "priority": 1, "tags": ["x"], "reason": "x"}}
    for method, template in paths:
        path = template.replace("{conversation_id}", str(hidden))
        path = re.sub(r"\{message_id\}", str(message_id), path)
        path = re.sub(r"\{\w+\}", "1", path)
        answer = getattr(ana.api, method)(path, bodies["post"]) if method in ("post", "patch") else getattr(ana.api, method)(path)
        assert answer.status_code in (404, 422), (method, path, answer.status_code, answer.json_body)
        assert "secreto" not in answer.content.decode()
    # Lists and reports never name it.
    for path, params in (
        ("/conversations", {"state": "all"}),
        ("/cases", {"conversation_id": hidden}),
        ("/quotes", {}),
    ):
        assert str(hidden) not in [str(i.get("id")) for i in ana.api.get(path, **params).json_body["items"]]
        assert "secreto" not in ana.api.get(path, **params).content.decode()
    assert ana.api.post("/quotes", {"conversation_id": hidden}).status_code == 404

    # The web pages and the media file.
    browser = Client()
    browser.force_login(ana.user)
    for url in (f"/c/{hidden}", f"/ui/c/{hidden}", f"/media/{message_id}", f"/team/ui/people/{hidden}"):
        assert browser.get(url).status_code == 404, url
    for action in ("reply", "note", "resolve", "reopen", "ai", "assign", "transfer"):
        assert browser.post(f"/ui/c/{hidden}/{action}", {"text": "x", "user_id": ana.id}).status_code == 404, action
    assert "secreto" not in browser.get("/?tab=all").content.decode()
    assert footprint(hidden) == before
