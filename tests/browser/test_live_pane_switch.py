"""A seller who opens the next chat while the last one's live refresh is still arriving sees the
chat she opened: never the other customer's messages above her reply box."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login, pending_rows

# The page's live refreshes of an open chat (`fetch` with X-Mostrador-Refresh) get their answers'
# headers at once and their bodies only when the test says, as on a slow network.
HOLD_REFRESH_BODIES = """
(() => {
  const real = window.fetch.bind(window);
  window.heldBodies = [];
  window.readBodies = 0;
  window.chatFetches = 0;
  window.holdBodies = false;
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    const chat = /\\/ui\\/c\\/\\d+(\\?|$)/.test(url) && !!init && !!init.headers && init.headers["X-Mostrador-Refresh"] === "live";
    if (chat) window.chatFetches += 1;
    const response = await real(input, init);
    if (!window.holdBodies || !chat) return response;
    const text = await response.text();
    const gate = new Promise((release) => window.heldBodies.push(release));
    const held = new Response(text, { status: response.status, headers: response.headers });
    held.text = async () => {
      await gate;
      window.readBodies += 1;
      return text;
    };
    return held;
  };
})();
"""


def test_a_chat_opened_while_the_last_ones_refresh_arrives_shows_its_own_messages(page, live_url, agent, shop):
    page.add_init_script(HOLD_REFRESH_BODIES)
    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Jorge Fuentes", "¿Tienen pastillas para Yaris 2016?")
    customer_writes(live_url, shop, "Marta Vidal", "¿Hacen envíos a Temuco?")
    expect(pending_rows(page)).to_have_count(2)
    pending_rows(page).filter(has_text="Jorge Fuentes").click()
    expect(page.locator("#timeline")).to_contain_text("Yaris 2016")
    page.evaluate("() => { window.holdBodies = true; }")

    # Jorge writes again: his open chat refreshes, and its answer is slow to arrive.
    customer_writes(live_url, shop, "Jorge Fuentes", "¿Y para un Corolla?")
    page.wait_for_function("() => window.heldBodies.length > 0", polling=50, timeout=10_000)
    # Meanwhile the seller opens Marta's chat.
    pending_rows(page).filter(has_text="Marta Vidal").click()
    expect(page.locator("#timeline")).to_contain_text("Temuco")
    # Jorge's answer arrives: it is not drawn over Marta's chat. (The page reads it, or leaves
    # it and asks again; either way within the same turn of the page's event loop.)
    asked = page.evaluate("() => window.chatFetches")
    page.evaluate("() => window.heldBodies[0]()")
    page.wait_for_function(f"() => window.readBodies > 0 || window.chatFetches > {asked}", polling=50, timeout=10_000)
    assert page.evaluate("() => document.getElementById('timeline').textContent.includes('Yaris')") is False
    # And hers is as it is now, once the rest arrives.
    page.evaluate("() => { window.holdBodies = false; window.heldBodies.forEach((release) => release()); }")
    expect(page.locator("#timeline")).to_contain_text("Temuco")
    expect(page.locator("#timeline")).not_to_contain_text("Yaris")
