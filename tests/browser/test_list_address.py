"""The list's tab and scope live in the address: a reload or a language switch shows what the
seller chose, not Pendientes again."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login


def test_the_chosen_tab_survives_a_reload_and_a_language_switch(live_url, shop, page, agent):
    customer_writes(live_url, shop, "cliente-1", "hola")
    login(page, live_url, agent.email)
    page.click(".tab[data-tab=awaiting_customer]")
    expect(page.locator(".tab.active")).to_have_attribute("data-tab", "awaiting_customer")
    page.click(".segmented a:has-text('Míos')")
    expect(page).to_have_url(f"{live_url}/?tab=awaiting_customer&scope=mine")
    page.reload()
    expect(page.locator(".tab.active")).to_have_attribute("data-tab", "awaiting_customer")
    expect(page.locator(".segmented a.active")).to_have_text("Míos")
    page.select_option("[data-testid=language]", "en")
    expect(page.locator(".tab.active")).to_contain_text("Awaiting customer")
    expect(page.locator(".segmented a.active")).to_have_text("Mine")
