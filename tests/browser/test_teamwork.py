"""Two sellers and a supervisor in real browsers: availability follows the person, a transfer with
a note arrives live on the colleague's screen, and an @mention reaches them."""

from __future__ import annotations

from playwright.sync_api import expect

from mostrador.accounts.models import Role, User
from tests.browser.conftest import customer_writes, login, pending_rows
from tests.conftest import make_user


def person(email: str) -> User:
    return User.objects.get(email=email)


def test_availability_transfer_with_a_note_and_a_mention_arrive_live(another_page, live_url, agent, shop):
    bruno = make_user("bruno@example.test", Role.AGENT, "Bruno Díaz")
    make_user("sofia@example.test", Role.SUPERVISOR, "Sofía Supervisora")
    shop.members.add(bruno)
    pages = {}
    for email in (agent.email, bruno.email, "sofia@example.test"):
        pages[email] = another_page(viewport={"width": 1280, "height": 800})
        login(pages[email], live_url, email)
    ana_page, bruno_page, sofia_page = pages[agent.email], pages[bruno.email], pages["sofia@example.test"]

    # Opening Mostrador brought everyone online; the switch says so and so does the server.
    expect(ana_page.locator("[data-testid=availability]")).to_have_value("online")
    assert person(agent.email).availability == "online"
    # Ana steps away by hand: the server and the supervisor's screens know.
    ana_page.select_option("[data-testid=availability]", "away")
    expect(ana_page.locator("#availability")).to_have_attribute("data-availability", "away")
    assert person(agent.email).availability == "away"
    ana_page.select_option("[data-testid=availability]", "online")
    expect(ana_page.locator("#availability")).to_have_attribute("data-availability", "online")

    # A customer writes; Ana takes the chat and transfers it to Bruno with a note.
    customer_writes(live_url, shop, "Jorge Fuentes", "Necesito un alternador para Hilux 2018")
    expect(pending_rows(ana_page)).to_have_count(1, timeout=2000)
    pending_rows(ana_page).first.click(button="right")
    ana_page.locator("[data-testid=menu-transfer]").click()
    expect(ana_page.locator("[data-testid=transfer-user]")).to_be_visible()
    ana_page.select_option("[data-testid=transfer-user]", label="🟢 Bruno Díaz")
    ana_page.fill("[data-testid=transfer-note]", "Bruno, tú ves alternadores. Ya le pedí la patente.")
    ana_page.locator("[data-testid=transfer-send]").click()
    expect(ana_page.locator("[data-testid=event-assigned]").last).to_contain_text("derivó la conversación a Bruno Díaz")

    # Bruno hears of it at once: the bell counts it, and its list names who and why.
    expect(bruno_page.locator("[data-counter=notifications]")).to_have_text("1", timeout=2000)
    bruno_page.locator("[data-testid=bell] summary").click()
    notice = bruno_page.locator("[data-testid=notice]").first
    expect(notice).to_contain_text("Ana Rojas te derivó la conversación con Jorge Fuentes")
    expect(notice).to_contain_text("alternadores")
    notice.click()
    expect(bruno_page.locator("#timeline")).to_contain_text("Ya le pedí la patente")
    expect(bruno_page.locator("[data-testid=assignee] option:checked")).to_contain_text("Bruno Díaz")

    # Bruno mentions the supervisor in a note, picking her from what "@" offers.
    bruno_page.locator("input[name=mode][value=note]").check()
    composer = bruno_page.locator("[data-testid=composer]")
    composer.click()
    composer.type("@Sof")
    picker = bruno_page.locator("[data-testid=mention-picker]")
    expect(picker).to_contain_text("Sofía Supervisora")
    composer.press("Enter")
    expect(composer).to_have_value("@Sofía Supervisora ")
    composer.type("¿le damos precio mayorista?")
    composer.press("Enter")
    expect(bruno_page.locator(".note").last).to_contain_text("@Sofía Supervisora ¿le damos precio mayorista?")

    # Sofía's Menciones counter and bell move live; opening the chat clears the mention.
    expect(sofia_page.locator("[data-counter=mentions]")).to_have_text("1", timeout=2000)
    expect(sofia_page.locator("[data-counter=notifications]")).to_have_text("1")
    sofia_page.locator("[data-testid=topbar-mentions]").click()
    sofia_page.locator("[data-testid=mention-row] a").click()
    expect(sofia_page.locator("#timeline")).to_contain_text("precio mayorista")
    expect(sofia_page.locator("[data-counter=mentions]")).to_have_text("0", timeout=2000)

    # Bruno closes his last tab: after the grace a reload would need, he is offline.
    bruno_page.context.close()
    for _ in range(200):  # up to 10 s
        if person(bruno.email).availability == "offline":
            break
        ana_page.wait_for_timeout(50)
    assert person(bruno.email).availability == "offline"


def test_opening_a_chat_from_the_list_reads_its_mention_and_the_counters_follow(page, another_page, live_url, agent, shop):
    """The chat opens in the pane (no page load, the socket stays open): looking at it reads the
    mention and its notice, and the top bar says so at once, in her other tab too."""
    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation

    customer_writes(live_url, shop, "Rosa Méndez", "¿Tienen el filtro de aire?")
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(1)
    other_tab = another_page(viewport={"width": 1280, "height": 800})
    login(other_tab, live_url, agent.email)
    expect(other_tab.locator("html")).to_have_attribute("data-live", "1")
    boss = make_user("sofia@example.test", Role.SUPERVISOR, "Sofía Jefa")
    actions.add_note(Conversation.objects.get(contact__name="Rosa Méndez"), actions.Actor.person(boss), "@Ana ¿lo ves tú?")
    expect(page.locator("[data-counter=mentions]")).to_have_text("1")
    # The bell, drawn with nothing to count, shows its number once there is one.
    bell_count = page.locator("#bell [data-counter=notifications]")
    expect(bell_count).to_have_text("1")
    expect(bell_count).to_be_visible()

    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text("¿lo ves tú?")
    expect(page.locator("[data-counter=mentions]")).to_have_text("0")
    expect(bell_count).to_have_text("0")
    expect(bell_count).to_be_hidden()
    expect(other_tab.locator("[data-counter=mentions]")).to_have_text("0")
    expect(other_tab.locator("#bell [data-counter=notifications]")).to_have_text("0")
