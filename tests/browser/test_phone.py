"""The seller's workspace on a phone (390 x 844): the list and the chat as two screens with a
way back, a composer that fits, and the top bar folded into a menu. Nothing scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mostrador.inbox.listing import PAGE
from tests.browser.conftest import csp_checked, customer_writes, login, pending_rows


@pytest.fixture
def phone(browser):
    with csp_checked(browser.new_context(locale="es-CL", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)) as page:
        yield page


def no_sideways_scroll(page):
    # Against the screen, not the window: a phone zooms a page wider than the screen out until it
    # fits, so the window would have grown with it.
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, screen.width]")
    assert width <= screen, f"the page is {width} px wide on a {screen} px screen"


def test_a_seller_answers_from_her_phone(phone, live_url, agent, shop):
    login(phone, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola, necesito pastillas de freno delanteras para un Yaris 2016")
    expect(pending_rows(phone)).to_have_count(1)
    no_sideways_scroll(phone)
    # The bar keeps the brand, the Pendientes count and the menu button; the rest is folded.
    expect(phone.locator("[data-testid=topbar-pending-phone] .count")).to_have_text("1")
    expect(phone.get_by_role("button", name="Salir")).to_be_hidden()
    phone.locator("[data-testid=menu-toggle]").click()
    expect(phone.locator("[data-testid=menu-toggle]")).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("button", name="Salir")).to_be_visible()
    expect(phone.locator("[data-testid=language]")).to_be_visible()
    phone.keyboard.press("Escape")
    expect(phone.get_by_role("button", name="Salir")).to_be_hidden()

    # The chat takes the whole screen; the list is gone until she goes back.
    pending_rows(phone).first.click()
    expect(phone.locator("#timeline")).to_contain_text("Yaris 2016")
    expect(phone.locator("#list")).to_be_hidden()
    no_sideways_scroll(phone)
    # The chat's settings scroll sideways in one row; scrolled to its end, the last of them
    # (adding a tag) stands clear of the fade that says the row goes on.
    strip = phone.locator("[data-testid=conv-meta]")
    strip.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    end = phone.locator("[data-testid=tag-input]").bounding_box()
    edge = strip.bounding_box()
    assert end["x"] + end["width"] <= edge["x"] + edge["width"] - 24, (end, edge)
    composer = phone.locator("[data-testid=composer]")
    box = composer.bounding_box()
    assert box["width"] > 200, box  # a box to write in, not a letter per line
    assert box["y"] + box["height"] <= 844, box
    send = phone.locator("[data-testid=send]").bounding_box()
    assert send["x"] + send["width"] <= 390, send
    composer.fill("Hola Jorge, sí tenemos. ¿Te las cotizo?")
    composer.press("Enter")
    expect(phone.locator(".msg-agent").last).to_contain_text("¿Te las cotizo?")
    expect(composer).to_be_focused()

    phone.locator("[data-testid=back]").click()
    expect(phone.locator("#list")).to_be_visible()
    expect(phone.locator("#conv")).to_have_count(0)
    expect(phone).to_have_url(f"{live_url}/?tab=pending&scope=all")
    # Answered: it left Pendientes, and the list says so at once.
    expect(pending_rows(phone)).to_have_count(0)
    no_sideways_scroll(phone)


def test_the_way_back_works_though_the_chat_is_redrawn_under_her_finger(phone, live_url, agent, shop):
    """The customer writes again between the seller's finger touching "back" and lifting: the
    chat's header is redrawn live, and the tap still takes her back to the list."""
    login(phone, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola")
    pending_rows(phone).first.click()
    composer = phone.locator("[data-testid=composer]")
    composer.fill("Hola Jorge, ¿en qué te ayudo?")
    composer.press("Enter")
    state = phone.locator(".conv-head [data-state-label]")
    expect(state).to_contain_text("Esperando cliente")
    box = phone.locator("[data-testid=back]").bounding_box()
    phone.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.mouse.down()
    customer_writes(live_url, shop, "Jorge Fuentes", "Unas pastillas de freno")
    expect(state).to_contain_text("Pendiente")  # the header was drawn again
    phone.mouse.up()
    expect(phone.locator("#list")).to_be_visible()
    expect(phone.locator("#conv")).to_have_count(0)


def test_saved_answers_fit_a_phone(phone, live_url, agent, shop):
    from mostrador.canned.models import CannedResponse

    CannedResponse(shortcode="saludo", text="Hola {{contact.first_name}}, te escribe {{agent.name}} de {{inbox.name}}; " * 4).save()
    login(phone, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola")
    pending_rows(phone).first.click()
    phone.locator("[data-testid=composer]").type("/")
    expect(phone.locator("[data-testid=canned-picker]")).to_be_visible()
    no_sideways_scroll(phone)
    box = phone.locator("[data-testid=canned-picker]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def test_the_contact_panel_edits_the_contact_in_place(phone, live_url, agent, shop):
    from mostrador.inbox.models import Contact, ContactField

    ContactField.objects.create(name="rut", label="RUT")
    login(phone, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola")
    pending_rows(phone).first.click()
    panel = phone.locator("[data-testid=contact-panel]")
    expect(panel).to_be_hidden()
    phone.locator("[data-testid=contact-toggle]").click()
    expect(panel).to_be_visible()
    no_sideways_scroll(phone)
    panel.locator("[data-testid=contact-email]").fill("jorge@taller.cl")
    panel.locator("[data-testid=contact-field-rut]").fill("12.345.678-9")
    panel.locator("[data-testid=contact-tags]").fill("mayorista, vip")
    with phone.expect_response(lambda r: r.url.endswith("/contact")):
        panel.locator("[data-testid=contact-save]").click()
    expect(phone.locator("[data-testid=contact-panel] [data-testid=contact-email]")).to_have_value("jorge@taller.cl")
    expect(phone.locator("[data-testid=contact-panel]")).to_be_visible()
    contact = Contact.objects.get()
    assert (contact.email, contact.fields, sorted(contact.tags.values_list("name", flat=True))) == ("jorge@taller.cl", {"rut": "12.345.678-9"}, ["mayorista", "vip"])
    # An address the browser lets through but is not one is said so, and nothing changes.
    phone.locator("[data-testid=contact-panel] [data-testid=contact-email]").fill("jorge@taller")
    with phone.expect_response(lambda r: r.url.endswith("/contact")):
        phone.locator("[data-testid=contact-panel] [data-testid=contact-save]").click()
    expect(phone.locator(".banner-error")).to_contain_text("no es una dirección de correo")
    assert Contact.objects.get().email == "jorge@taller.cl"


def test_a_seller_merges_a_contact_written_down_twice(phone, live_url, agent, shop):
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Contact, Message

    other_channel = create_inbox("Telegram Repuestos", "api", {})
    other_channel.members.add(agent)
    login(phone, live_url, agent.email)
    customer_writes(live_url, other_channel, "Jorge F.", "les escribí también por acá")
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola, necesito pastillas")
    customer_writes(live_url, shop, "Jorge Fernández", "otra persona, misma tienda")
    expect(pending_rows(phone)).to_have_count(3)
    pending_rows(phone).filter(has_text="Jorge Fuentes").click()
    phone.locator("[data-testid=contact-toggle]").click()
    panel = phone.locator("[data-testid=contact-panel]")
    panel.locator("[data-testid=contact-merge] summary").click()
    panel.locator("[data-testid=merge-query]").fill("jorge f")
    expect(panel.locator("[data-testid=merge-into]")).to_have_count(1)
    # Who also has a chat in this inbox is listed, with why it cannot be merged.
    expect(panel.locator("[data-testid=merge-blocked]")).to_contain_text("Repuestos Web")
    no_sideways_scroll(phone)
    phone.once("dialog", lambda dialog: dialog.accept())
    with phone.expect_response(lambda r: r.url.endswith("/merge/do")):
        panel.locator("[data-testid=merge-into]").click()
    # One person now, with both chats and every message; the panel lists the other chat.
    expect(phone.locator("[data-testid=contact-panel] [data-testid=contact-conversations]")).to_contain_text("Telegram Repuestos")
    assert Contact.objects.count() == 2 and Message.objects.count() == 3


def test_a_thousand_rows_scroll_on_a_phone_without_layout_shifts(phone, live_url, agent, shop):
    """Older rows load below as she scrolls, and the wait chips tick every second: nothing on
    screen moves by itself meanwhile (the browser's Layout Instability API counts every shift)."""
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:04d}", text=f"consulta {n:04d} por repuestos") for n in range(1000)])
    login(phone, live_url, agent.email)
    expect(pending_rows(phone)).to_have_count(PAGE)
    phone.evaluate("""() => {
        window.shifts = [];
        new PerformanceObserver((found) => {
            for (const entry of found.getEntries()) if (!entry.hadRecentInput) window.shifts.push(entry.value);
        }).observe({ type: "layout-shift" });
    }""")
    rows = phone.locator(".rows")
    for shown in range(2 * PAGE, 1001, PAGE):
        rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        expect(pending_rows(phone)).to_have_count(shown)
    expect(phone.locator("[data-testid=more-rows]")).to_have_count(0)
    # Two seconds of ticking chips, observed to the last frame.
    expect(phone.locator(".rows .row").last.locator(".wait")).not_to_have_text(phone.locator(".rows .row").last.locator(".wait").inner_text())
    shifts = phone.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(window.shifts))))")
    assert sum(shifts) < 0.001, f"layout shifted {len(shifts)} times, {sum(shifts):.4f} in all"
    no_sideways_scroll(phone)


