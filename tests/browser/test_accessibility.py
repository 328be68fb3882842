"""axe-core (pinned from the npm registry) finds no serious or critical violation on the inbox,
an open conversation, a phone's inbox and the admin pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login, pending_rows

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def audited(browser):
    """A page whose audits may inject axe (the product's own CSP forbids inline scripts)."""
    pages = []

    def make(width=1366, height=768):
        context = browser.new_context(locale="es-CL", viewport={"width": width, "height": height}, bypass_csp=True)
        page = context.new_page()
        pages.append(context)
        return page

    yield make
    for context in pages:
        context.close()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => v.id + ": " + v.help + " → " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
    }""")
    return found


def test_the_sellers_and_admins_pages_have_no_serious_violations(audited, live_url, agent, admin, shop):
    page = audited()
    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola, ¿tienen pastillas de freno?")
    pending_rows(page).first.wait_for()
    assert violations(page) == [], "inbox"
    pending_rows(page).first.click()
    page.locator("#timeline").wait_for()
    page.wait_for_load_state("networkidle")
    assert violations(page) == [], "conversation"
    page.keyboard.press("Control+k")
    page.locator("[data-testid=search-input]").fill("pastillas")
    page.locator("[data-testid=found-message]").first.wait_for()
    assert violations(page) == [], "search"
    page.keyboard.press("Escape")
    assert page.goto(f"{live_url}/canned/").ok
    assert violations(page) == [], "saved answers"
    # The tabs say which one is chosen, and new waits are announced to screen readers.
    page.goto(f"{live_url}/")
    expect(page.locator("html")).to_have_attribute("data-live", "1")
    page.wait_for_load_state("networkidle")
    assert page.locator(".tab[aria-selected=true]").get_attribute("data-tab") == "pending"
    assert page.locator(".tab[aria-selected=false]").count() == 4
    customer_writes(live_url, shop, "Marta Vidal", "¿Hacen envíos?")
    expect(page.locator("[data-testid=announcer]")).to_have_text("Clientes esperando en Pendientes: 2")

    phone = audited(390, 844)
    login(phone, live_url, agent.email)
    pending_rows(phone).first.click()
    phone.locator("#timeline").wait_for()
    assert violations(phone) == [], "phone conversation"

    boss = audited()
    login(boss, live_url, admin.email)
    for path in ("/team/teams/", f"/channels/{shop.pk}/", "/channels/", "/ai/", "/reports/", "/quotes/", "/turbo/"):
        assert boss.goto(f"{live_url}{path}").ok, path
        boss.wait_for_load_state("networkidle")
        assert violations(boss) == [], path
