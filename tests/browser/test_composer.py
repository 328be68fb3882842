"""The composer as a fast seller uses it: several short messages in a row, nothing typed lost."""

import json

import httpx
from playwright.sync_api import expect

from mostrador.inbox.actions.inboxes import create_inbox
from tests.browser.conftest import login, pending_rows, seller_opens_a_new_chat


def test_what_is_typed_while_a_reply_travels_is_kept(page, live_url, agent, shop):
    seller_opens_a_new_chat(page, live_url, agent, shop, "Jorge Fuentes", "Hola, ¿tienen pastillas de freno?")

    travelling = []
    page.route("**/ui/c/*/reply", lambda route: travelling.append(route))
    composer = page.locator("[data-testid=composer]")
    composer.fill("Hola Jorge, sí tenemos.")
    composer.press("Enter")
    # The box empties as the message leaves, and she starts the next one while it travels.
    expect(composer).to_have_value("")
    waited = 0
    while not travelling:
        assert waited < 10_000, "the reply never left"
        page.wait_for_timeout(20)
        waited += 20
    composer.type("¿Para qué año es el auto?")
    travelling[0].continue_()

    expect(page.locator(".msg-agent").last).to_contain_text("sí tenemos")
    expect(page.locator("[data-testid=composer]")).to_have_value("¿Para qué año es el auto?")
    page.unroute("**/ui/c/*/reply")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".msg-agent").last).to_contain_text("¿Para qué año es el auto?")
    expect(page.locator("[data-testid=composer]")).to_have_value("")


def test_a_closed_window_offers_the_chosen_templates_fields_only(page, live_url, agent):
    from mostrador.connectors.whatsapp.connector import signature_of
    from mostrador.inbox.models import Conversation, MessageTemplate
    from tests.whatsapp.conftest import APP_SECRET, PHONE_NUMBER_ID, fixture
    from tests.whatsapp.fake_graph import TOKEN, FakeGraph

    graph = FakeGraph()
    graph.templates = [
        {"name": "seguimiento", "language": "es", "status": "APPROVED", "category": "MARKETING", "id": "1",
         "components": [{"type": "BODY", "text": "Hola {{1}}, ¿pudiste revisar la cotización {{2}}?"}]},
        {"name": "pedido_listo", "language": "es", "status": "APPROVED", "category": "UTILITY", "id": "2",
         "components": [{"type": "BODY", "text": "Tu pedido {{1}} está listo."}]},
    ]
    try:
        whatsapp = create_inbox("WhatsApp Tienda", "whatsapp", {
            "phone_number_id": PHONE_NUMBER_ID, "business_account_id": "204060801234567",
            "graph_api_url": graph.graph_api_url, "access_token": TOKEN, "app_secret": APP_SECRET,
        })
        whatsapp.members.add(agent)
        raw = json.dumps(fixture("text")).encode()
        answer = httpx.post(f"{live_url}/webhooks/whatsapp", content=raw,
                            headers={"X-Hub-Signature-256": signature_of(APP_SECRET, raw), "Content-Type": "application/json"})
        assert answer.status_code == 200

        login(page, live_url, agent.email)
        # The message is stored and the templates sync, both in the background.
        waited = 0
        while not (MessageTemplate.objects.filter(inbox=whatsapp).count() == 2 and Conversation.objects.exists()):
            assert waited < 15_000, "the message or the templates never arrived"
            page.wait_for_timeout(100)
            waited += 100
        # A day later, the 24-hour window has closed.
        Conversation.objects.update(customer_last_message_at="2020-01-01T00:00:00Z")
        pending_rows(page).first.click()
        composer = page.locator("[data-testid=template-composer]")
        expect(composer).to_be_visible()
        # Only the chosen template's text and fields show, not every template's at once.
        expect(composer.locator("input[name=param]:visible")).to_have_count(0)
        composer.locator("[data-testid=template-select]").select_option("seguimiento|es")
        expect(composer.locator("input[name=param]:visible")).to_have_count(2)
        expect(composer.get_by_text("¿pudiste revisar la cotización")).to_be_visible()
        expect(composer.get_by_text("Tu pedido {{1}} está listo.")).to_be_hidden()
    finally:
        graph.close()
