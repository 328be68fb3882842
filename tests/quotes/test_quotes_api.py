"""Quote requests through the REST API (CONTRACT.md "Quote requests"): created from a chat or by a
bot route, moved up the ladder, sent to the customer, and counted."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.inbox.actions.inboxes import create_inbox
from tests.bots.conftest import ROUTES, run_jobs
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(agent):
    box = create_inbox("Repuestos", "api", {"quote_target_seconds": 600})
    box.members.add(agent)
    return box


def chat(api, shop, text="¿Cuánto sale el foco delantero izquierdo de un Yaris 2018?", who="cliente-1") -> int:
    return customer_says(shop.pk, text, who=who)["conversation_id"]


def pane(user, conv_id) -> str:
    """The conversation as the seller sees it (Spanish)."""
    seller = Client()
    seller.force_login(user)
    return seller.get(f"/ui/c/{conv_id}").content.decode()


def new_quote(api, conv_id, **body):
    response = api.post("/quotes", {"conversation_id": conv_id, **body})
    assert response.status_code == 201, response.json_body
    return response.json_body


def test_a_quote_from_a_chat_starts_to_quote_and_shows_on_the_timeline(agent_api, agent, shop):
    conv_id = chat(agent_api, shop)
    quote = new_quote(agent_api, conv_id, vehicle={"plate": "BCDF12", "make": "Toyota", "model": "Yaris", "year": "2018"},
                      items=[{"description": "Foco delantero", "side": "izquierdo", "quantity": 1}], notes="urgente")
    assert quote["stage"] == "to_quote" and quote["assignee_id"] == agent.pk and quote["quoted_at"] is None
    assert quote["vehicle"] == {"plate": "BCDF12", "make": "Toyota", "model": "Yaris", "year": "2018"}
    assert quote["items"] == [{"description": "Foco delantero", "side": "izquierdo", "quantity": 1}]
    assert agent_api.get(f"/quotes/{quote['id']}").json_body == quote
    assert [q["id"] for q in agent_api.get("/quotes", stage="to_quote").json_body["items"]] == [quote["id"]]
    assert agent_api.get("/quotes", stage="quoted").json_body["items"] == []
    assert "Solicitud de cotización #%d creada" % quote["id"] in pane(agent, conv_id)


def test_the_ladder_one_step_at_a_time_a_skip_needs_a_reason_and_lost_needs_why(agent_api, shop):
    quote = new_quote(agent_api, chat(agent_api, shop))
    skip = agent_api.patch(f"/quotes/{quote['id']}", {"stage": "won"})
    assert skip.status_code == 422 and skip.json_body["code"] == "skips_a_step"
    assert agent_api.get(f"/quotes/{quote['id']}").json_body["stage"] == "to_quote"
    quoted = agent_api.patch(f"/quotes/{quote['id']}", {"stage": "quoted", "amount": "25000", "currency": "clp"}).json_body
    assert quoted["stage"] == "quoted" and quoted["quoted_at"] and (quoted["amount"], quoted["currency"]) == ("25000.00", "CLP")
    lost = agent_api.patch(f"/quotes/{quote['id']}", {"stage": "lost"})
    assert lost.status_code == 422 and lost.json_body["code"] == "no_lost_reason"
    gone = agent_api.patch(f"/quotes/{quote['id']}", {"stage": "lost", "lost_reason": "lo compró en otra tienda"}).json_body
    assert gone["stage"] == "lost" and gone["lost_reason"] == "lo compró en otra tienda"
    # A skip with a reason is allowed: a customer who pays on the spot.
    other = new_quote(agent_api, chat(agent_api, shop, who="cliente-2"))
    won = agent_api.patch(f"/quotes/{other['id']}", {"stage": "won", "reason": "pagó en tienda"}).json_body
    assert won["stage"] == "won" and won["quoted_at"] is None


def test_two_people_moving_one_card_end_in_one_stage_and_the_second_is_told(agent_api, admin_api, agent, shop):
    quote = new_quote(agent_api, chat(agent_api, shop))
    first = agent_api.patch(f"/quotes/{quote['id']}", {"stage": "quoted", "from_stage": "to_quote"})
    second = admin_api.patch(f"/quotes/{quote['id']}", {"stage": "quoted", "from_stage": "to_quote"})
    assert first.status_code == 200
    assert second.status_code == 409 and second.json_body["code"] == "stage_changed" and "quoted" in second.json_body["detail"]
    assert pane(agent, quote["conversation_id"]).count('data-testid="event-quote_moved"') == 1


@pytest.mark.parametrize("body", [
    {"amount": "10.555", "currency": "CLP"}, {"amount": "10"}, {"amount": "-1", "currency": "CLP"},
    {"amount": "diez", "currency": "CLP"}, {"currency": "pesos"}, {"stage": "ganado"}, {"items": [{"description": ""}]},
    {"vehicle": {"year": "dos mil"}},
])
def test_bad_input_is_a_clear_4xx_and_changes_nothing(agent_api, shop, body):
    quote = new_quote(agent_api, chat(agent_api, shop))
    response = agent_api.patch(f"/quotes/{quote['id']}", body)
    assert response.status_code in (400, 422), response.json_body
    assert agent_api.get(f"/quotes/{quote['id']}").json_body == quote


def test_sending_writes_to_the_customer_and_moves_the_card_to_quoted(agent_api, shop):
    conv_id = chat(agent_api, shop)
    quote = new_quote(agent_api, conv_id)
    agent_api.patch(f"/quotes/{quote['id']}", {"amount": "25990", "currency": "CLP"})
    sent = agent_api.post(f"/quotes/{quote['id']}/send", {"text": "El foco sale $25.990. ¿Te lo reservo?"})
    assert sent.status_code == 200 and sent.json_body["stage"] == "quoted" and sent.json_body["quoted_at"]
    last = agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][-1]
    assert (last["author_kind"], last["text"]) == ("agent", "El foco sale $25.990. ¿Te lo reservo?")
    # The customer got an answer: the chat is no longer pending, and the price is no longer owed.
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "awaiting_customer"
    assert agent_api.post(f"/quotes/{quote['id']}/send", {"text": ""}).status_code == 422


def test_nobody_sees_or_touches_quotes_of_inboxes_they_do_not_work(agent_api, outsider_api, shop):
    conv_id = chat(agent_api, shop)
    quote = new_quote(agent_api, conv_id)
    assert outsider_api.get(f"/quotes/{quote['id']}").status_code == 404
    assert outsider_api.patch(f"/quotes/{quote['id']}", {"stage": "quoted"}).status_code == 404
    assert outsider_api.post("/quotes", {"conversation_id": conv_id}).status_code == 404
    assert outsider_api.get("/quotes").json_body["items"] == []
    assert agent_api.get(f"/quotes/{quote['id']}").json_body["stage"] == "to_quote"


def test_a_bot_route_with_creates_quote_fills_one_from_the_answers(agent_api, agent):
    config = {**ROUTES, "routes": [{**ROUTES["routes"][0], "creates_quote": True}, ROUTES["routes"][1]]}
    bot = create_inbox("Repuestos IA", "api", {"ai_enabled": True, "ai_window_seconds": 300, "ai_agent": config})
    bot.members.add(agent)
    for text in ("hola", "1", "bcdf12", "1HGCM82633A004352", "izquierdo"):
        conv_id = customer_says(bot.pk, text)["conversation_id"]
        run_jobs()
    [quote] = agent_api.get("/quotes", inbox_id=bot.pk).json_body["items"]
    assert quote["conversation_id"] == conv_id and quote["stage"] == "to_quote"
    assert quote["vehicle"] == {"plate": "BCDF12", "vin": "1HGCM82633A004352"}
    assert quote["items"] == [{"description": "Cotizar repuesto", "side": "izquierdo", "quantity": 1}]
    assert "izquierdo" in quote["notes"]
    # The second route creates none.
    customer_says(bot.pk, "hola", who="otro")
    run_jobs()
    assert len(agent_api.get("/quotes").json_body["items"]) == 1


def counts(seller) -> dict:
    """The top bar's Pendientes and Por cotizar counters (other capabilities add their own)."""
    found = seller.get("/ui/counters").json()
    return {key: found[key] for key in ("pending", "to_quote")}


