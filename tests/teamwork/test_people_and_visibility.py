"""Roles, teams and visibility through the API; transfers with notes; mentions; notifications;
and the bad input that must change nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.teamwork.models import Mention, Notification

from .conftest import chat, conversation, new_inbox


@pytest.mark.django_db(transaction=True)
def test_own_and_unassigned_hides_colleagues_chats_everywhere(admin_api, sellers, supervisor):
    ana, bruno, _ = sellers
    inbox = new_inbox(admin_api, [ana, bruno], visibility="own_and_unassigned")
    anas, brunos, nobodys = (chat(admin_api, inbox, who) for who in ("a", "b", "n"))
    admin_api.post(f"/conversations/{anas['id']}/assign", {"user_id": ana.id})
    admin_api.post(f"/conversations/{brunos['id']}/assign", {"user_id": bruno.id})

    listed = {c["id"] for c in ana.api.get("/conversations", state="all").json_body["items"]}
    assert listed == {anas["id"], nobodys["id"]}
    assert ana.api.get(f"/conversations/{brunos['id']}").status_code == 404
    assert ana.api.get(f"/conversations/{brunos['id']}/messages").status_code == 404
    assert ana.api.post(f"/conversations/{brunos['id']}/notes", {"text": "x"}).status_code == 404
    assert ana.api.get("/cases", conversation_id=brunos["id"]).json_body["items"] == []
    # The web list and its counters agree.
    browser = Client()
    browser.force_login(ana.user)
    page = browser.get("/?tab=all").content.decode()
    assert f'data-id="{anas["id"]}"' in page and f'data-id="{brunos["id"]}"' not in page
    # Supervisors see everything; with "all", so does every member.
    assert {c["id"] for c in supervisor.api.get("/conversations", state="all").json_body["items"]} >= {
        anas["id"], brunos["id"], nobodys["id"]
    }
    admin_api.patch(f"/inboxes/{inbox}", {"settings": {"visibility": "all"}})
    assert ana.api.get(f"/conversations/{brunos['id']}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_team_that_works_an_inbox_lets_its_members_see_it(admin_api, sellers):
    ana, bruno, carla = sellers
    inbox = new_inbox(admin_api, [ana])
    conv = chat(admin_api, inbox, "c")
    assert carla.api.get(f"/conversations/{conv['id']}").status_code == 404
    team = admin_api.post("/teams", {"name": "Mostrador", "member_ids": [carla.id]})
    assert team.status_code == 201
    assert admin_api.patch(f"/inboxes/{inbox}", {"settings": {"team_ids": [team.json_body["id"]]}}).status_code == 200
    assert carla.api.get(f"/conversations/{conv['id']}").status_code == 200
    members = admin_api.get(f"/inboxes/{inbox}/members").json_body["items"]
    assert {m["id"] for m in members} == {ana.id, carla.id}
    assert bruno.api.get(f"/conversations/{conv['id']}").status_code == 404
    # The list filters by team.
    admin_api.post(f"/conversations/{conv['id']}/assign", {"team_id": team.json_body["id"]})
    by_team = admin_api.get("/conversations", state="all", team_id=team.json_body["id"]).json_body["items"]
    assert [c["id"] for c in by_team] == [conv["id"]]


@pytest.mark.django_db
def test_teams_and_people_are_managed_by_admins_only(admin_api, sellers):
    ana, bruno, _ = sellers
    created = admin_api.post("/teams", {"name": "Frenos", "member_ids": [ana.id]})
    assert created.status_code == 201 and created.json_body["member_ids"] == [ana.id]
    team_id = created.json_body["id"]
    assert admin_api.post("/teams", {"name": "frenos"}).status_code == 409
    assert admin_api.post("/teams", {"name": "X", "member_ids": [999999]}).status_code == 422
    assert ana.api.post("/teams", {"name": "Mía"}).status_code == 403
    assert ana.api.patch(f"/users/{bruno.id}", {"role": "admin"}).status_code == 403
    patched = admin_api.patch(f"/teams/{team_id}", {"name": "Frenos y discos", "member_ids": [ana.id, bruno.id]})
    assert patched.json_body == {"id": team_id, "name": "Frenos y discos", "member_ids": sorted([ana.id, bruno.id])}
    user = admin_api.patch(f"/users/{bruno.id}", {"role": "supervisor", "capacity": 4}).json_body
    assert user["role"] == "supervisor" and user["capacity"] == 4 and user["team_ids"] == [team_id]
    assert admin_api.get(f"/users/{ana.id}").json_body["availability"] == "online"
    assert {u["id"] for u in ana.api.get("/users").json_body["items"]} >= {ana.id, bruno.id}
    assert admin_api.patch(f"/users/{ana.id}", {"capacity": 0}).status_code == 422
    assert ana.api.post("/users/me/availability", {"availability": "busy"}).status_code == 422
    # Deleting a team takes it off the inboxes it worked.
    inbox = new_inbox(admin_api, [ana], team_ids=[team_id])
    assert admin_api.delete(f"/teams/{team_id}").status_code == 204
    assert admin_api.get(f"/inboxes/{inbox}").json_body["settings"]["team_ids"] == []
    assert admin_api.get(f"/teams/{team_id}").status_code == 404
    assert admin_api.patch(f"/inboxes/{inbox}", {"settings": {"team_ids": [team_id]}}).status_code == 422


@pytest.mark.django_db(transaction=True)
def test_transfer_with_a_note_reaches_the_colleague(admin_api, sellers):
    ana, bruno, _ = sellers
    inbox = new_inbox(admin_api, [ana, bruno])
    conv = chat(admin_api, inbox, "c", "¿tienen pastillas de freno?")
    ana.api.post(f"/conversations/{conv['id']}/assign", {"user_id": ana.id})
    moved = ana.api.post(f"/conversations/{conv['id']}/transfer", {"user_id": bruno.id, "note": "Pide frenos, Bruno sabe"})
    assert moved.status_code == 200 and moved.json_body["assignee_id"] == bruno.id
    notes = bruno.api.get(f"/conversations/{conv['id']}/notes").json_body["items"]
    assert [n["text"] for n in notes] == ["Pide frenos, Bruno sabe"]
    notice = Notification.objects.get(user=bruno.user)
    assert notice.kind == "transferred" and notice.actor_id == ana.id and "Bruno sabe" in notice.text
    # It counts as a re-route of the case.
    case = admin_api.get("/cases", conversation_id=conv["id"]).json_body["items"][0]
    assert case["transfers"] == 1
    # The same again is a conflict; to nobody, a deleted team or an outsider, refused.
    assert ana.api.post(f"/conversations/{conv['id']}/transfer", {"user_id": bruno.id}).status_code == 409
    assert ana.api.post(f"/conversations/{conv['id']}/transfer", {"note": "x"}).status_code == 422
    assert ana.api.post(f"/conversations/{conv['id']}/transfer", {"team_id": 424242}).status_code == 422
    outsider = sellers[2]
    refused = ana.api.post(f"/conversations/{conv['id']}/transfer", {"user_id": outsider.id})
    assert refused.status_code == 400 and refused.json_body["code"] == "not_inbox_member"
    assert conversation(admin_api, conv["id"])["assignee_id"] == bruno.id
    assert len(bruno.api.get(f"/conversations/{conv['id']}/notes").json_body["items"]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_full_agent_cannot_be_given_more_except_by_a_supervisor(admin_api, sellers, supervisor):
    ana, bruno, _ = sellers
    inbox = new_inbox(admin_api, [ana, bruno], capacity=1)
    first, second = chat(admin_api, inbox, "c1"), chat(admin_api, inbox, "c2")
    assert ana.api.post(f"/conversations/{first['id']}/transfer", {"user_id": bruno.id}).status_code == 200
    refused = ana.api.post(f"/conversations/{second['id']}/transfer", {"user_id": bruno.id, "note": "también"})
    assert refused.status_code == 409 and refused.json_body["code"] == "over_capacity"
    # Nothing of it stayed: no assignee, no note.
    assert conversation(admin_api, second["id"])["assignee_id"] is None
    assert admin_api.get(f"/conversations/{second['id']}/notes").json_body["items"] == []
    assert ana.api.post(f"/conversations/{second['id']}/assign", {"user_id": bruno.id}).status_code == 409
    # A supervisor may go past it.
    assert supervisor.api.post(f"/conversations/{second['id']}/transfer", {"user_id": bruno.id}).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_transfer_to_a_team_picks_someone_in_it(admin_api, sellers):
    ana, bruno, carla = sellers
    team = admin_api.post("/teams", {"name": "Postventa", "member_ids": [carla.id]}).json_body
    inbox = new_inbox(admin_api, [ana, bruno, carla], assignment="round_robin")
    conv = chat(admin_api, inbox, "c")
    owner = next(s for s in sellers if s.id == conv["assignee_id"])
    moved = owner.api.post(f"/conversations/{conv['id']}/transfer", {"team_id": team["id"], "note": "garantía"})
    assert moved.status_code == 200, moved.json_body
    assert moved.json_body["team_id"] == team["id"] and moved.json_body["assignee_id"] == carla.id


@pytest.mark.django_db(transaction=True)
def test_a_mention_notifies_and_lists_the_chat_until_it_is_opened(admin_api, sellers):
    ana, bruno, carla = sellers
    inbox = new_inbox(admin_api, [ana, bruno])
    conv = chat(admin_api, inbox, "c")
    ana.api.post(f"/conversations/{conv['id']}/notes", {"text": "@Bruno ¿me ayudas con este? @carla.ventas no está"})
    # Bruno works the inbox; Carla does not, so she is not mentioned.
    assert list(Mention.objects.values_list("user__name", flat=True)) == ["Bruno Díaz"]
    assert Notification.objects.get(user=bruno.user).kind == "mentioned"
    browser = Client()
    browser.force_login(bruno.user)
    assert browser.get("/ui/counters").json()["mentions"] == 1
    assert "me ayudas" in browser.get("/team/mentions/").content.decode()
    bruno.api.post(f"/conversations/{conv['id']}/seen")
    assert browser.get("/ui/counters").json()["mentions"] == 0
    assert Notification.objects.get(user=bruno.user).read_at is not None
    # Full names and first names both work; writing one's own name does nothing.
    ana.api.post(f"/conversations/{conv['id']}/notes", {"text": "hablé con @bruno díaz y @Ana"})
    assert Mention.objects.filter(user=bruno.user, opened_at__isnull=True).count() == 1
    assert not Mention.objects.filter(user=ana.user).exists()


@pytest.mark.django_db(transaction=True)
def test_a_chat_of_yours_turning_pending_notifies_you(admin_api, sellers):
    ana, bruno, _ = sellers
    inbox = new_inbox(admin_api, [ana, bruno])
    conv = chat(admin_api, inbox, "c")
    ana.api.post(f"/conversations/{conv['id']}/assign", {"user_id": ana.id})
    ana.api.post(f"/conversations/{conv['id']}/messages", {"text": "Ya te digo"})
    chat(admin_api, inbox, "c", "¿y?")
    assert list(Notification.objects.filter(user=ana.user).values_list("kind", flat=True)) == ["pending"]


@pytest.mark.django_db(transaction=True)
def test_reading_a_mention_or_every_notice_tells_that_persons_tabs_only(admin_api, sellers):
    """Each tab then asks for its counters: Menciones and the bell drop in every tab she has open
    (the one she read them in and the others), and nobody else's tab hears of it."""
    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async

    from tests.sockets import cookie_for, tab, until_pong

    ana, bruno, _ = sellers
    inbox = new_inbox(admin_api, [ana, bruno])
    conv = chat(admin_api, inbox, "c")

    cookies = {"bruno": cookie_for(bruno.user), "ana": cookie_for(ana.user)}

    def heard_after(do) -> dict[str, list]:
        async def scenario():
            sockets = {who: tab(cookie) for who, cookie in cookies.items()}
            for socket in sockets.values():
                assert (await socket.connect())[0]
                await until_pong(socket)
            await do()
            heard = {who: [e["type"] for frame in await until_pong(socket) for e in frame] for who, socket in sockets.items()}
            for socket in sockets.values():
                await socket.disconnect()
            return heard

        return async_to_sync(scenario)()

    ana.api.post(f"/conversations/{conv['id']}/notes", {"text": "@Bruno ¿me ayudas con este?"})
    heard = heard_after(database_sync_to_async(lambda: bruno.api.post(f"/conversations/{conv['id']}/seen")))
    assert "notices.read" in heard["bruno"] and "notices.read" not in heard["ana"]
    # Looking again reads nothing new: nothing is said.
    heard = heard_after(database_sync_to_async(lambda: bruno.api.post(f"/conversations/{conv['id']}/seen")))
    assert "notices.read" not in heard["bruno"]

    ana.api.post(f"/conversations/{conv['id']}/notes", {"text": "@Bruno otra vez"})
    browser = Client()
    browser.force_login(bruno.user)
    heard = heard_after(database_sync_to_async(lambda: browser.post("/team/ui/notifications/read")))
    assert "notices.read" in heard["bruno"] and "notices.read" not in heard["ana"]
    assert not Notification.objects.filter(user=bruno.user, read_at__isnull=True).exists()
