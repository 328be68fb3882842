"""The offline WhatsApp sandbox in a real browser: a customer writes from the phone page, the seller
answers in the inbox, and the phone shows the reply with its delivery ticks turning to read."""

import pytest
from playwright.sync_api import expect

from mostrador.connectors.whatsapp.sandbox.demo import ensure_whatsapp_sandbox
from mostrador.inbox.models import Message
from tests.browser.conftest import login


@pytest.fixture
def sandbox_inbox(live_url, agent):
    inbox = ensure_whatsapp_sandbox(live_url)
    inbox.members.add(agent)
    return inbox


def test_customer_phone_to_seller_and_back(live_url, sandbox_inbox, page, another_page, agent):
    login(page, live_url, agent.email)
    phone = another_page(viewport={"width": 500, "height": 800})
    login(phone, live_url, agent.email)
    phone.goto(f"{live_url}/sandbox/phone/")
    phone.fill("[data-testid=phone-composer]", "Hola, ¿tienen el foco trasero de un Spark 2015?")
    phone.keyboard.press("Enter")

    # The message went through the signed webhook, the intake log and a job; it arrives live.
    row = page.locator(".rows .row", has_text="Camila Rojas")
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    expect(page.locator("#timeline")).to_contain_text("foco trasero")
    expect(page.locator("[data-testid=service-window]")).to_contain_text("23 h")
    page.fill("[data-testid=composer]", "¡Hola Camila! Sí, nos queda uno.")
    page.keyboard.press("Enter")

    # On the phone: the reply, sent → delivered → read (the phone shows it, so it is read).
    reply = phone.locator("[data-testid=phone-msg]", has_text="nos queda uno")
    expect(reply).to_be_visible(timeout=10_000)
    expect(reply.locator(".ticks-read")).to_be_visible(timeout=10_000)
    expect(page.locator("[data-testid=message-status]").last).to_have_text("Leído", timeout=10_000)

    # A photo from the phone is downloaded through the Graph API and shown inline to the seller.
    phone.set_input_files("[data-testid=phone-file]", files=[{"name": "foco.png", "mimeType": "image/png", "buffer": PNG}])
    expect(page.locator("[data-testid=media-image]")).to_be_visible(timeout=10_000)
    image = Message.objects.get(type="image")
    assert image.media["path"] and image.media["mime_type"] == "image/png"


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5270ade0000000049454e44ae426082"
)


def test_the_phone_shows_the_newest_message_like_a_phone(live_url, sandbox_inbox, another_page, agent):
    phone = another_page(viewport={"width": 500, "height": 800})
    login(phone, live_url, agent.email)
    phone.goto(f"{live_url}/sandbox/phone/")
    for i in range(1, 16):
        phone.fill("[data-testid=phone-composer]", f"Mensaje número {i:02d}")
        phone.keyboard.press("Enter")
        expect(phone.locator("[data-testid=phone-msg]", has_text=f"Mensaje número {i:02d}")).to_be_visible()
    newest = phone.locator("[data-testid=phone-msg]", has_text="Mensaje número 15")
    # The thread overflows, and the phone keeps its newest message in view as it re-draws.
    expect(phone.locator("[data-testid=phone-msg]", has_text="Mensaje número 01")).not_to_be_in_viewport()
    expect(newest).to_be_in_viewport()
    phone.wait_for_timeout(1500)
    expect(newest).to_be_in_viewport()


def test_the_customer_taps_the_satisfaction_survey_and_the_chat_stays_resolved(live_url, sandbox_inbox, page, another_page, agent):
    from mostrador.cases.models import Case
    from mostrador.inbox.actions.inboxes import update_inbox

    update_inbox(sandbox_inbox, raw_settings={"csat_enabled": True, "ai_enabled": False})
    login(page, live_url, agent.email)
    phone = another_page(viewport={"width": 500, "height": 800})
    login(phone, live_url, agent.email)
    phone.goto(f"{live_url}/sandbox/phone/")
    phone.fill("[data-testid=phone-composer]", "¿Tienen pastillas de freno para un Yaris?")
    phone.keyboard.press("Enter")

    page.locator(".rows .row", has_text="pastillas de freno").click()
    expect(page.locator("#timeline")).to_contain_text("pastillas de freno")
    page.fill("[data-testid=composer]", "Sí, las tenemos. Te las dejo reservadas.")
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid=message-status]").last).to_be_visible()
    page.click("[data-testid=resolve]")
    expect(page.locator("[data-testid=event-case_closed]")).to_be_visible()

    # WhatsApp takes three buttons: five scores come as a list, whose rows the phone shows.
    excellent = phone.locator(".wa-button", has_text="5 · Excelente")
    expect(excellent).to_be_visible()
    excellent.click()
    expect(page.locator("[data-testid=event-survey_answered]")).to_contain_text("5/5")
    expect(page.locator("#conv")).to_have_attribute("data-state", "resolved")
    case = Case.objects.get(conversation__inbox=sandbox_inbox)
    assert (case.csat, case.survey_kind, case.closed_at is not None) == (5, "csat", True)
    page.click("[data-tab=pending]")
    expect(page.locator(".rows .row", has_text="pastillas de freno")).to_have_count(0)
