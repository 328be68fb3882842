"""The admin's inbox pages: create an inbox of any channel, change its settings and credentials,
with the channel's part of the form built from its connector's settings."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.inbox.models import Inbox
from tests.conftest import customer_says
from tests.telegram.fake_bot_api import TOKEN, FakeBotApi


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bot_api():
    fake = FakeBotApi()
    yield fake
    fake.close()


@pytest.mark.django_db(transaction=True)
def test_an_admin_creates_a_telegram_inbox_from_the_page(admin, agent, bot_api):
    client = logged_in(admin)
    page = client.get("/channels/new/telegram/").content.decode()
    assert "Bot token (from @BotFather)" in page or "Token del bot" in page
    answer = client.post("/channels/new/telegram/", {
        "name": "Telegram Ventas", "wait_target_seconds": "600", "ai_window_seconds": "120",
        "case_close_after_seconds": "86400", "api_base_url": bot_api.url, "bot_token": TOKEN,
        "secret_token": "page-secret-1", "members": [agent.pk],
    })
    assert answer.status_code == 302
    inbox = Inbox.objects.get(name="Telegram Ventas")
    assert inbox.channel == "telegram" and inbox.setting("wait_target_seconds") == 600
    assert inbox.secret("bot_token") == TOKEN and list(inbox.members.all()) == [agent]
    [call] = bot_api.sent("setWebhook")
    assert call["fields"]["url"].endswith(f"/webhooks/telegram/{inbox.pk}")
    edit = client.get(answer["Location"]).content.decode()
    assert f"/webhooks/telegram/{inbox.pk}" in edit and TOKEN not in edit  # secrets never shown


@pytest.mark.django_db
def test_editing_keeps_a_secret_left_blank_and_refuses_bad_values(admin):
    client = logged_in(admin)
    client.post("/channels/new/whatsapp/", {
        "name": "WA", "wait_target_seconds": "900", "ai_window_seconds": "300", "case_close_after_seconds": "86400",
        "phone_number_id": "1234", "graph_api_url": "https://graph.facebook.com/v23.0", "read_receipts": "on",
        "access_token": "tok-1", "app_secret": "sec-1", "verify_token": "ver-1",
    })
    inbox = Inbox.objects.get(name="WA")
    form = {"name": "WA Tienda", "wait_target_seconds": "60", "ai_window_seconds": "30", "case_close_after_seconds": "3600",
            "phone_number_id": "1234", "graph_api_url": "https://graph.facebook.com/v23.0"}
    assert client.post(f"/channels/{inbox.pk}/", form).status_code == 302
    inbox.refresh_from_db()
    assert inbox.name == "WA Tienda" and inbox.setting("wait_target_seconds") == 60
    assert inbox.secret("access_token") == "tok-1" and inbox.setting("read_receipts") is False
    refused = client.post(f"/channels/{inbox.pk}/", {**form, "wait_target_seconds": "0", "graph_api_url": "ftp://x"})
    assert refused.status_code == 422
    inbox.refresh_from_db()
    assert inbox.setting("wait_target_seconds") == 60


@pytest.mark.django_db
def test_only_admins_manage_inboxes(agent, inbox):
    client = logged_in(agent)
    assert client.get("/channels/new/api/").status_code == 403
    assert client.get(f"/channels/{inbox.pk}/").status_code == 403
    assert logged_in(agent).get("/channels/new/fax/").status_code == 403


def test_a_composer_posted_before_the_page_scripts_start_still_sends_and_notes_stay_notes(agent_api, agent, inbox):
    """Without the page's script the composer is a plain form: it still posts (never a GET with
    the text in the address), answers with the whole page, and a note never reaches the customer."""
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    seller = Client()
    seller.force_login(agent)
    pane = seller.get(f"/ui/c/{conv_id}").content.decode()
    composer = pane.split('id="composer"', 1)[1].split(">", 1)[0]
    assert 'method="post"' in composer and f'action="/ui/c/{conv_id}/reply"' in composer
    page = seller.post(f"/ui/c/{conv_id}/reply", {"mode": "note", "text": "ojo: cliente mayorista"})
    assert page.status_code == 200 and 'id="app"' in page.content.decode()
    assert agent_api.get(f"/conversations/{conv_id}/notes").json_body["items"][0]["text"] == "ojo: cliente mayorista"
    assert [m["author_kind"] for m in agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"]] == ["customer"]
    seller.post(f"/ui/c/{conv_id}/reply", {"mode": "reply", "text": "¡Hola! ¿En qué te ayudo?"})
    assert agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][-1]["text"] == "¡Hola! ¿En qué te ayudo?"


@pytest.mark.django_db(transaction=True)
def test_a_message_without_text_previews_as_what_it_is(agent, inbox):
    from mostrador.inbox import actions

    for n, (kind, media) in enumerate([("image", {"mime_type": "image/jpeg"}), ("audio", {"mime_type": "audio/ogg", "voice": True}),
                                       ("document", {"mime_type": "application/pdf", "filename": "factura.pdf"})]):
        actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id=f"c{n}", type=kind, media=media))
    seller = Client()
    seller.force_login(agent)
    rows = seller.get("/ui/list?tab=pending").content.decode()
    assert "📷 Foto" in rows and "🎤 Mensaje de voz" in rows and "📄 factura.pdf" in rows


@pytest.mark.django_db(transaction=True)
def test_the_timeline_says_who_assigned_the_chat_to_whom(agent_api, agent, admin, inbox):
    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation

    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    conv = Conversation.objects.get(pk=conv_id)
    actions.assign(conv, actions.Actor.person(agent), user=agent)
    actions.assign(conv, actions.Actor.person(admin), user=None)
    actions.assign(conv, actions.Actor.person(admin), user=agent)
    seller = Client()
    seller.force_login(agent)
    lines = [chunk.split("</li>", 1)[0] for chunk in seller.get(f"/ui/c/{conv_id}").content.decode().split('data-testid="event-assigned"')[1:]]
    assert "Ana Rojas tomó el chat" in lines[0]
    assert f"{admin.name} dejó el chat sin asignar" in lines[1]
    assert f"{admin.name} asignó el chat a Ana Rojas" in lines[2]


@pytest.mark.django_db(transaction=True)
def test_a_photo_keeps_its_room_in_the_timeline_before_it_loads(agent_api, agent, inbox, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from mostrador.inbox.media import image_size
    from mostrador.inbox.models import Message

    settings.MEDIA_ROOT = str(tmp_path)
    out = io.BytesIO()
    Image.new("RGB", (1200, 1600), "white").save(out, "JPEG")
    conv_id = customer_says(inbox.pk, "¿me mandas foto?")["conversation_id"]
    seller = Client()
    seller.force_login(agent)
    photo = SimpleUploadedFile("pastillas.jpg", out.getvalue(), content_type="image/jpeg")
    seller.post(f"/ui/c/{conv_id}/reply", {"mode": "reply", "text": "Estas son", "file": photo}, HTTP_HX_REQUEST="true")
    sent = Message.objects.get(direction="out")
    assert (sent.media["width"], sent.media["height"]) == (1200, 1600)
    # Drawn at most 260 px on its longest side, in its own proportions.
    pane = seller.get(f"/ui/c/{conv_id}").content.decode()
    assert 'data-testid="media-image" width="195" height="260"' in pane
    # What is not an image, or is broken, has no size, and nothing fails.
    assert image_size(b"%PDF-1.4 not an image") == {} and image_size(b"\x89PNG\r\n\x1a\nbroken") == {}


@pytest.mark.django_db(transaction=True)
def test_priority_team_and_tags_are_shown_and_edited_in_the_pane(agent_api, agent, inbox):
    from mostrador.accounts.models import Team

    ventas = Team.objects.create(name="Ventas")
    conv_id = customer_says(inbox.pk, "necesito 4 neumáticos hoy")["conversation_id"]
    seller = Client()
    seller.force_login(agent)
    pane = seller.post(f"/ui/c/{conv_id}/priority", {"priority": "2"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'value="2" selected' in pane and "Ana Rojas fijó la prioridad en Urgente" in pane
    assert seller.post(f"/ui/c/{conv_id}/priority", {"priority": "9"}).status_code == 400
    pane = seller.post(f"/ui/c/{conv_id}/team", {"team_id": str(ventas.pk)}, HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{ventas.pk}" selected' in pane
    seller.post(f"/ui/c/{conv_id}/tags", {"add": "mayorista, neumáticos"}, HTTP_HX_REQUEST="true")
    pane = seller.post(f"/ui/c/{conv_id}/tags", {"remove": "mayorista"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ana Rojas etiquetó la conversación: neumáticos" in pane
    conv = agent_api.get(f"/conversations/{conv_id}").json_body
    assert (conv["priority"], conv["team_id"], conv["tags"]) == (2, ventas.pk, ["neumáticos"])
    # The list row says why it is above older waits, and what it is about.
    rows = seller.get("/ui/list?tab=pending", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "🔥 Urgente" in rows and 'data-testid="row-tag">neumáticos<' in rows


@pytest.mark.django_db(transaction=True)
def test_older_rows_come_by_cursor_and_a_forged_cursor_is_refused(agent, inbox):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(inbox, [actions.InboundMessage(contact_external_id=f"c{n}", text=f"hola {n}") for n in range(55)])
    seller = Client()
    seller.force_login(agent)
    first = seller.get("/ui/list?tab=pending").content.decode()
    assert first.count('<a class="row') == 50 and 'data-testid="more-rows"' in first
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0]
    more = seller.get(f"/ui/list/more?tab=pending&scope=all&cursor={cursor}").content.decode()
    assert more.count('<a class="row') == 5 and "more-rows" not in more
    assert seller.get("/ui/list/more?tab=pending&scope=all&cursor=bm90LWEtY3Vyc29y").status_code == 400


def test_the_lists_statements_do_not_grow_with_its_rows(agent, inbox):
    """The list reads its rows, their contacts, last messages, inboxes, assignees, tags and marks
    a page at a time: 3 chats or 40 (tagged, assigned, prioritised, queued, with the AI) cost the
    same statements, for the page and for a live frame's rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mostrador.inbox import actions
    from mostrador.inbox.live_rows import ListRows
    from mostrador.inbox.models import Conversation, Priority

    def chats(first: int, last: int) -> list[int]:
        made = []
        for n in range(first, last):
            conv = Conversation.objects.get(pk=customer_says(inbox.pk, f"consulta {n}", who=f"c{n}")["conversation_id"])
            actions.set_tags(conv, actions.Actor.person(agent), [f"etiqueta {n % 3}"])
            if n % 2:
                actions.assign(conv, actions.Actor.person(agent), user=agent)
            if n % 5 == 0:
                actions.set_priority(conv, actions.Actor.person(agent), Priority.HIGH)
            made.append(conv.pk)
        return made

    seller = Client()
    seller.force_login(agent)
    lister = ListRows()
    watching = lister.watch("tab=pending&scope=all", "es")

    def statements(ids: list[int]) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert seller.get("/ui/list", {"tab": "pending", "scope": "all"}).status_code == 200
        with CaptureQueriesContext(connection) as frame:
            lister.render([(agent.pk, watching, tuple(ids))])
        return len(page.captured_queries), len(frame.captured_queries)

    few = chats(0, 3)
    before = statements(few)
    many = few + chats(3, 40)
    assert statements(many) == before


