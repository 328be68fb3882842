"""Search in the browser: Ctrl+K from anywhere, results as the seller types, the keyboard to
choose one, and a message result that opens its chat on that message, however far back."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login


def test_ctrl_k_finds_an_old_message_and_opens_the_chat_on_it(page, live_url, agent, shop):
    login(page, live_url, agent.email)
    from mostrador.inbox.models import Message

    customer_writes(live_url, shop, "Jorge Fuentes", "¿Tienen pastillas de freno para Yaris 2016?")
    first = {"id": Message.objects.get(text__startswith="¿Tienen pastillas").pk}
    for i in range(45):
        customer_writes(live_url, shop, "Jorge Fuentes", f"otra consulta número {i}")
    customer_writes(live_url, shop, "Marta Vidal", "¿Hacen envíos a Temuco?")

    page.keyboard.press("Control+k")
    dialog = page.locator("[data-testid=search-dialog]")
    expect(dialog).to_be_visible()
    box = page.locator("[data-testid=search-input]")
    expect(box).to_be_focused()
    box.type("PASTÍLLA")
    found = page.locator("[data-testid=found-message]")
    expect(found).to_have_count(1)
    expect(found.locator("mark")).to_have_text("pastilla")
    expect(found).to_contain_text("Jorge Fuentes")

    page.keyboard.press("ArrowDown")
    expect(found).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"#m-{first['id']}$"))
    linked = page.locator(f"#m-{first['id']}")
    expect(linked).to_have_class(re.compile(r"\bmsg-linked\b"))
    expect(linked).to_be_in_viewport()
    # The newest message is 46 messages further down: the timeline stayed on the one found.
    expect(page.locator(".msg").last).not_to_be_in_viewport()
    # A live refresh (the customer writes again) keeps the message found drawn and marked.
    customer_writes(live_url, shop, "Jorge Fuentes", "¿siguen ahí?")
    expect(page.locator("#timeline")).to_contain_text("¿siguen ahí?")
    expect(linked).to_have_class(re.compile(r"\bmsg-linked\b"))


def test_a_phone_number_finds_the_contact_and_escape_closes(page, live_url, agent, shop):
    from mostrador.inbox.models import Contact

    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Javiera Soto", "hola")
    Contact.objects.filter(name="Javiera Soto").update(phone="+56981234567")
    page.locator("[data-testid=search-open]").click()
    page.locator("[data-testid=search-input]").fill("9 8123 4567")
    contact = page.locator("[data-testid=found-contact]")
    expect(contact).to_contain_text("Javiera Soto")
    expect(page.locator("[data-testid=found-conversation]")).to_have_count(1)
    page.locator("[data-testid=search-input]").fill("zzzz")
    expect(page.locator("[data-testid=search-nothing]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("[data-testid=search-dialog]")).to_be_hidden()