def test_the_chosen_tab_is_in_view_on_a_phone(phone, live_url, agent, shop):
    login(phone, live_url, agent.email)
    # The tab bar scrolls sideways on a phone: the last tab, chosen, is brought into view...
    phone.goto(f"{live_url}/?tab=all&scope=all")
    expect(phone.locator(".list-root .tab.active")).to_be_in_viewport(ratio=1)
    # ...and so is one chosen by tapping, and it stays in view when a change comes in live.
    phone.locator('.list-root .tab[data-tab="resolved"]').click()
    expect(phone.locator('.list-root .tab.active[data-tab="resolved"]')).to_be_in_viewport(ratio=1)
    customer_writes(live_url, shop, "Jorge Fuentes", "¿Tienen stock?")
    expect(phone.locator('.list-root [data-count="pending"]')).to_have_text("1")
    expect(phone.locator('.list-root .tab.active[data-tab="resolved"]')).to_be_in_viewport(ratio=1)


def test_the_ai_warning_fits_a_phone_and_turns_the_ai_off_in_one_tap(phone, live_url, agent, shop):
    """The AI switched on where no agent or bot answers: on a phone the warning says so in a line
    or two, beside a button that turns the AI off for this chat."""
    login(phone, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "Hola, ¿tienen filtros?")
    pending_rows(phone).first.click()
    phone.locator("[data-testid=ai-toggle]").check()
    warning = phone.locator("[data-testid=ai-answers-nobody]")
    expect(warning).to_contain_text("nadie responderá")
    expect(warning.locator(".banner-detail")).to_be_hidden()
    assert warning.bounding_box()["height"] <= 90, warning.bounding_box()
    no_sideways_scroll(phone)
    warning.get_by_role("button", name="Apagar la IA").click()
    expect(warning).to_have_count(0)
    expect(phone.locator("[data-testid=ai-toggle]")).not_to_be_checked()


