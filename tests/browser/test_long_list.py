"""A long Pendientes: older chats load as the seller scrolls (by keyset), and a live refresh
keeps what she scrolled to and where she was."""

from __future__ import annotations

from playwright.sync_api import expect

from mostrador.inbox.listing import PAGE
from tests.browser.conftest import customer_writes, login, pending_rows


def test_older_chats_load_as_the_seller_scrolls_and_stay_through_live_refreshes(page, live_url, agent, shop):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(2 * PAGE + 50)])
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(PAGE)
    rows = page.locator(".rows")
    # The oldest wait first: the first page ends at the PAGE-th, and scrolling fetches the rest.
    for shown in (2 * PAGE, 2 * PAGE + 50):
        rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        expect(pending_rows(page)).to_have_count(shown)
    expect(page.locator("[data-testid=more-rows]")).to_have_count(0)
    names = pending_rows(page).locator(".preview").all_inner_texts()
    assert [n.strip()[-3:] for n in names] == [f"{n:03d}" for n in range(2 * PAGE + 50)]

    # She is reading far down when a new customer writes: the new chat is patched in where the
    # order puts it (the shortest wait, so last, below everything she had), and her place is kept.
    far = f"consulta {2 * PAGE + 10:03d}"
    page.locator(".row", has_text=far).scroll_into_view_if_needed()
    before = rows.evaluate("el => el.scrollTop")
    customer_writes(live_url, shop, "Nuevo", "¿tienen stock?")
    expect(page.locator("[data-counter=pending]").first).to_have_text(str(2 * PAGE + 51))
    expect(pending_rows(page)).to_have_count(2 * PAGE + 51)
    expect(page.locator("[data-testid=more-rows]")).to_have_count(0)
    assert abs(rows.evaluate("el => el.scrollTop") - before) < 5
    expect(page.locator(".row", has_text=far)).to_be_in_viewport()
    rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(pending_rows(page).last).to_contain_text("¿tienen stock?")


def test_a_change_beyond_the_rows_held_waits_for_the_scroll(page, live_url, agent, shop):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(PAGE + 50)])
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(PAGE)
    # A new chat sorts after the last, in a page she has not loaded: it is not put among hers...
    customer_writes(live_url, shop, "Nuevo", "¿tienen stock?")
    expect(page.locator("[data-counter=pending]").first).to_have_text(str(PAGE + 51))
    expect(page.locator('.list-root [data-count="pending"]')).to_have_text(str(PAGE + 51))
    expect(pending_rows(page)).to_have_count(PAGE)
    # ...while a chat she holds changes in place.
    customer_writes(live_url, shop, "c000", "¿y el precio?")
    expect(pending_rows(page).first).to_contain_text("¿y el precio?")
    expect(pending_rows(page)).to_have_count(PAGE)
    # So does the last one she holds, though no row of hers comes after it.
    customer_writes(live_url, shop, f"c{PAGE - 1:03d}", "¿y en rojo?")
    expect(pending_rows(page).last).to_contain_text("¿y en rojo?")
    expect(pending_rows(page)).to_have_count(PAGE)
    # Scrolling down brings the rest, the new chat last.
    rows = page.locator(".rows")
    for shown in (2 * PAGE, PAGE + 51):
        rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        expect(pending_rows(page)).to_have_count(shown)
    expect(pending_rows(page).last).to_contain_text("¿tienen stock?")


def test_a_busy_moment_is_patched_into_the_first_page_without_asking_for_the_list(page, live_url, agent, shop):
    """Hundreds of customers write in the same moment (one frame names more chats than a page
    holds): the frame carries the rows of the list's first page, and every open tab patches them
    in, instead of all of them asking the server for their whole list at once."""
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(PAGE + 50)])
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(PAGE)
    page.wait_for_load_state("networkidle")
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"otra vez {n:03d}") for n in range(PAGE + 50)])
    expect(pending_rows(page).first).to_contain_text("otra vez 000")
    expect(pending_rows(page).nth(PAGE - 1)).to_contain_text(f"otra vez {PAGE - 1:03d}")
    expect(pending_rows(page)).to_have_count(PAGE)
    page.wait_for_load_state("networkidle")
    assert not [url for url in asked if "/ui/list" in url], asked


def test_after_scrolling_past_the_first_page_a_busy_moment_redraws_what_she_holds(page, live_url, agent, shop):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(PAGE + 50)])
    login(page, live_url, agent.email)
    rows = page.locator(".rows")
    rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(pending_rows(page)).to_have_count(PAGE + 50)
    page.locator(".row", has_text=f"consulta {PAGE + 30:03d}").scroll_into_view_if_needed()

    # The frame carries the first page's rows only; she holds more: she gets them all, fresh.
    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"otra vez {n:03d}") for n in range(PAGE + 50)])
    expect(page.locator(".row", has_text=f"otra vez {PAGE + 30:03d}")).to_be_in_viewport()
    expect(pending_rows(page).last).to_contain_text(f"otra vez {PAGE + 49:03d}")
    expect(pending_rows(page)).to_have_count(PAGE + 50)
