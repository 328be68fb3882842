"""Automatic assignment through the API, as a team would see it: round robin, balanced, capacity
with the FIFO queue, sticky customers, offline agents passed by, and counters that stay exact."""

from __future__ import annotations

import pytest

from mostrador.teamwork import loads
from mostrador.teamwork.models import AgentLoad

from .conftest import chat, conversation, new_inbox, settle


def assignees(api, ids):
    return [conversation(api, i)["assignee_id"] for i in ids]


@pytest.mark.django_db(transaction=True)
def test_round_robin_takes_turns_among_online_agents(admin_api, sellers):
    ana, bruno, carla = sellers
    inbox = new_inbox(admin_api, sellers, assignment="round_robin")
    got = [chat(admin_api, inbox, f"c{i}")["assignee_id"] for i in range(6)]
    # Everyone gets a turn before anyone gets a second, in the same order each round.
    assert sorted(got[:3]) == sorted([ana.id, bruno.id, carla.id])
    assert got[3:] == got[:3]


@pytest.mark.django_db(transaction=True)
def test_round_robin_passes_by_agents_who_are_away_or_offline(admin_api, sellers):
    ana, bruno, carla = sellers
    bruno.set("away")
    carla.set("offline")
    inbox = new_inbox(admin_api, sellers, assignment="round_robin")
    assert {chat(admin_api, inbox, f"c{i}")["assignee_id"] for i in range(4)} == {ana.id}


@pytest.mark.django_db(transaction=True)
def test_balanced_gives_the_next_chat_to_whoever_holds_fewest(admin_api, sellers):
    ana, bruno, carla = sellers
    inbox = new_inbox(admin_api, sellers, assignment="manual")
    # Ana already holds three chats, Bruno one, Carla none (assigned by hand while manual).
    for i, seller in enumerate([ana, ana, ana, bruno]):
        conv = chat(admin_api, inbox, f"old{i}")
        assert admin_api.post(f"/conversations/{conv['id']}/assign", {"user_id": seller.id}).status_code == 200
    admin_api.patch(f"/inboxes/{inbox}", {"settings": {"assignment": "balanced"}})
    got = [chat(admin_api, inbox, f"new{i}")["assignee_id"] for i in range(5)]
    # Carla catches up first, then Bruno and Carla share until they reach Ana.
    assert got[0] == carla.id
    assert sorted(got[1:3]) == sorted([bruno.id, carla.id])
    counts = {s.id: 0 for s in sellers}
    for agent_id in [ana.id] * 3 + [bruno.id] + got:
        counts[agent_id] += 1
    assert max(counts.values()) - min(counts.values()) <= 1


@pytest.mark.django_db(transaction=True)
def test_capacity_queues_the_rest_and_room_drains_the_oldest_first(admin_api, sellers):
    ana, bruno, carla = sellers
    carla.set("offline")
    inbox = new_inbox(admin_api, sellers, assignment="balanced", capacity=1)
    first, second, third, fourth = (chat(admin_api, inbox, f"c{i}") for i in range(4))
    assert {first["assignee_id"], second["assignee_id"]} == {ana.id, bruno.id}
    assert third["assignee_id"] is None and third["queued_since"] is not None
    assert fourth["assignee_id"] is None and fourth["queued_since"] > third["queued_since"]
    queued = admin_api.get("/conversations", state="pending", inbox_id=inbox).json_body["items"]
    assert [c["id"] for c in queued if c["queued_since"]] == [third["id"], fourth["id"]]

    # Ana resolves hers: the oldest waiting chat is hers now, the newer one still waits.
    mine = first if first["assignee_id"] == ana.id else second
    assert ana.api.post(f"/conversations/{mine['id']}/resolve").status_code == 200
    settle()
    assert conversation(admin_api, third["id"])["assignee_id"] == ana.id
    assert conversation(admin_api, third["id"])["queued_since"] is None
    assert conversation(admin_api, fourth["id"])["queued_since"] is not None

    # A new chat does not jump the queue while someone waits in it.
    fifth = chat(admin_api, inbox, "c5")
    assert fifth["assignee_id"] is None and fifth["queued_since"] is not None

    # Carla comes online: the next oldest (fourth) is hers; the fifth still waits.
    carla.set("online")
    settle()
    assert conversation(admin_api, fourth["id"])["assignee_id"] == carla.id
    assert conversation(admin_api, fifth["id"])["assignee_id"] is None

    # Raising the inbox's capacity lets the last one through.
    admin_api.patch(f"/inboxes/{inbox}", {"settings": {"capacity": 2}})
    settle()
    assert conversation(admin_api, fifth["id"])["assignee_id"] in {ana.id, bruno.id, carla.id}
    assert loads.recount() == 0


