"""Search through the API, as a seller uses it: words with or without accents and in any case,
the start of a word, phone numbers written every way people write them, plates and VINs in a
chat's fields, pages, and never past what the person may see."""

from __future__ import annotations

import pytest

from mostrador.inbox import actions
from mostrador.inbox.models import Conversation, Message
from tests.conftest import customer_says, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def search(api, q, **params):
    query = "&".join(f"{k}={v}" for k, v in {"q": q, **params}.items())
    answer = api.get(f"/search?{query}")
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def ids(found, kind):
    return [item["id"] for item in found[kind]]


def test_words_are_found_whatever_their_accents_case_or_ending(agent_api, inbox):
    brakes = customer_says(inbox.pk, "¿Tienen PASTILLAS de freno para el Yaris? Voy a Peñalolén", who="jorge")
    customer_says(inbox.pk, "¿Hacen envíos a Temuco?", who="marta")
    wanted = brakes["id"]

    for query in ("pastillas", "Pastillas freno", "pastíllas", "PASTI", "penalolen", "PEÑALOLÉN", "yaris pasti"):
        assert ids(search(agent_api, query), "messages") == [wanted], query
    assert search(agent_api, "envios")["messages"][0]["text"] == "¿Hacen envíos a Temuco?"
    # Every word must be there; a word is found from its start, not from its middle.
    assert search(agent_api, "pastillas temuco")["messages"] == []
    assert search(agent_api, "astillas")["messages"] == []
    # A name finds the contact and their chat.
    found = search(agent_api, "JORGE")
    assert [c["name"] for c in found["contacts"]] == ["Jorge"]
    assert ids(found, "conversations") == [brakes["conversation_id"]]
    # Nothing to look for is an empty answer, not an error; no query at all is.
    assert search(agent_api, "¿?") == {"conversations": [], "contacts": [], "messages": [], "next_cursor": None}
    assert agent_api.get("/search").status_code == 422


def test_phone_numbers_in_any_format_find_the_contact(agent_api, inbox):
    conv = customer_says(inbox.pk, "hola", who="javiera")
    contact_id = agent_api.get(f"/conversations/{conv['conversation_id']}").json_body["contact"]["id"]
    assert agent_api.patch(f"/contacts/{contact_id}", {"phone": "+56 9 8123 4567"}).status_code == 200
    customer_says(inbox.pk, "otra", who="pedro")

    for query in ("+56981234567", "56981234567", "9 8123 4567", "+56 9 8123-4567", "(9) 8123 4567", "981234567", "9812"):
        found = search(agent_api, query.replace("+", "%2B"))
        assert [c["id"] for c in found["contacts"]] == [contact_id], query
        assert ids(found, "conversations") == [conv["conversation_id"]], query
        assert found["messages"] == [], query
    assert search(agent_api, "9 7777 0000")["contacts"] == []
    # Digits may be words too: a year in a message is found.
    year = customer_says(inbox.pk, "es para un modelo 2016", who="pedro")
    assert ids(search(agent_api, "2016"), "messages") == [year["id"]]


def test_plates_and_vins_in_a_chats_fields(agent_api, agent, inbox):
    first = customer_says(inbox.pk, "necesito un filtro", who="luis")
    second = customer_says(inbox.pk, "cotizar espejo", who="rosa")
    conv = Conversation.objects.get(pk=first["conversation_id"])
    actions.set_field(conv, actions.Actor.person(agent), "patente", "GHTR-45")
    actions.set_field(conv, actions.Actor.person(agent), "vin", "JTDBT923X71234567")
    other = Conversation.objects.get(pk=second["conversation_id"])
    actions.set_field(other, actions.Actor.person(agent), "patente", "KLBB12")

    assert ids(search(agent_api, "GHTR-45"), "conversations") == [first["conversation_id"]]
    assert ids(search(agent_api, "ghtr 45"), "conversations") == [first["conversation_id"]]
    assert ids(search(agent_api, "jtdbt923x71234567"), "conversations") == [first["conversation_id"]]
    assert ids(search(agent_api, "klbb12"), "conversations") == [second["conversation_id"]]
    # A changed plate is found by its new value only.
    actions.set_field(other, actions.Actor.person(agent), "patente", "ZZXY99")
    assert search(agent_api, "klbb12")["conversations"] == []
    assert ids(search(agent_api, "zzxy99"), "conversations") == [second["conversation_id"]]