def test_an_admins_pages_fit_a_phone(phone, live_url, admin, shop):
    """Wide tables (channels and their callback URLs, reports, saved answers) scroll inside
    themselves or wrap; the page never scrolls sideways."""
    from mostrador.inbox.actions.inboxes import create_inbox

    create_inbox("WhatsApp Tienda", "whatsapp", {"phone_number_id": "109876543210987", "app_secret": "s" * 32, "access_token": "x"})
    login(phone, live_url, admin.email)
    for path in ["/channels/", "/reports/", "/reports/monitor/", "/ai/", "/quotes/", "/canned/"]:
        assert phone.goto(live_url + path).ok, path
        phone.wait_for_load_state("networkidle")
        no_sideways_scroll(phone)


def test_a_rows_customer_name_keeps_its_room_on_a_phone(phone, live_url, agent, shop):
    """Beside a long inbox name, tags and a wait, the customer's name is what a seller reads
    first: the inbox and the tags give way, not the name."""
    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation

    shop.name = "Repuestos y Accesorios del Sur"
    shop.save(update_fields=["name"])
    customer_writes(live_url, shop, "María José Soto", "¿Cuánto sale el filtro de aire?")
    conv = Conversation.objects.get(inbox=shop)
    for tag in ("mayorista", "urgente"):
        actions.add_tag(conv, actions.Actor.person(agent), tag)
    login(phone, live_url, agent.email)
    name = pending_rows(phone).first.locator(".name")
    expect(name).to_have_text("María José Soto")
    assert name.evaluate("el => el.scrollWidth <= el.clientWidth"), "the name is cut short"
    no_sideways_scroll(phone)