@pytest.mark.django_db(transaction=True)
def test_an_agents_own_capacity_overrides_the_inboxes(admin_api, sellers):
    ana, bruno, carla = sellers
    bruno.set("offline")
    carla.set("offline")
    inbox = new_inbox(admin_api, sellers, assignment="round_robin", capacity=1)
    assert admin_api.patch(f"/users/{ana.id}", {"capacity": 3}).json_body["capacity"] == 3
    got = [chat(admin_api, inbox, f"c{i}")["assignee_id"] for i in range(4)]
    assert got[:3] == [ana.id] * 3 and got[3] is None


@pytest.mark.django_db(transaction=True)
def test_a_returning_customer_goes_back_to_their_agent_when_they_can_take_them(admin_api, sellers):
    ana, bruno, carla = sellers
    inbox = new_inbox(admin_api, sellers, assignment="round_robin")
    conv = chat(admin_api, inbox, "fiel")
    theirs = conv["assignee_id"]
    owner = next(s for s in sellers if s.id == theirs)
    owner.api.post(f"/conversations/{conv['id']}/messages", {"text": "¡Listo!"})
    owner.api.post(f"/conversations/{conv['id']}/resolve")
    for i in range(5):  # others get chats meanwhile; round robin would have moved on
        chat(admin_api, inbox, f"otro{i}")
    again = chat(admin_api, inbox, "fiel", "hola de nuevo")
    assert again["id"] == conv["id"] and again["assignee_id"] == theirs

    # When their agent has gone offline, the customer goes to someone who is there.
    owner.api.post(f"/conversations/{conv['id']}/resolve")
    owner.set("offline")
    third = chat(admin_api, inbox, "fiel", "otra vez")
    assert third["assignee_id"] not in (None, theirs)
    assert loads.recount() == 0


@pytest.mark.django_db(transaction=True)
def test_manual_inboxes_assign_nothing_and_queue_nothing(admin_api, sellers):
    inbox = new_inbox(admin_api, sellers)
    conv = chat(admin_api, inbox, "c")
    assert conv["assignee_id"] is None and conv["queued_since"] is None


@pytest.mark.django_db(transaction=True)
def test_a_routes_team_narrows_who_gets_the_chat(admin_api, sellers, bot_api, agent):
    ana, bruno, carla = sellers
    team = admin_api.post("/teams", {"name": "Repuestos", "member_ids": [carla.id]}).json_body
    inbox = new_inbox(admin_api, sellers, assignment="round_robin", ai_enabled=True)
    admin_api.patch(f"/inboxes/{inbox}", {"member_ids": [ana.id, bruno.id, carla.id, agent.id]})
    for i in range(3):
        conv = chat(admin_api, inbox, f"c{i}")
        assert conv["state"] == "with_ai" and conv["assignee_id"] is None
        from mostrador.accounts.models import Team
        from mostrador.inbox import actions
        from mostrador.inbox.models import Conversation

        actions.handoff(
            Conversation.objects.get(pk=conv["id"]), actions.Actor.bot(agent, "bot"), "route_done",
            team=Team.objects.get(pk=team["id"]),
        )
        after = conversation(admin_api, conv["id"])
        assert after["state"] == "pending" and after["team_id"] == team["id"]
        assert after["assignee_id"] == carla.id


@pytest.mark.django_db(transaction=True)
def test_counters_follow_every_assignment_resolve_and_reopen(admin_api, sellers, supervisor):
    ana, bruno, carla = sellers
    inbox = new_inbox(admin_api, sellers, assignment="balanced")
    convs = [chat(admin_api, inbox, f"c{i}") for i in range(6)]
    admin_api.post(f"/conversations/{convs[0]['id']}/assign", {"user_id": ana.id})
    supervisor.api.post(f"/conversations/{convs[1]['id']}/transfer", {"user_id": carla.id, "note": "tuyo"})
    admin_api.post(f"/conversations/{convs[2]['id']}/resolve")
    admin_api.post(f"/conversations/{convs[2]['id']}/reopen")
    admin_api.post(f"/conversations/{convs[3]['id']}/assign", {"user_id": None})
    admin_api.post(f"/conversations/{convs[4]['id']}/resolve")
    assert loads.recount() == 0
    assert sum(AgentLoad.objects.values_list("open", flat=True)) == 4


@pytest.mark.django_db(transaction=True)
def test_switching_assignment_on_hands_out_the_chats_already_waiting_oldest_first(admin_api, sellers):
    ana, bruno, carla = sellers
    bruno.set("offline")
    carla.set("offline")
    inbox = new_inbox(admin_api, sellers)
    waiting = [chat(admin_api, inbox, f"c{i}")["id"] for i in range(3)]
    answered = chat(admin_api, inbox, "answered")["id"]
    ana.api.post(f"/conversations/{answered}/messages", {"text": "¡Hola!"})
    admin_api.patch(f"/inboxes/{inbox}", {"settings": {"assignment": "balanced", "capacity": 2}})
    settle()
    assert assignees(admin_api, waiting) == [ana.id, ana.id, None]
    assert conversation(admin_api, waiting[2])["queued_since"] is not None
    # A chat nobody is waiting on is not handed out.
    assert conversation(admin_api, answered)["assignee_id"] is None
    assert loads.recount() == 0
