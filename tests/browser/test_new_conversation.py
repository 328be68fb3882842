"""A seller writes to a customer first, from the list's ＋: on WhatsApp the page offers the
inbox's approved templates and their fields; elsewhere, free text."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_a_seller_starts_a_whatsapp_chat_with_a_template(page, live_url, agent, shop):
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Message, MessageTemplate
    from tests.whatsapp.conftest import APP_SECRET, PHONE_NUMBER_ID
    from tests.whatsapp.fake_graph import TOKEN, FakeGraph

    graph = FakeGraph()
    graph.templates = [{"name": "seguimiento", "language": "es", "status": "APPROVED", "category": "MARKETING", "id": "1",
                        "components": [{"type": "BODY", "text": "Hola {{1}}, ¿pudiste revisar la cotización {{2}}?"}]}]
    try:
        whatsapp = create_inbox("WhatsApp Tienda", "whatsapp", {
            "phone_number_id": PHONE_NUMBER_ID, "business_account_id": "204060801234567",
            "graph_api_url": graph.graph_api_url, "access_token": TOKEN, "app_secret": APP_SECRET,
        })
        whatsapp.members.add(agent)
        login(page, live_url, agent.email)
        # The inbox's templates come from Meta in the background, as soon as it is created.
        for _ in range(200):
            if MessageTemplate.objects.filter(inbox=whatsapp).exists():
                break
            page.wait_for_timeout(50)
        assert MessageTemplate.objects.filter(inbox=whatsapp, status="APPROVED").exists()
        page.locator("[data-testid=new-conversation]").click()
        form = page.locator("[data-testid=new-conversation-form]")
        form.locator("[data-testid=new-inbox]").select_option(label="Repuestos Web")
        expect(form.locator("[data-testid=new-text]")).to_be_visible()
        form.locator("[data-testid=new-inbox]").select_option(label="WhatsApp Tienda")
        # WhatsApp: no free text to a customer who has not written; the template and its fields.
        expect(form.locator("[data-testid=new-text]")).to_be_hidden()
        form.locator(f"[data-testid=new-template-{whatsapp.pk}]").select_option("seguimiento|es")
        params = form.locator("input[name=param]:visible")
        expect(params).to_have_count(2)
        form.locator("[data-testid=new-phone]").fill("9 8123 4567")
        form.locator("[data-testid=new-name]").fill("Javiera Soto")
        params.nth(0).fill("Javiera")
        params.nth(1).fill("#88")
        form.locator("[data-testid=new-send]").click()
        # The new chat opens, with the template on its way.
        expect(page.locator("#conv h2")).to_have_text("Javiera Soto")
        expect(page.locator(".msg-agent").last).to_contain_text("Hola Javiera, ¿pudiste revisar la cotización #88?")
        assert Message.objects.get(direction="out").type == "template"

        # A number that is not one is said so, with what was typed kept.
        page.goto(f"{live_url}/new/")
        page.locator("[data-testid=new-inbox]").select_option(label="Repuestos Web")
        page.locator("[data-testid=new-phone]").fill("123")
        page.locator("[data-testid=new-text]").fill("Hola")
        page.locator("[data-testid=new-send]").click()
        expect(page.locator("[data-testid=new-conversation-error]")).to_contain_text("no es un número de teléfono")
        expect(page.locator("[data-testid=new-text]")).to_have_value("Hola")
    finally:
        graph.close()
