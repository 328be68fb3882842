"""The composer as a fast seller uses it: several short messages in a row, nothing typed lost."""

import pytest
from playwright.sync_api import expect

from mostrador.inbox.actions.inboxes import create_inbox
from tests.browser.conftest import login
from tests.browser.test_seller_journey import customer_writes, pending_rows


@pytest.fixture
def shop(agent):
    box = create_inbox("Repuestos Web", "api", {})
    box.members.add(agent)
    return box


def test_what_is_typed_while_a_reply_travels_is_kept(page, live_url, agent, shop):
    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola, ¿tienen pastillas de freno?")
    expect(pending_rows(page)).to_have_count(1, timeout=1500)
    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text("pastillas de freno")

    travelling = []
    page.route("**/ui/c/*/reply", lambda route: travelling.append(route))
    composer = page.locator("[data-testid=composer]")
    composer.fill("Hola Jorge, sí tenemos.")
    composer.press("Enter")
    # The box empties as the message leaves, and she starts the next one while it travels.
    expect(composer).to_have_value("")
    while not travelling:
        page.wait_for_timeout(20)
    composer.type("¿Para qué año es el auto?")
    travelling[0].continue_()

    expect(page.locator(".msg-agent").last).to_contain_text("sí tenemos")
    expect(page.locator("[data-testid=composer]")).to_have_value("¿Para qué año es el auto?")
    page.unroute("**/ui/c/*/reply")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".msg-agent").last).to_contain_text("¿Para qué año es el auto?")
    expect(page.locator("[data-testid=composer]")).to_have_value("")
