"""The offline Telegram sandbox in a real browser: a newcomer chats with the demo bot as a Telegram
user, taps its inline buttons, and the seller sees the chat, answers, and the reply arrives."""

import pytest
from playwright.sync_api import expect

from mostrador.accounts.models import Team
from mostrador.connectors.telegram.sandbox.demo import ensure_telegram_sandbox
from mostrador.core.demo import ensure_demo_bot
from tests.browser.conftest import login


@pytest.fixture
def telegram_inbox(live_url, agent, settings):
    settings.MOSTRADOR_PUBLIC_URL = live_url  # where the product tells the fake Bot API to deliver
    Team.objects.create(name="Repuestos")
    inbox = ensure_telegram_sandbox(live_url)
    ensure_demo_bot(inbox)
    inbox.members.add(agent)
    return inbox


def test_chatting_with_the_demo_bot_on_telegram(live_url, telegram_inbox, page, another_page, agent):
    login(page, live_url, agent.email)
    chat = another_page(viewport={"width": 500, "height": 800})
    login(chat, live_url, agent.email)
    chat.goto(f"{live_url}/sandbox/telegram/")
    chat.fill("[data-testid=tg-composer]", "Hola")
    chat.keyboard.press("Enter")
    expect(chat.locator("[data-testid=tg-composer]")).to_have_value("")

    # The bot greets with an inline keyboard; a tap is the customer's choice.
    chat.get_by_role("button", name="Cotizar repuesto").click(timeout=10_000)
    expect(chat.locator("[data-testid=tg-msg]", has_text="patente")).to_be_visible(timeout=10_000)
    chat.fill("[data-testid=tg-composer]", "BCDF12")
    chat.keyboard.press("Enter")
    expect(chat.locator("[data-testid=tg-msg]", has_text="chasis")).to_be_visible(timeout=10_000)

    # The seller sees the chat with the AI holding it, takes over and answers.
    page.locator(".tab[data-tab=with_ai]").click()
    row = page.locator(".rows .row", has_text="Camila Rojas")
    expect(row).to_be_visible(timeout=10_000)
    row.click()
    expect(page.locator("#timeline")).to_contain_text("BCDF12")
    page.fill("[data-testid=composer]", "¡Hola Camila! Te ayudo yo con el repuesto.")
    page.keyboard.press("Enter")
    expect(chat.locator("[data-testid=tg-msg]", has_text="Te ayudo yo")).to_be_visible(timeout=10_000)
