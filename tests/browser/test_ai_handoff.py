"""The menu bot on the WhatsApp sandbox in a real browser: the customer taps through the menu,
the bot collects and validates the plate, chassis and side, and the seller sees the hand-off
summary at the top of the conversation; then the admin tries a message on the AI page."""

import pytest
from playwright.sync_api import expect

from mostrador.accounts.models import Team
from mostrador.connectors.whatsapp.sandbox.demo import ensure_whatsapp_sandbox
from mostrador.core.demo import ensure_demo_bot
from tests.browser.conftest import login


@pytest.fixture
def bot_inbox(live_url, agent):
    Team.objects.create(name="Repuestos")
    inbox = ensure_whatsapp_sandbox(live_url)
    ensure_demo_bot(inbox)
    inbox.members.add(agent)
    return inbox


def test_bot_collects_fields_and_the_seller_sees_the_handoff_summary(live_url, bot_inbox, page, another_page, agent):
    login(page, live_url, agent.email)
    phone = another_page(viewport={"width": 500, "height": 800})
    login(phone, live_url, agent.email)
    phone.goto(f"{live_url}/sandbox/phone/")
    phone.fill("[data-testid=phone-composer]", "Hola")
    phone.keyboard.press("Enter")

    # The bot greets with WhatsApp reply buttons; the seller sees the chat in "Con IA", counting down.
    phone.get_by_role("button", name="Cotizar repuesto").click(timeout=10_000)
    page.locator(".tab[data-tab=with_ai]").click()
    expect(page.locator(".rows .row .badge-ai")).to_contain_text("Con IA", timeout=10_000)

    expect(phone.locator("[data-testid=phone-msg]", has_text="patente")).to_be_visible(timeout=10_000)
    phone.fill("[data-testid=phone-composer]", "BC-DF 12")
    phone.keyboard.press("Enter")
    expect(phone.locator("[data-testid=phone-msg]", has_text="chasis")).to_be_visible(timeout=10_000)
    phone.fill("[data-testid=phone-composer]", "1hgcm82633a004352")
    phone.keyboard.press("Enter")
    phone.get_by_role("button", name="Derecho").click(timeout=10_000)
    expect(phone.locator("[data-testid=phone-msg]", has_text="cotización en breve")).to_be_visible(timeout=10_000)

    # Handed off: pending at once (the live counter says so), with the summary on top.
    expect(page.locator(".tab[data-tab=pending] .count")).to_have_text("1", timeout=10_000)
    page.locator(".tab[data-tab=pending]").click()
    expect(page.locator(".tab.active")).to_have_attribute("data-tab", "pending")
    row = page.locator(".rows .row", has_text="Camila Rojas")
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    summary = page.locator("[data-testid=handoff-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Asistente Tienda derivó esta conversación a Repuestos")
    expect(summary.locator("[data-testid=handoff-fields]")).to_contain_text("BCDF12")
    expect(summary.locator("[data-testid=handoff-fields]")).to_contain_text("1HGCM82633A004352")
    expect(summary.locator("[data-testid=handoff-fields]")).to_contain_text("derecho")
    expect(summary.locator("[data-testid=handoff-reason]")).to_have_text("Ruta «Cotizar repuesto» completa.")
    expect(summary.locator("[data-testid=handoff-wants]")).to_have_text("Cotizar repuesto")
    expect(summary.locator("[data-testid=handoff-said]")).to_contain_text("BC-DF 12")
    # The bot's messages are marked as AI, and the hand-off is on the timeline.
    expect(page.locator(".msg-ai .who").first).to_contain_text("Asistente Tienda")
    expect(page.locator("#timeline .event", has_text="La IA derivó a personas")).to_be_visible()
    # Once the seller has answered, the summary folds to its first line; a click opens it again.
    expect(summary).to_have_attribute("open", "")
    page.locator("[data-testid=composer]").fill("Hola Camila, te cotizo el espejo derecho")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".msg-agent").last).to_contain_text("espejo derecho")
    summary = page.locator("[data-testid=handoff-summary]")
    expect(summary).not_to_have_attribute("open", "")
    expect(summary.locator("[data-testid=handoff-reason]")).to_be_hidden()
    summary.locator("summary").click()
    expect(summary.locator("[data-testid=handoff-reason]")).to_be_visible()


def test_admin_configures_and_tries_the_agent(live_url, bot_inbox, page, admin):
    login(page, live_url, admin.email)
    page.locator("[data-testid=admin-menu] summary").click()
    page.locator("[data-testid=ai-admin-link]").click()
    page.get_by_role("link", name="WhatsApp Tienda").click()
    expect(page.locator("[data-testid=agent-kind]")).to_have_value("routes")
    page.fill("[data-testid=ai-try-text]", "¿a qué hora abren el sábado?")
    page.get_by_role("button", name="Probar").click()
    expect(page.locator("[data-testid=ai-trial]")).to_contain_text("sábados de 10:00 a 14:00")
    page.fill("[data-testid=ai-try-text]", "se me quebró el ESPEJO")
    page.get_by_role("button", name="Probar").click()
    expect(page.locator("[data-testid=ai-trial]")).to_contain_text("patente")
    expect(page.locator("[data-testid=ai-trial]")).to_contain_text("keyword:espejo")

    # A new FAQ entry, saved through the form, answers at once.
    page.locator("[data-testid=faq-2] input[name$=question]").fill("¿Aceptan tarjeta de crédito?")
    page.locator("[data-testid=faq-2] textarea").fill("Sí, aceptamos débito, crédito y transferencia.")
    page.locator("[data-testid=faq-2] input[name$=keywords]").fill("tarjeta, pago, crédito")
    page.locator("[data-testid=ai-save]").click()
    expect(page.locator("[data-testid=ai-form-saved]")).to_be_visible()
    page.fill("[data-testid=ai-try-text]", "¿aceptan TARJETA de credito?")
    page.get_by_role("button", name="Probar").click()
    expect(page.locator("[data-testid=ai-trial]")).to_contain_text("débito, crédito y transferencia")
    page.screenshot(path="/tmp/ai_admin.png", full_page=True)
