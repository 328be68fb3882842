"""A live change is patched into the list the seller is looking at: the changed chat's row moves to
its place, a chat answered elsewhere leaves, the tab counts follow, and the page asks for nothing
to do it: the socket's frames carry the changed rows, rendered for the list the page shows."""

from playwright.sync_api import expect

from mostrador.accounts.models import Availability
from mostrador.inbox import actions
from mostrador.inbox.models import Conversation
from mostrador.teamwork.availability import set_availability
from tests.browser.conftest import customer_writes, login, pending_rows, wait_until_asked
from tests.conftest import make_user


def test_changes_are_patched_in_place_without_drawing_the_list_again(page, live_url, agent, shop):
    # The page's own clock: at the end, time runs past whatever a frame may have scheduled.
    page.clock.install()
    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Primera", "hola uno")
    customer_writes(live_url, shop, "Segunda", "hola dos")
    expect(pending_rows(page)).to_have_count(2)
    # A colleague joins the number: an access change, after which the page asks for its counters.
    colleague = make_user("colega@example.test")
    with page.expect_response(lambda response: "/ui/counters" in response.url):
        shop.members.add(colleague)
    page.wait_for_load_state("networkidle")

    asked = []
    page.on("request", lambda request: asked.append(request.url))
    customer_writes(live_url, shop, "Tercera", "hola tres")
    # Oldest wait first: the newcomer goes last.
    expect(pending_rows(page)).to_have_count(3)
    expect(pending_rows(page).nth(2)).to_contain_text("hola tres")
    # The top bar's Pendientes follows from the frame too.
    expect(page.locator('.topbar [data-counter="pending"]')).to_have_text("3")

    # The first customer writes again: her row shows it and keeps its place (her wait began first).
    customer_writes(live_url, shop, "Primera", "¿siguen ahí?")
    expect(pending_rows(page).nth(0)).to_contain_text("¿siguen ahí?")

    # The colleague answers the second: it leaves Pendientes, and the tab counts follow.
    second = Conversation.objects.get(inbox=shop, contact__name="Segunda")
    actions.send_message(second, actions.Actor.person(colleague), actions.OutboundContent(text="¡Hola! Sí, tenemos."))
    expect(pending_rows(page)).to_have_count(2)
    expect(page.locator('.list-root [data-count="pending"]')).to_have_text("2")
    expect(page.locator('.list-root [data-count="awaiting_customer"]')).to_have_text("1")
    expect(pending_rows(page).nth(1)).to_contain_text("hola tres")

    expect(page.locator('.topbar [data-counter="pending"]')).to_have_text("2")
    page.clock.run_for(3000)
    rows_asked = [url for url in asked if "/ui/list/rows?" in url]
    whole_list = [url for url in asked if "/ui/list?" in url]
    counters = [url for url in asked if "/ui/counters" in url]
    assert not rows_asked and not whole_list and not counters, (rows_asked, whole_list, counters)


def test_a_tap_that_began_on_a_row_lands_though_the_row_changes_under_it(page, live_url, agent, shop):
    """The customer writes again between the seller's finger touching her row and lifting: the row
    shows the new message and the tap still opens her chat."""
    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Primera", "hola uno")
    customer_writes(live_url, shop, "Segunda", "hola dos")
    expect(pending_rows(page)).to_have_count(2)
    page.wait_for_load_state("networkidle")
    row = pending_rows(page).filter(has_text="Segunda")
    box = row.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    customer_writes(live_url, shop, "Segunda", "¿y en azul?")
    expect(row).to_contain_text("¿y en azul?")
    page.mouse.up()
    expect(page.locator("#conv")).to_contain_text("¿y en azul?")
    expect(page.locator("#conv")).to_contain_text("Segunda")


def test_colleagues_coming_and_going_cost_the_page_no_request(page, live_url, agent, shop):
    """Every open tab hears when someone comes online or goes away (the monitor shows it), but no
    top-bar counter moves with it: a team signing in must not have each tab ask for its counters
    once per colleague."""
    page.clock.install()
    customer_writes(live_url, shop, "Primera", "hola uno")
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(1)
    page.clock.run_for(3000)  # the socket opening looked once
    # The page's own count of the counters it asks for, from here on.
    page.evaluate("""() => {
        window.countersAsked = 0;
        const fetchAsBefore = window.fetch;
        window.fetch = (url, options) => {
            if (String(url).includes("/ui/counters")) window.countersAsked += 1;
            return fetchAsBefore(url, options);
        };
    }""")

    colleague = make_user("colega@example.test")
    set_availability(colleague, Availability.ONLINE)
    set_availability(agent, Availability.AWAY)
    # The seller's own switcher follows, so the frames have arrived.
    expect(page.locator("#availability")).to_have_attribute("data-availability", "away")
    page.clock.run_for(3000)  # whatever the frames scheduled has run
    assert page.evaluate("window.countersAsked") == 0

    # An access change may move counters (who sees which chats): the page asks.
    shop.members.add(colleague)
    page.wait_for_function("() => window.countersAsked === 1", polling=100)


def test_opening_the_inbox_the_list_comes_over_the_socket_not_asked_for_again(page, live_url, agent, shop):
    customer_writes(live_url, shop, "Primera", "hola uno")
    asked = []
    page.on("request", lambda request: asked.append(request.url.removeprefix(live_url).split("?")[0]))
    login(page, live_url, agent.email)
    expect(page.locator("html")).to_have_attribute("data-live", "1")
    expect(pending_rows(page)).to_have_count(1)
    wait_until_asked(page, asked, "/ui/counters")
    # After a restart every open tab reconnects at once: none of them asks for its list.
    assert not [url for url in asked if url.startswith("/ui/list")]
    # And the list is live from there.
    customer_writes(live_url, shop, "Segunda", "hola dos")
    expect(pending_rows(page)).to_have_count(2)
