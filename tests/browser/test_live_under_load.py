"""A busy number keeps writing: the seller's screen must stay live, not wait for a lull."""

import threading
import time

from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login, pending_rows, seller_opens_a_new_chat


class Stream(threading.Thread):
    """Customers writing one message every ~30 ms, far more often than a screen refreshes."""

    def __init__(self, base, inbox, messages: int):
        super().__init__(daemon=True)
        self.base, self.inbox, self.messages = base, inbox, messages
        self.sent_at: dict[int, float] = {}
        self.sending = threading.Condition()

    def run(self):
        for i in range(1, self.messages + 1):
            customer_writes(self.base, self.inbox, f"Cliente {i % 4}", f"mensaje {i}")
            with self.sending:
                self.sent_at[i] = time.time()
                self.sending.notify_all()
            time.sleep(0.02)

    def wait_until_sent(self, number: int, timeout: float) -> None:
        """Until message `number` was stored (each takes what the server takes to answer)."""
        with self.sending:
            assert self.sending.wait_for(lambda: number in self.sent_at, timeout), f"message {number} was not sent in {timeout} s"


def row_shows_at_least(page, name: str, number: int, timeout_ms: int) -> None:
    """Wait (in the page, up to the timeout) until the row of `name` previews "mensaje N" with
    N >= number."""
    page.wait_for_function(
        """([name, number]) => [...document.querySelectorAll('.rows .row')].some((row) => {
            const said = row.textContent.includes(name) && row.textContent.match(/mensaje (\\d+)/);
            return said && Number(said[1]) >= number;
        })""",
        arg=[name, number],
        timeout=timeout_ms,
    )


def test_list_and_open_chat_update_while_messages_keep_coming(page, live_url, agent, shop):
    seller_opens_a_new_chat(page, live_url, agent, shop, "Cliente 0", "hola")

    stream = Stream(live_url, shop, messages=120)
    started = time.time()
    stream.start()
    try:
        # New customers show up in the list while the stream is still going, within a second of
        # the last of them writing.
        stream.wait_until_sent(3, timeout=10)
        expect(pending_rows(page)).to_have_count(4, timeout=1000)
        # The open chat (Cliente 0 writes every fourth message) shows its new messages live too,
        # within a second of each being stored.
        stream.wait_until_sent(8, timeout=10)
        expect(page.locator("#timeline")).to_contain_text("mensaje 8", timeout=1000)
        # The rows keep up too, twice over while the stream goes on: within a second, the row of
        # whoever wrote last shows that message, or one they wrote after it (the stream does not
        # wait for the check, and the row may move on between two looks).
        for _ in range(2):
            time.sleep(0.5)
            latest = max(stream.sent_at)
            row_shows_at_least(page, f"Cliente {latest % 4}", latest, timeout_ms=1000)
        assert stream.is_alive(), "the screen only caught up once the customers stopped writing"
    finally:
        stream.join(timeout=30)
    ended = stream.sent_at[120]
    # And once it is over, everything is there.
    expect(page.locator("#timeline")).to_contain_text("mensaje 120", timeout=2000)
    expect(pending_rows(page).filter(has_text="Cliente 0")).to_contain_text("mensaje 120", timeout=2000)
    # The list was never drawn again for it, and never once per message: the frames carry the
    # changed rows, so the page asks for at most a few of them a second (after a list change).
    # With twenty sellers on screen, one request per message would be thousands a minute.
    # (The browser's own clock: Playwright only hears of requests when the test talks to it.)
    fetched_at = page.evaluate(
        "() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/ui/list'))"
        ".map((e) => (performance.timeOrigin + e.startTime) / 1000)"
    )
    during = [t for t in fetched_at if started <= t <= ended]
    assert len(during) <= (ended - started) / 0.35 + 1, (len(during), ended - started)


def test_a_change_made_before_the_socket_opens_still_shows(page, live_url, agent, shop):
    """A customer who writes while the seller's page is loading (served, socket not yet open) is
    announced to nobody on that page; the page must still show them."""
    customer_writes(live_url, shop, "Cliente 0", "hola")  # the integrator's token, made up front

    def late_socket(ws):
        # The page is up and asks for its socket: a customer writes before it connects.
        customer_writes(live_url, shop, "Rosa Méndez", "¿Tienen el filtro de aire?")
        ws.connect_to_server()

    page.route_web_socket("**/ws/events", late_socket)
    login(page, live_url, agent.email)
    expect(page.locator(".rows .row", has_text="Rosa Méndez")).to_be_visible(timeout=1500)
