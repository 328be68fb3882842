"""Por cotizar in a real browser: a seller answers the customer and drags the card to Cotizado;
a colleague's board follows live, and both see Pendientes and Por cotizar reach zero."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from mostrador.inbox.models import Conversation
from mostrador.quotes.models import Quote
from tests.browser.conftest import _tokens, customer_writes, login


def through_api(base: str, method: str, path: str, body: dict) -> dict:
    """What another person (the integration's token) does, through the API: the server publishes
    it as it would any change."""
    response = httpx.request(method, f"{base}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {_tokens[base]}"})
    assert response.status_code in (200, 201), response.text
    return response.json()


def new_quote(base: str, shop) -> Quote:
    conv = Conversation.objects.get(inbox=shop)
    return Quote.objects.get(pk=through_api(base, "POST", "/quotes", {"conversation_id": conv.pk})["id"])


def test_drag_a_card_to_quoted_and_a_second_board_follows(live_url, shop, page, another_page, agent, admin):
    customer_writes(live_url, shop, "cliente-foco", "¿Cuánto sale el foco delantero izquierdo de un Yaris 2018?")
    quote = new_quote(live_url, shop)

    login(page, live_url, agent.email)
    page.goto(f"{live_url}/quotes/")
    other = another_page(viewport={"width": 1280, "height": 800})
    login(other, live_url, admin.email)
    other.goto(f"{live_url}/quotes/")
    for board in (page, other):
        expect(board.locator("[data-testid=topbar-pending] [data-counter=pending]")).to_have_text("1")
        expect(board.locator("[data-counter=to_quote]")).to_have_text("1")
        expect(board.locator(f"[data-testid=column-to_quote] [data-testid=card-{quote.pk}]")).to_be_visible()

    # The seller opens the chat beside the board and answers: Pendientes goes to zero.
    card = page.locator(f"[data-testid=card-{quote.pk}]")
    card.locator("[data-open]").click()
    expect(page.locator("#timeline")).to_contain_text("foco delantero")
    # The pane's scripts are wired once its requests settle; a reply typed before that would be
    # a plain form post that leaves the board.
    page.wait_for_load_state("networkidle")
    page.fill("[data-testid=composer]", "Te cotizo en un momento.")
    page.keyboard.press("Enter")
    expect(page.locator("[data-counter=pending]")).to_have_text("0")
    expect(page).to_have_url(f"{live_url}/quotes/")

    # Dragged to Cotizado: it moves on both boards, and Por cotizar reaches zero everywhere.
    card.drag_to(page.locator("[data-testid=column-quoted] .cards"))
    expect(page.locator(f"[data-testid=column-quoted] [data-testid=card-{quote.pk}]")).to_be_visible()
    expect(other.locator(f"[data-testid=column-quoted] [data-testid=card-{quote.pk}]")).to_be_visible()
    expect(other.locator(f"[data-testid=column-to_quote] [data-testid=card-{quote.pk}]")).to_have_count(0)
    for board in (page, other):
        expect(board.locator("[data-counter=to_quote]")).to_have_text("0")
        expect(board.locator("[data-counter=pending]")).to_have_text("0")
    quote.refresh_from_db()
    assert quote.stage == "quoted" and quote.quoted_at is not None


def test_keyboard_moves_a_reason_when_lost_and_a_stale_move_is_put_back(live_url, shop, page, agent):
    customer_writes(live_url, shop, "cliente-espejo", "Necesito un espejo derecho")
    quote = new_quote(live_url, shop)
    login(page, live_url, agent.email)
    page.goto(f"{live_url}/quotes/")

    def card_in(stage: str):
        return page.locator(f"[data-testid=column-{stage}] [data-testid=card-{quote.pk}]")

    page.locator(f"[data-testid=card-{quote.pk}]").focus()
    page.keyboard.press("ArrowRight")
    expect(card_in("quoted")).to_be_visible()
    # Focus follows the card across the refresh: → again, and it is won.
    expect(card_in("quoted")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(card_in("won")).to_be_visible()
    # Won → lost skips a step, and lost needs its reason: asked in a dialog, and cancelling
    # leaves the card where it was.
    card_in("won").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-testid=board-dialog-answer]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(card_in("won")).to_be_visible()
    card_in("won").focus()
    page.keyboard.press("ArrowRight")
    page.fill("[data-testid=board-dialog-answer]", "Lo encontró más barato")
    page.click("[data-testid=board-dialog-ok]")
    expect(card_in("lost")).to_be_visible()
    expect(card_in("lost")).to_contain_text("Lo encontró más barato")

    # Someone else moves it while this board could not hear of it: the stale move is refused,
    # the seller is told, and the card shows where it really is.
    page.route("**/quotes/board*", lambda route: route.abort())
    through_api(live_url, "PATCH", f"/quotes/{quote.pk}", {"stage": "quoted"})
    card_in("lost").focus()
    page.unroute("**/quotes/board*")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("[data-testid=board-toast]")).to_contain_text("Otra persona movió esta cotización")
    expect(card_in("quoted")).to_be_visible()


def test_a_cards_keys_show_on_hover_without_an_empty_strip_and_stay_on_a_touch_screen(live_url, shop, page, another_page, agent):
    customer_writes(live_url, shop, "cliente-espejo", "¿Tienen el espejo derecho de un Corsa 2010?")
    quote = new_quote(live_url, shop)
    login(page, live_url, agent.email)
    page.goto(f"{live_url}/quotes/")
    # Once its socket is up the board draws itself again (it catches up on what it missed):
    # measured during that swap, the card has no box.
    expect(page.locator("html")).to_have_attribute("data-live", "1")
    page.wait_for_load_state("networkidle")
    card = page.locator(f"[data-testid=card-{quote.pk}]")
    keys, opener = card.locator(".card-keys"), card.locator("[data-open]")
    # With a mouse: hidden until the card is pointed at, and the card ends where its text does.
    expect(keys).to_have_css("opacity", "0")
    box, meta = card.bounding_box(), card.locator(".card-meta").bounding_box()
    assert box["y"] + box["height"] - (meta["y"] + meta["height"]) <= 12
    card.hover()
    expect(keys).to_have_css("opacity", "1")
    expect(opener).not_to_have_css("color", "rgb(255, 255, 255)")  # readable on the white card
    # On a phone nothing hovers: the keys are always there, and they open the chat.
    phone = another_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    login(phone, live_url, agent.email)
    phone.goto(f"{live_url}/quotes/")
    phone_card = phone.locator(f"[data-testid=card-{quote.pk}]")
    expect(phone_card.locator(".card-keys")).to_have_css("opacity", "1")
    expect(phone_card.locator("[data-open]")).not_to_have_css("color", "rgb(255, 255, 255)")
    phone_card.locator("[data-open]").tap()
    expect(phone.locator("#timeline")).to_contain_text("espejo derecho")