@pytest.mark.django_db(transaction=True)
def test_tags_given_before_the_names_column_existed_are_shown_after_the_upgrade(agent, inbox):
    """An installation upgraded with tagged chats: the migration copies each chat's tags into the
    column its row reads, sorted, and leaves untagged chats with none."""
    import importlib

    from django.apps import apps

    from mostrador.inbox.models import Conversation, Tag

    upgrade = importlib.import_module("mostrador.inbox.migrations.0017_conversation_tag_names")
    tagged = Conversation.objects.get(pk=customer_says(inbox.pk, "hola", who="c1")["conversation_id"])
    plain = Conversation.objects.get(pk=customer_says(inbox.pk, "buenas", who="c2")["conversation_id"])
    tagged.tags.add(Tag.objects.create(name="neumáticos"), Tag.objects.create(name="mayorista"))
    Conversation.objects.update(tag_names=[])

    upgrade.copy_tag_names(apps, None)

    assert Conversation.objects.get(pk=tagged.pk).tag_names == ["mayorista", "neumáticos"]
    assert Conversation.objects.get(pk=plain.pk).tag_names == []
    seller = Client()
    seller.force_login(agent)
    rows = seller.get("/ui/list?tab=pending").content.decode()
    assert 'data-testid="row-tag">mayorista<' in rows