def test_the_top_bar_counts_pending_and_to_quote_until_both_reach_zero(agent_api, agent, shop):
    seller = Client()
    seller.force_login(agent)
    conv_id = chat(agent_api, shop)
    assert counts(seller) == {"pending": 1, "to_quote": 0}
    quote = new_quote(agent_api, conv_id)
    page = seller.get("/quotes/").content.decode()
    assert 'data-counter="to_quote">1<' in page and 'data-counter="pending">1<' in page
    agent_api.post(f"/quotes/{quote['id']}/send", {"text": "Sale $25.990."})
    assert counts(seller) == {"pending": 0, "to_quote": 0}


def test_the_quotes_report_counts_stages_time_to_quote_and_conversion(agent_api, agent, shop):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as clock:
        ids = [new_quote(agent_api, chat(agent_api, shop, who=f"c{n}"))["id"] for n in range(3)]
        clock.shift(timedelta(seconds=120))
        agent_api.patch(f"/quotes/{ids[0]}", {"stage": "quoted"})
        clock.shift(timedelta(seconds=60))
        agent_api.patch(f"/quotes/{ids[1]}", {"stage": "quoted"})
        agent_api.patch(f"/quotes/{ids[0]}", {"stage": "won"})
        agent_api.patch(f"/quotes/{ids[1]}", {"stage": "lost", "lost_reason": "caro"})
    report = agent_api.get("/reports/quotes").json_body
    assert (report["created"], report["quoted"], report["won"], report["lost"], report["to_quote_now"]) == (3, 2, 1, 1, 1)
    assert report["time_to_quote"] == {"count": 2, "avg": 150.0, "p50": 120.0, "p90": 180.0}
    assert report["conversion"] == 0.5
    assert report["sellers"] == [{"agent_id": agent.pk, "created": 3, "quoted": 2, "won": 1, "lost": 1, "conversion": 0.5}]


