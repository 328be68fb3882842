"""A Telegram bot as an inbox, through the outside contract only: the REST API creates it (which
registers the webhook with the Bot API), updates arrive at `/webhooks/telegram/<inbox id>` with the
secret token, and replies leave through a fake Bot API served on loopback."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from mostrador.inbox.models import ContactIdentity, Message
from mostrador.intake.models import InboundLog, LogState
from tests.bots.conftest import ROUTES
from tests.whatsapp.conftest import run_jobs

from .fake_bot_api import FILE_BYTES, TOKEN, FakeBotApi

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "s3cret-Token_for-tests"
CHAT = 777000111


@pytest.fixture
def bot_api():
    fake = FakeBotApi()
    yield fake
    fake.close()


@pytest.fixture
def tg_inbox(admin_api, agent, bot_api):
    response = admin_api.post("/inboxes", {
        "name": "Telegram Tienda",
        "channel": "telegram",
        "settings": {"bot_token": TOKEN, "secret_token": SECRET, "api_base_url": bot_api.url},
        "member_ids": [agent.pk],
    })
    assert response.status_code == 201, response.json_body
    return response.json_body


_update_ids = iter(range(10_000, 20_000))


def update(**content) -> dict:
    return {"update_id": next(_update_ids), **content}


def message(message_id: int, **fields) -> dict:
    return {
        "message_id": message_id,
        "from": {"id": CHAT, "is_bot": False, "first_name": "Camila", "last_name": "Rojas", "language_code": "es"},
        "chat": {"id": CHAT, "first_name": "Camila", "last_name": "Rojas", "type": "private"},
        "date": int(time.time()),
        **fields,
    }


def post_update(inbox_id: int, body, secret: str | None = SECRET):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    return Client().post(f"/webhooks/telegram/{inbox_id}", data=raw, content_type="application/json", **headers)


def arrive(inbox_id: int, body) -> None:
    response = post_update(inbox_id, body)
    assert response.status_code == 200, response.content
    run_jobs()


def the_conversation(api) -> dict:
    [conv] = api.get("/conversations", state="all").json_body["items"]
    return conv


def messages_of(api, conv_id) -> list[dict]:
    return api.get(f"/conversations/{conv_id}/messages").json_body["items"]


def test_saving_the_inbox_registers_its_webhook_with_the_secret(tg_inbox, bot_api, admin_api):
    [call] = bot_api.sent("setWebhook")
    assert call["fields"]["url"].endswith(f"/webhooks/telegram/{tg_inbox['id']}")
    assert call["fields"]["secret_token"] == SECRET
    assert set(call["fields"]["allowed_updates"]) >= {"message", "edited_message", "callback_query"}
    # Secrets are write-only.
    assert "bot_token" not in tg_inbox["settings"] and "secret_token" not in tg_inbox["settings"]
    assert tg_inbox["secrets_set"] == ["bot_token", "secret_token"]
    # A new secret is registered again.
    assert admin_api.patch(f"/inboxes/{tg_inbox['id']}", {"settings": {"secret_token": "other-1"}}).status_code == 200
    assert bot_api.sent("setWebhook")[-1]["fields"]["secret_token"] == "other-1"


def test_bad_settings_are_a_clear_422(admin_api, bot_api):
    for settings in ({"bot_token": "not a token"}, {"secret_token": "spaces are not allowed"}, {"phone_number_id": "1"}):
        response = admin_api.post("/inboxes", {"name": "T", "channel": "telegram", "settings": settings})
        assert response.status_code == 422 and response.json_body["code"] == "invalid_settings", settings
    assert bot_api.sent() == []


def test_requests_without_the_secret_token_are_refused_and_nothing_is_kept(tg_inbox, agent_api):
    body = update(message=message(1, text="Hola"))
    assert post_update(tg_inbox["id"], body, secret=None).status_code == 401
    assert post_update(tg_inbox["id"], body, secret="wrong").status_code == 403
    assert post_update(tg_inbox["id"] + 999, body).status_code == 403
    assert Client().post("/webhooks/telegram/abc", data=json.dumps(body), content_type="application/json",
                         HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET).status_code == 403
    run_jobs()
    assert InboundLog.objects.count() == 0 and Message.objects.count() == 0
    assert agent_api.get("/conversations", state="all").json_body["items"] == []


def test_a_text_waits_in_pending_and_a_redelivered_update_is_stored_once(tg_inbox, agent_api):
    body = update(message=message(41, text="¿Tienen el foco del Yaris 2018?"))
    arrive(tg_inbox["id"], body)
    arrive(tg_inbox["id"], body)
    [conv] = agent_api.get("/conversations", state="pending").json_body["items"]
    assert conv["inbox_id"] == tg_inbox["id"] and conv["contact"]["name"] == "Camila Rojas"
    [m] = messages_of(agent_api, conv["id"])
    assert (m["type"], m["text"], m["author_kind"], m["direction"]) == ("text", "¿Tienen el foco del Yaris 2018?", "customer", "in")
    assert m["external_id"] == f"{CHAT}:41"
    # Telegram says which language the customer's app speaks; automated messages use it.
    from mostrador.inbox.models import Contact

    assert Contact.objects.get(name="Camila Rojas").language == "es"


def test_a_malformed_update_with_the_right_secret_is_a_400_kept_for_admins(tg_inbox):
    assert post_update(tg_inbox["id"], b"{not json").status_code == 400
    assert post_update(tg_inbox["id"], {"no": "update_id"}).status_code == 400
    assert list(InboundLog.objects.values_list("state", flat=True)) == [LogState.REJECTED] * 2


@pytest.mark.parametrize(
    "fields, kind, check",
    [
        ({"photo": [{"file_id": "small", "file_unique_id": "a", "width": 90, "height": 90},
                    {"file_id": "big", "file_unique_id": "b", "width": 800, "height": 800}], "caption": "este"},
         "image", lambda m: m["media"]["id"] == "big" and m["text"] == "este"),
        ({"document": {"file_id": "doc1", "file_unique_id": "d", "file_name": "factura.pdf", "mime_type": "application/pdf"}},
         "document", lambda m: m["media"]["filename"] == "factura.pdf" and m["media"]["mime_type"] == "application/pdf"),
        ({"voice": {"file_id": "v1", "file_unique_id": "v", "duration": 3, "mime_type": "audio/ogg"}},
         "audio", lambda m: m["media"]["voice"] is True),
        ({"video": {"file_id": "vid", "file_unique_id": "x", "width": 1, "height": 1, "duration": 2}},
         "video", lambda m: m["media"]["id"] == "vid"),
        ({"sticker": {"file_id": "st", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
                      "is_animated": False, "is_video": False, "emoji": "👍"}},
         "sticker", lambda m: m["text"] == "👍"),
        ({"location": {"latitude": -33.45, "longitude": -70.66}},
         "location", lambda m: m["location"]["latitude"] == -33.45 and m["location"]["longitude"] == -70.66),
        ({"contact": {"phone_number": "+56911112222", "first_name": "Pedro", "last_name": "Soto"}},
         "contacts", lambda m: m["text"] == "Pedro Soto, +56911112222"),
    ],
)
def test_every_kind_of_message_maps_to_the_api_fields(tg_inbox, agent_api, fields, kind, check):
    arrive(tg_inbox["id"], update(message=message(7, **fields)))
    [m] = messages_of(agent_api, the_conversation(agent_api)["id"])
    assert m["type"] == kind and check(m), m


def test_a_photo_is_downloaded_through_get_file(tg_inbox, agent_api, agent, bot_api):
    photo = [{"file_id": "AgAD-photo", "file_unique_id": "p", "width": 800, "height": 600}]
    arrive(tg_inbox["id"], update(message=message(8, photo=photo)))
    [m] = messages_of(agent_api, the_conversation(agent_api)["id"])
    assert bot_api.sent("getFile")[0]["fields"] == {"file_id": "AgAD-photo"}
    seller = Client()
    seller.force_login(agent)
    assert seller.get(m["media"]["url"]).getvalue() == FILE_BYTES


def test_an_edit_replaces_the_text_and_moves_nothing(tg_inbox, agent_api, agent):
    arrive(tg_inbox["id"], update(message=message(20, text="Necesito 1 foco")))
    conv = the_conversation(agent_api)
    assert agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Te cotizo enseguida"}).status_code == 201
    run_jobs()
    edited = message(20, text="Necesito 2 focos", edit_date=int(time.time()))
    arrive(tg_inbox["id"], update(edited_message=edited))
    arrive(tg_inbox["id"], update(edited_message=edited))  # redelivered
    first, reply = messages_of(agent_api, conv["id"])
    assert first["text"] == "Necesito 2 focos" and first["edited_at"] is not None
    assert reply["text"] == "Te cotizo enseguida"
    # Shown as edited, never as a new message, and the customer is not waiting again.
    assert the_conversation(agent_api)["state"] == "awaiting_customer"
    seller = Client()
    seller.force_login(agent)
    pane = seller.get(f"/ui/c/{conv['id']}").content.decode()
    assert "Necesito 2 focos" in pane and 'data-testid="message-edited"' in pane and "Necesito 1 foco" not in pane


def test_a_reply_goes_out_through_send_message(tg_inbox, agent_api, bot_api):
    arrive(tg_inbox["id"], update(message=message(30, text="Hola")))
    conv = the_conversation(agent_api)
    [inbound] = messages_of(agent_api, conv["id"])
    sent = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "¡Hola Camila!", "reply_to_id": inbound["id"]})
    assert sent.status_code == 201
    run_jobs()
    [call] = bot_api.sent("sendMessage")
    assert call["fields"]["chat_id"] == CHAT and call["fields"]["text"] == "¡Hola Camila!"
    assert call["fields"]["reply_parameters"]["message_id"] == 30
    reply = messages_of(agent_api, conv["id"])[-1]
    assert reply["status"] == "sent" and reply["external_id"] == f"{CHAT}:{bot_api.next_message_id}"
    assert the_conversation(agent_api)["state"] == "awaiting_customer"


def test_flood_control_waits_retry_after_and_a_blocked_bot_fails_for_good(tg_inbox, agent_api, bot_api):
    arrive(tg_inbox["id"], update(message=message(31, text="Hola")))
    conv = the_conversation(agent_api)
    bot_api.failures.append((429, "Too Many Requests: retry after 7", {"retry_after": 7}))
    agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Primero"})
    run_jobs(rounds=1)
    assert messages_of(agent_api, conv["id"])[-1]["status"] == "queued"
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_message").get()
    assert 5 <= (retry.run_after - retry.enqueued_at).total_seconds() <= 9
    # Sends to this customer wait too, so they leave in order; seven seconds later:
    held = ContactIdentity.objects.get(inbox_id=tg_inbox["id"])
    assert 5 <= (held.send_not_before - timezone.now()).total_seconds() <= 9
    ContactIdentity.objects.filter(pk=held.pk).update(send_not_before=timezone.now() - timedelta(seconds=1))
    run_jobs()
    assert messages_of(agent_api, conv["id"])[-1]["status"] == "sent"

    bot_api.failures.append((403, "Forbidden: bot was blocked by the user", {}))
    agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Segundo"})
    run_jobs()
    blocked = messages_of(agent_api, conv["id"])[-1]
    assert blocked["status"] == "failed" and blocked["error"]["code"] == "403"
    assert "blocked" in blocked["error"]["message"]
    assert len(bot_api.sent("sendMessage")) == 3  # one refused, one sent, one blocked: never again


def test_the_routes_menu_is_an_inline_keyboard_and_a_tap_is_answered(tg_inbox, admin_api, agent_api, bot_api):
    admin_api.patch(f"/inboxes/{tg_inbox['id']}", {"settings": {"ai_enabled": True, "ai_agent": ROUTES}})
    arrive(tg_inbox["id"], update(message=message(50, text="Hola")))
    menu = bot_api.sent("sendMessage")[-1]["fields"]
    assert menu["text"] == ROUTES["greeting"]
    keyboard = menu["reply_markup"]["inline_keyboard"]
    assert [row[0] for row in keyboard] == [
        {"text": "Cotizar repuesto", "callback_data": "route:cotizar"},
        {"text": "Estado de despacho", "callback_data": "route:despacho"},
    ]
    menu_id = bot_api.next_message_id
    tap = {
        "id": "4382bfdwdsb323b2d9", "chat_instance": "-1",
        "from": {"id": CHAT, "is_bot": False, "first_name": "Camila"},
        "message": {"message_id": menu_id, "date": int(time.time()), "chat": {"id": CHAT, "type": "private"},
                    "text": menu["text"], "reply_markup": menu["reply_markup"]},
        "data": "route:cotizar",
    }
    arrive(tg_inbox["id"], update(callback_query=tap))
    assert bot_api.sent("answerCallbackQuery")[0]["fields"] == {"callback_query_id": "4382bfdwdsb323b2d9"}
    assert bot_api.sent("sendMessage")[-1]["fields"]["text"] == "¿Cuál es la patente del vehículo?"
    conv = the_conversation(agent_api)
    chosen = [m for m in messages_of(agent_api, conv["id"]) if m["type"] == "interactive_reply"]
    assert [(m["text"], m["payload"]) for m in chosen] == [("Cotizar repuesto", "route:cotizar")]


def test_telegram_service_notes_are_notices_that_never_start_a_wait(tg_inbox, agent_api):
    arrive(tg_inbox["id"], update(message=message(60, text="Hola")))
    conv = the_conversation(agent_api)
    agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "¿En qué te ayudo?"})
    run_jobs()
    arrive(tg_inbox["id"], update(message=message(62, pinned_message=message(61, text="¿En qué te ayudo?"))))
    [notice] = [m for m in messages_of(agent_api, conv["id"]) if m["external_id"] == f"{CHAT}:62"]
    assert notice["author_kind"] == "system" and notice["bot_name"] == "Telegram"
    assert the_conversation(agent_api)["state"] == "awaiting_customer"


def test_updates_that_are_not_customers_writing_change_nothing(tg_inbox, agent_api):
    blocked = {"chat": {"id": CHAT, "type": "private"}, "from": {"id": CHAT, "is_bot": False, "first_name": "C"},
               "date": int(time.time()), "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "B"}},
               "new_chat_member": {"status": "kicked", "user": {"id": 1, "is_bot": True, "first_name": "B"}, "until_date": 0}}
    arrive(tg_inbox["id"], update(my_chat_member=blocked))
    arrive(tg_inbox["id"], update(edited_message=message(999, text="never stored", edit_date=int(time.time()))))
    arrive(tg_inbox["id"], update(message={"message_id": 1, "date": 1, "chat": "not an object"}))
    assert agent_api.get("/conversations", state="all").json_body["items"] == []
    assert InboundLog.objects.filter(state=LogState.PROCESSED).count() == 2
    assert InboundLog.objects.filter(state=LogState.REJECTED).count() == 1


def test_telegram_takes_more_buttons_than_whatsapp_and_sends_them_as_an_inline_keyboard(tg_inbox, agent_api, bot_api):
    arrive(tg_inbox["id"], update(message=message(70, text="¿Qué repuestos tienen?")))
    conv = the_conversation(agent_api)
    buttons = [{"id": f"parte-{i}", "title": f"Repuesto número {i} para el auto"} for i in range(5)]
    sent = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Elige", "interactive": {"buttons": buttons}})
    assert sent.status_code == 201, sent.json_body
    run_jobs()
    keyboard = bot_api.sent("sendMessage")[-1]["fields"]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [f"parte-{i}" for i in range(5)]
    too_many = [{"id": f"p{i}", "title": "x"} for i in range(11)]
    refused = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Elige", "interactive": {"buttons": too_many}})
    assert refused.status_code == 422
