"""A seller's day in a real browser: everything arrives live, nothing slips through."""

import re

from playwright.sync_api import expect

from mostrador.inbox.actions.inboxes import create_inbox
from tests.browser.conftest import customer_writes, login, pending_rows


def test_pending_arrives_live_answer_resolve_and_come_back(page, live_url, agent, shop):
    login(page, live_url, agent.email)
    expect(page.locator(".caught-up")).to_contain_text("Todo al día")

    # A customer writes: the row shows up within a second, with no reload.
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola, ¿tienen pastillas de freno para Yaris?")
    expect(pending_rows(page)).to_have_count(1, timeout=1500)
    expect(pending_rows(page).first).to_contain_text("Jorge Fuentes")
    expect(page.locator('.tab[data-tab=pending] .count')).to_have_text("1")

    # Open it and answer with Enter: it leaves Pendientes.
    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text("pastillas de freno")
    composer = page.locator("[data-testid=composer]")
    composer.fill("¡Hola Jorge! Sí, tenemos. ")
    composer.press("Shift+Enter")
    composer.type("Te cotizo altiro.")
    composer.press("Enter")
    expect(page.locator(".msg-agent").last).to_contain_text("Te cotizo altiro.")
    expect(page.locator(".msg-agent .text").last).to_contain_text("Sí, tenemos.")
    expect(pending_rows(page)).to_have_count(0)
    expect(page.locator('.tab[data-tab=pending] .count')).to_have_text("0")

    # The customer writes again: back in Pendientes, and the open conversation shows it live.
    customer_writes(live_url, shop, "Jorge Fuentes", "Perfecto, ¿cuánto sale?")
    expect(pending_rows(page)).to_have_count(1, timeout=1500)
    expect(page.locator("#timeline")).to_contain_text("¿cuánto sale?", timeout=1500)

    # Right-click → Marcar resuelto.
    pending_rows(page).first.click(button="right")
    page.get_by_role("menuitem", name=re.compile("Marcar resuelto")).click()
    expect(pending_rows(page)).to_have_count(0)
    expect(page.locator('.tab[data-tab=resolved] .count')).to_have_text("1")

    # "Gracias" reopens it by itself.
    customer_writes(live_url, shop, "Jorge Fuentes", "gracias!")
    expect(pending_rows(page)).to_have_count(1, timeout=1500)


def test_reading_does_not_take_a_chat_out_of_pending(page, live_url, agent, shop):
    customer_writes(live_url, shop, "María", "¿Tienen filtro de aire?")
    login(page, live_url, agent.email)
    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text("filtro de aire")
    page.reload()
    expect(pending_rows(page)).to_have_count(1)


def test_with_ai_chat_turns_pending_by_itself(page, live_url, agent):
    box = create_inbox("Asistente", "api", {"ai_enabled": True, "ai_window_seconds": 5})
    box.members.add(agent)
    login(page, live_url, agent.email)
    customer_writes(live_url, box, "Ignacio", "Quiero un espejo para Mazda 3")
    page.locator(".tab[data-tab=with_ai]").click()
    expect(page.locator(".tab.active")).to_contain_text("Con IA")
    expect(page.locator(".rows .row")).to_have_count(1, timeout=1500)
    expect(page.locator(".rows .row .badge-ai")).to_contain_text(re.compile(r"IA 0:0[0-5]"))
    page.locator(".tab[data-tab=pending]").click()
    expect(pending_rows(page)).to_have_count(0)
    # The window ends: the row moves to Pendientes and the counters change with no reload.
    expect(pending_rows(page)).to_have_count(1, timeout=8000)
    expect(page.locator('.tab[data-tab=with_ai] .count')).to_have_text("0")
    expect(page.locator('.tab[data-tab=pending] .count')).to_have_text("1")


def test_english_interface_and_internal_notes(another_page, live_url, agent, shop):
    page = another_page(locale="en-US")
    customer_writes(live_url, shop, "Camila", "Hi, do you ship to Rancagua?")
    login(page, live_url, agent.email)
    expect(page.locator(".tab[data-tab=pending]")).to_contain_text("Pending")
    pending_rows(page).first.click()
    page.get_by_label("Internal note").check()
    page.locator("[data-testid=composer]").fill("Frequent customer, offer free shipping")
    page.locator("[data-testid=composer]").press("Enter")
    expect(page.locator(".note")).to_contain_text("Frequent customer")
    # A note is not an answer: still pending.
    expect(pending_rows(page)).to_have_count(1)
    page.locator("[data-testid=resolve]").click()
    expect(pending_rows(page)).to_have_count(0)
    expect(page.locator(".caught-up")).to_contain_text("All caught up")


def test_simulator_drives_the_inbox(another_page, live_url, admin, agent, shop):
    seller = another_page()
    login(seller, live_url, agent.email)
    phone = another_page()
    login(phone, live_url, admin.email)
    phone.goto(f"{live_url}/simulator/?name=Pedro")
    phone.locator("[data-testid=sim-composer]").fill("¿Despachan a Rancagua?")
    phone.locator("[data-testid=sim-composer]").press("Enter")
    expect(phone.locator(".phone-thread")).to_contain_text("Rancagua")
    expect(seller.locator(".rows .row")).to_have_count(1, timeout=1500)
    seller.locator(".rows .row").first.click()
    seller.locator("[data-testid=composer]").fill("Sí, despachamos mañana.")
    seller.locator("[data-testid=composer]").press("Enter")
    # The customer sees the answer live on the phone.
    expect(phone.locator(".phone-thread")).to_contain_text("despachamos mañana", timeout=2000)


def test_agents_cannot_open_the_simulator(page, live_url, agent, shop):
    login(page, live_url, agent.email)
    response = page.goto(f"{live_url}/simulator/")
    assert response.status == 403