def test_the_pane_offers_a_quote_filled_from_the_chat_and_sends_it_with_its_price(agent_api, agent, shop):
    conv_id = chat(agent_api, shop, "Hola! el foco trasero izquierdo de un Spark GT 2015")
    customer_says(shop.pk, "chasis kl1cm6cd0fc123456")
    seller = Client()
    seller.force_login(agent)
    form = pane(agent, conv_id).split('data-testid="quote-new-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="KL1CM6CD0FC123456"' in form and 'value="Hola! el foco trasero izquierdo de un Spark GT 2015"' in form
    # The list's right-click menu offers it too, and a quote made from there is filled the same way.
    assert "Solicitar cotización" in seller.get("/").content.decode()
    made = seller.post(f"/quotes/ui/new/{conv_id}").content.decode()
    [quote] = agent_api.get("/quotes").json_body["items"]
    assert quote["vehicle"] == {"vin": "KL1CM6CD0FC123456"} and quote["items"][0]["description"].startswith("Hola! el foco")
    assert f'data-testid="quote-{quote["id"]}"' in made
    for amount, problem in (("25.990", "sin separadores de miles"), ("25.990,5", "sin separadores de miles"), ("veinte", "Un monto es un número")):
        sent = seller.post(f"/quotes/ui/{quote['id']}/send", {"amount": amount, "currency": "clp", "text": "Sale $25.990"})
        assert problem in sent.content.decode()  # explained, never guessed
    assert agent_api.get(f"/quotes/{quote['id']}").json_body["stage"] == "to_quote"
    seller.post(f"/quotes/ui/{quote['id']}/send", {"amount": "25990", "currency": "clp", "text": "Sale $25.990"})
    done = agent_api.get(f"/quotes/{quote['id']}").json_body
    assert (done["stage"], done["amount"], done["currency"]) == ("quoted", "25990.00", "CLP")


def test_a_quote_can_go_as_a_pdf_document_with_the_message_as_its_caption(agent_api, agent, shop):
    import zlib

    from django.core.files.storage import default_storage

    from mostrador.inbox.models import Message

    conv_id = chat(agent_api, shop)
    quote = new_quote(agent_api, conv_id, vehicle={"plate": "BCDF12", "make": "Toyota", "model": "Yaris", "year": "2018"},
                      items=[{"description": "Foco delantero 💡 ñandú", "side": "izquierdo", "quantity": 2}])
    agent_api.patch(f"/quotes/{quote['id']}", {"amount": "51980", "currency": "CLP"})
    sent = agent_api.post(f"/quotes/{quote['id']}/send", {"text": "Aquí va tu cotización", "as_pdf": True})
    assert sent.status_code == 200 and sent.json_body["stage"] == "quoted"
    last = agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][-1]
    assert (last["type"], last["text"], last["media"]["mime_type"]) == ("document", "Aquí va tu cotización", "application/pdf")
    assert last["media"]["filename"] == f"cotización-{quote['id']}.pdf"
    document = default_storage.open(Message.objects.get(pk=last["id"]).media["path"]).read()
    assert document.startswith(b"%PDF-")
    # The page's words, as the PDF draws them (its content stream is deflated).
    stream = document.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    words = zlib.decompress(stream).decode("latin-1")
    for expected in (f"Cotización #{quote['id']}", "Toyota Yaris 2018", "BCDF12", "Foco delantero  ñandú", "izquierdo", "51 980 CLP"):
        assert expected in words.replace(") Tj", "").replace("(", ""), expected