def test_results_obey_what_the_person_may_see(agent_api, outsider_api, admin_api, agent, inbox):
    from mostrador.inbox.actions.inboxes import create_inbox

    hidden = create_inbox("Otra tienda", "api", {})
    customer_says(hidden.pk, "repuesto secreto para Hilux", who="secreta")
    shown = customer_says(inbox.pk, "repuesto para Hilux", who="visible")

    mine = search(agent_api, "hilux")
    assert ids(mine, "messages") == [shown["id"]]
    assert ids(mine, "conversations") == []
    assert search(agent_api, "secreta") == {"conversations": [], "contacts": [], "messages": [], "next_cursor": None}
    assert search(outsider_api, "hilux")["messages"] == []
    assert len(search(admin_api, "hilux")["messages"]) == 2
    assert len(search(admin_api, "hilux", inbox_id=inbox.pk)["messages"]) == 1

    # In an inbox where agents see only their own chats and unassigned ones, a colleague's chat
    # is not found either.
    inbox.settings = {**inbox.settings, "visibility": "own_and_unassigned"}
    inbox.save()
    colleague = make_user("bruno@example.test", name="Bruno")
    inbox.members.add(colleague)
    actions.assign(Conversation.objects.get(pk=shown["conversation_id"]), actions.Actor.system(), user=colleague)
    assert search(agent_api, "hilux")["messages"] == []
    assert search(agent_api, "visible")["contacts"] == []


def test_pages_of_results_and_deleted_messages(agent_api, inbox, monkeypatch):
    from mostrador.search import finder

    monkeypatch.setattr(finder, "RECENT_ROWS", 4)
    sent = [customer_says(inbox.pk, f"consulta por embrague número {i}", who=f"c{i}")["id"] for i in range(7)]
    first = search(agent_api, "embrague", limit=3)
    assert ids(first, "messages") == sent[::-1][:3]
    assert len(first["contacts"]) == 0 and first["next_cursor"]
    second = search(agent_api, "embrague", limit=3, cursor=first["next_cursor"])
    third = search(agent_api, "embrague", limit=3, cursor=second["next_cursor"])
    assert ids(second, "messages") + ids(third, "messages") == sent[::-1][3:]
    assert third["next_cursor"] is None
    assert agent_api.get("/search?q=embrague&cursor=nonsense").status_code == 400

    Message.objects.filter(pk=sent[0]).update(deleted_at=Message.objects.get(pk=sent[0]).created_at)
    assert sent[0] not in ids(search(agent_api, "embrague", limit=20), "messages")
    # An edited message is found by its new words only.
    Message.objects.filter(pk=sent[1]).update(text="consulta por amortiguador")
    assert sent[1] not in ids(search(agent_api, "embrague", limit=20), "messages")
    assert ids(search(agent_api, "amortiguador"), "messages") == [sent[1]]


def test_pages_are_whole_when_most_matches_are_out_of_sight(agent_api, inbox, monkeypatch):
    """The index is read in windows; an agent who sees one chat in four still gets full pages,
    in order, and every match she may see, however small the windows."""
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.search import finder

    monkeypatch.setattr(finder, "FIRST_WINDOW", 2)  # SQLite's windows over its index
    monkeypatch.setattr(finder, "RECENT_ROWS", 3)  # PostgreSQL's look at the newest rows first
    hidden = create_inbox("Otra tienda", "api", {})
    mine = []
    for i in range(24):
        if i % 4 == 0:
            mine.append(customer_says(inbox.pk, f"busco radiador {i}", who=f"v{i}")["id"])
        else:
            customer_says(hidden.pk, f"busco radiador {i}", who=f"h{i}")
    seen, cursor = [], None
    for _ in range(10):
        page = search(agent_api, "radiador", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += ids(page, "messages")
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == mine[::-1]