@pytest.mark.django_db(transaction=True)
def test_the_list_and_the_top_bar_work_out_what_their_person_sees_once(agent, inbox):
    """The list, its tab counts and its inbox menu all ask what the seller sees; the page asks the
    database once, and reads her teams only where an inbox is worked by teams."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mostrador.accounts.models import Team

    customer_says(inbox.pk, "hola")
    seller = Client()
    seller.force_login(agent)

    def scope_reads(path: str, params: dict) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert seller.get(path, params).status_code == 200
        sql = [q["sql"] for q in page.captured_queries]
        return sum('"inbox_inbox_members"' in s and 'FROM "inbox_inbox"' in s for s in sql), sum('FROM "accounts_team" INNER JOIN' in s for s in sql)

    # The top bar's numbers too (Pendientes, and the capabilities' own: quotes to make), which
    # every tab asks for when its socket opens again.
    pages = [("/ui/list", {"tab": "pending"}), ("/ui/counters", {})]
    assert [scope_reads(*page) for page in pages] == [(1, 0), (1, 0)]
    ventas = Team.objects.create(name="Ventas")
    ventas.members.add(agent)
    inbox.settings = {**inbox.settings, "team_ids": [ventas.pk]}
    inbox.save()
    assert [scope_reads(*page) for page in pages] == [(1, 1), (1, 1)]
