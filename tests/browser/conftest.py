"""A real server (uvicorn + Channels + the job runner) on loopback, and Debian's Chromium."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from contextlib import ExitStack, contextmanager

import pytest
from playwright.sync_api import expect

from tests.ports import free_port

# The suite shares two cores with the server, its job runner and the database: a page can take
# longer than Playwright's default 5 s to show a change there. Latency is asserted explicitly
# where it is the point (test_live_under_load); elsewhere a test waits up to this long.
expect.set_options(timeout=12_000)

CHROMIUM = os.environ.get("MOSTRADOR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def live_url(transactional_db, settings):
    import uvicorn

    from mostrador.asgi import application
    from mostrador.jobs.runner import run_in_event_loop

    port = free_port()
    # The server's address as configured, as `make run` configures it: sandboxes deliver there.
    settings.MOSTRADOR_PUBLIC_URL = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    stop: asyncio.Event | None = None
    loop_box: dict = {}

    def serve():
        nonlocal stop
        # The loop `mostrador serve` runs on (uvicorn's choice: uvloop).
        loop = server.config.get_loop_factory()()
        loop_box["loop"] = loop
        asyncio.set_event_loop(loop)
        stop = asyncio.Event()

        async def main():
            jobs = asyncio.ensure_future(run_in_event_loop(stop))
            try:
                await server.serve()
            finally:
                stop.set()
                await jobs

        loop.run_until_complete(main())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """One browser per module: Playwright's sync API keeps an event loop in the test thread while
    it runs, so it must be gone before other modules' tests call async_to_sync."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is needed at {CHROMIUM} (make test installs Debian's chromium)")
    # The tests' own ORM calls (setting up users and inboxes) are plain synchronous calls made
    # while that loop exists.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            yield from _launch(p)
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch(p):
    b = p.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    )
    yield b
    b.close()


@contextmanager
def csp_checked(context):
    """A page of this browser context, closed after; anything the page's strict
    Content-Security-Policy blocked while it was open fails the test (it is a defect)."""
    pg = context.new_page()
    blocked = []
    pg.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not blocked, blocked


@pytest.fixture
def page(browser):
    with csp_checked(browser.new_context(locale="es-CL", viewport={"width": 1280, "height": 800})) as pg:
        yield pg


@pytest.fixture
def another_page(browser):
    """Makes more pages (a colleague's browser, a customer's phone): each in a browser context of
    its own (`options` as `new_context` takes them, Spanish unless said), held to the
    Content-Security-Policy as `page` is."""
    with ExitStack() as pages:
        yield lambda **options: pages.enter_context(csp_checked(browser.new_context(**{"locale": "es-CL", **options})))


def login(page, base, email, password="secret-pass-1"):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    # The socket must be up before the test makes things happen it should see live.
    # (A locator, not a script predicate: the page's Content-Security-Policy forbids eval.)
    expect(page.locator("html")).to_have_attribute("data-live", "1")
    # Coming online is news too (the list refreshes on it): let that settle, or a test's first
    # click can land on a row the refresh is replacing.
    page.wait_for_load_state("networkidle")


@pytest.fixture
def shop(agent):
    """An `api` inbox the seller works in."""
    from mostrador.inbox.actions.inboxes import create_inbox

    box = create_inbox("Repuestos Web", "api", {})
    box.members.add(agent)
    return box


_tokens = {}


def customer_writes(base, inbox, who, text):
    """The customer's message arrives the way an outside system delivers it: through the API."""
    import httpx

    from mostrador.accounts.models import ApiToken, Role, User

    if base not in _tokens:
        integrator = User.objects.create_user(f"integrador{len(_tokens)}@example.test", "x-secret-123", name="Integración", role=Role.ADMIN)
        _tokens[base] = ApiToken.issue(integrator)[1]
    response = httpx.post(
        f"{base}/api/v1/inboxes/{inbox.pk}/messages",
        json={"contact": {"external_id": who, "name": who}, "text": text},
        headers={"Authorization": f"Bearer {_tokens[base]}"},
    )
    assert response.status_code == 201, response.text


def wait_until_asked(page, asked: list[str], path: str, seconds: float = 5) -> None:
    """Wait until the page has asked for `path` (`asked` holds the paths it asked for, as a
    request listener records them): its own refreshes go out a moment after what prompted them."""
    import time

    deadline = time.monotonic() + seconds
    while path not in asked:
        assert time.monotonic() < deadline, f"the page did not ask for {path}"
        page.wait_for_timeout(50)


def pending_rows(page):
    return page.locator(".rows .row")


def seller_opens_a_new_chat(page, base, seller, inbox, who, text):
    """The seller is at her inbox when a customer writes; she opens the chat."""
    login(page, base, seller.email)
    customer_writes(base, inbox, who, text)
    expect(pending_rows(page)).to_have_count(1, timeout=1500)
    pending_rows(page).first.click()
    expect(page.locator("#timeline")).to_contain_text(text)