def test_the_pane_form_refuses_what_the_api_refuses_and_adds_nothing(agent_api, agent, shop):
    conv_id = chat(agent_api, shop)
    seller = Client()
    seller.force_login(agent)
    refused = seller.post(f"/quotes/ui/new/{conv_id}", {"year": "dos mil", "description": "Foco"}).content.decode()
    assert "La cotización no se agregó: revisa su Año." in refused
    assert agent_api.get("/quotes").json_body["items"] == []
    seller.post(f"/quotes/ui/new/{conv_id}", {"plate": "BCDF12", "year": "2018", "description": "Foco", "side": "izquierdo", "quantity": "2"})
    [quote] = agent_api.get("/quotes").json_body["items"]
    assert quote["vehicle"] == {"plate": "BCDF12", "year": "2018"}
    assert quote["items"] == [{"description": "Foco", "side": "izquierdo", "quantity": 2}]


def test_por_cotizar_counts_the_owed_quotes_of_exactly_the_chats_the_person_sees(agent, outsider):
    """Whole inboxes count every owed quote; an "own chats" inbox only those of her chats and the
    unassigned ones; an inbox she does not work, none. A supervisor counts them all."""
    from mostrador.accounts.models import Role
    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation
    from mostrador.inbox.policy import may_see
    from mostrador.quotes.models import Quote
    from mostrador.rules.quotes import Stage
    from tests.conftest import make_user

    whole = create_inbox("Tienda", "api", {})
    own = create_inbox("Propios", "api", {"visibility": "own_and_unassigned"})
    other = create_inbox("Otra", "api", {})
    whole.members.add(agent, outsider)
    own.members.add(agent, outsider)
    chats = []
    for box in (whole, own, other):
        for who, assignee in (("libre", None), ("suyo", agent), ("ajeno", outsider)):
            message, _ = actions.receive_customer_message(box, actions.InboundMessage(contact_external_id=f"{box.pk}-{who}", text="hola"))
            Conversation.objects.filter(pk=message.conversation_id).update(assignee=assignee)
            chats.append(Conversation.objects.get(pk=message.conversation_id))
    for conv in chats:
        Quote.objects.create(conversation=conv, contact_id=conv.contact_id, inbox=conv.inbox)
        # One already quoted in each chat: no longer owed, never counted.
        Quote.objects.create(conversation=conv, contact_id=conv.contact_id, inbox=conv.inbox, stage=Stage.QUOTED)

    def por_cotizar(person) -> int:
        seller = Client()
        seller.force_login(person)
        return seller.get("/ui/counters").json()["to_quote"]

    assert por_cotizar(agent) == sum(may_see(agent, conv) for conv in chats) == 5
    assert por_cotizar(outsider) == sum(may_see(outsider, conv) for conv in chats) == 5
    assert por_cotizar(make_user("jefa@example.test", Role.SUPERVISOR)) == 9
