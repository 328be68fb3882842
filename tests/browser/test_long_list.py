"""A long Pendientes: older chats load as the seller scrolls (by keyset), and a live refresh
keeps what she scrolled to and where she was."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login, pending_rows


def test_older_chats_load_as_the_seller_scrolls_and_stay_through_live_refreshes(page, live_url, agent, shop):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(450)])
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(200)
    rows = page.locator(".rows")
    # The oldest wait first: the first page ends at the 200th, and scrolling fetches the rest.
    for shown in (400, 450):
        rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
        expect(pending_rows(page)).to_have_count(shown)
    expect(page.locator("[data-testid=more-rows]")).to_have_count(0)
    names = pending_rows(page).locator(".preview").all_inner_texts()
    assert [n.strip()[-3:] for n in names] == [f"{n:03d}" for n in range(450)]

    # She is reading far down when a new customer writes: the new chat is patched in where the
    # order puts it (the shortest wait, so last, below everything she had), and her place is kept.
    page.locator(".row", has_text="consulta 300").scroll_into_view_if_needed()
    before = rows.evaluate("el => el.scrollTop")
    customer_writes(live_url, shop, "Nuevo", "¿tienen stock?")
    expect(page.locator("[data-counter=pending]").first).to_have_text("451")
    expect(pending_rows(page)).to_have_count(451)
    expect(page.locator("[data-testid=more-rows]")).to_have_count(0)
    assert abs(rows.evaluate("el => el.scrollTop") - before) < 5
    expect(page.locator(".row", has_text="consulta 300")).to_be_in_viewport()
    rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(pending_rows(page).last).to_contain_text("¿tienen stock?")


def test_a_change_beyond_the_rows_held_waits_for_the_scroll(page, live_url, agent, shop):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(250)])
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(200)
    # A new chat sorts after the 250th, in a page she has not loaded: it is not put among hers...
    customer_writes(live_url, shop, "Nuevo", "¿tienen stock?")
    expect(page.locator("[data-counter=pending]").first).to_have_text("251")
    expect(page.locator('.list-root [data-count="pending"]')).to_have_text("251")
    expect(pending_rows(page)).to_have_count(200)
    # ...while a chat she holds changes in place.
    customer_writes(live_url, shop, "c000", "¿y el precio?")
    expect(pending_rows(page).first).to_contain_text("¿y el precio?")
    expect(pending_rows(page)).to_have_count(200)
    # So does the last one she holds, though no row of hers comes after it.
    customer_writes(live_url, shop, "c199", "¿y en rojo?")
    expect(pending_rows(page).last).to_contain_text("¿y en rojo?")
    expect(pending_rows(page)).to_have_count(200)
    # Scrolling down brings the rest, the new chat last.
    rows = page.locator(".rows")
    rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(pending_rows(page)).to_have_count(251)
    expect(pending_rows(page).last).to_contain_text("¿tienen stock?")


def test_a_busy_moment_is_patched_into_the_first_page_without_asking_for_the_list(page, live_url, agent, shop):
    """Hundreds of customers write in the same moment (one frame names more chats than a page
    holds): the frame carries the rows of the list's first page, and every open tab patches them
    in, instead of all of them asking the server for their whole list at once."""
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(250)])
    login(page, live_url, agent.email)
    expect(pending_rows(page)).to_have_count(200)
    page.wait_for_load_state("networkidle")
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"otra vez {n:03d}") for n in range(250)])
    expect(pending_rows(page).first).to_contain_text("otra vez 000")
    expect(pending_rows(page).nth(199)).to_contain_text("otra vez 199")
    expect(pending_rows(page)).to_have_count(200)
    page.wait_for_load_state("networkidle")
    assert not [url for url in asked if "/ui/list" in url], asked


def test_after_scrolling_past_the_first_page_a_busy_moment_redraws_what_she_holds(page, live_url, agent, shop):
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages

    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"consulta {n:03d}") for n in range(250)])
    login(page, live_url, agent.email)
    rows = page.locator(".rows")
    rows.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(pending_rows(page)).to_have_count(250)
    page.locator(".row", has_text="consulta 230").scroll_into_view_if_needed()

    # The frame carries the first page's rows only; hers are 250: she gets them all, fresh.
    receive_customer_messages(shop, [actions.InboundMessage(contact_external_id=f"c{n:03d}", text=f"otra vez {n:03d}") for n in range(250)])
    expect(page.locator(".row", has_text="otra vez 230")).to_be_in_viewport()
    expect(pending_rows(page).last).to_contain_text("otra vez 249")
    expect(pending_rows(page)).to_have_count(250)
