"""Installable: a manifest with icons, and a service worker that keeps the app's shell, shows
a notice offline, and never stores customers' data."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import customer_writes, login, pending_rows


def test_the_app_installs_keeps_its_shell_and_never_stores_chats(page, live_url, agent, shop):
    login(page, live_url, agent.email)
    manifest = page.evaluate("async () => (await fetch(document.querySelector('link[rel=manifest]').href)).json()")
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    for icon in manifest["icons"]:
        assert page.request.get(f"{live_url}{icon['src']}").headers["content-type"] == "image/png"
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{live_url}/"
    customer_writes(live_url, shop, "Jorge Fuentes", "¿Tienen pastillas para Yaris 2016?")
    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text("Yaris 2016")
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert "/static/mostrador/app.js" in cached
    # The icons' font comes with the shell, and the page draws with it where the system has no
    # emoji font (this Chromium has none).
    assert "/static/vendor/noto-emoji/files/noto-emoji-3-400-normal.woff2" in cached
    page.wait_for_function("() => [...document.fonts].some((face) => face.family.includes('Noto Emoji') && face.status === 'loaded')")
    assert all(url.startswith("/static/") for url in cached), cached

    page.context.set_offline(True)
    page.goto(f"{live_url}/")
    expect(page.locator("h1")).to_have_text("Sin conexión")
    assert "Yaris" not in page.content()
    page.context.set_offline(False)
