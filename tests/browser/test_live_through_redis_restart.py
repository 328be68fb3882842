"""Redis restarting under an open inbox: the seller sees that her screen is not live, and once it
is again she sees what customers wrote meanwhile, without reloading."""

import pytest
from playwright.sync_api import expect

from mostrador.teamwork import presence
from tests.browser.conftest import customer_writes, login, pending_rows, wait_until_asked
from tests.private_redis import PrivateRedis


def resolve_from_elsewhere(inbox, who: str, seller) -> None:
    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation

    conversation = Conversation.objects.get(inbox=inbox, contact__name=who)
    actions.resolve(conversation, actions.Actor.person(seller))


@pytest.fixture
def redis_of_its_own(settings):
    redis = PrivateRedis()
    settings.REDIS_URL, settings.MOSTRADOR_REDIS_PREFIX = redis.url, "browser"
    presence.reset()
    yield redis
    redis.stop()
    presence.reset()


def test_a_redis_restart_is_shown_and_what_came_meanwhile_appears(redis_of_its_own, live_url, shop, page, agent):
    login(page, live_url, agent.email)
    customer_writes(live_url, shop, "Antes", "¿Tienen bujías?")
    expect(pending_rows(page).filter(has_text="¿Tienen bujías?")).to_be_visible()

    # What the page asks on its own from here on says so, so a person's clicks go first.
    asked, paths = [], []
    page.on("request", lambda request: asked.append((request.url, request.headers.get("x-mostrador-refresh"))))
    page.on("request", lambda request: paths.append(request.url.removeprefix(live_url).split("?")[0]))
    redis_of_its_own.stop()
    status = page.locator("#live-status")
    expect(status).to_be_visible()
    expect(status).to_have_text("Reconectando…")
    # Told to nobody: the server cannot publish while Redis is away.
    customer_writes(live_url, shop, "Durante", "¿Abren el domingo?")
    # And she resolved the first chat from her phone meanwhile: it leaves her Pendientes here.
    resolve_from_elsewhere(shop, "Antes", agent)

    redis_of_its_own.start()
    expect(status).to_be_hidden()
    expect(pending_rows(page).filter(has_text="¿Abren el domingo?")).to_be_visible()
    expect(pending_rows(page).filter(has_text="¿Tienen bujías?")).to_have_count(0)
    # Its counters it still asks for (a moment after the frame, as after any change).
    wait_until_asked(page, paths, "/ui/counters")
    caught_up = [(url.split("?")[0].removeprefix(live_url), said) for url, said in asked if "/ui/" in url]
    assert ("/ui/counters", "live") in caught_up
    assert all(said == "live" for _, said in caught_up)
    # The list's first page came with "resumed" itself: no tab asks for its whole list.
    assert not [url for url, _ in caught_up if url.startswith("/ui/list")]
    # And live again for what comes next.
    customer_writes(live_url, shop, "Después", "¿Despachan a Talca?")
    expect(pending_rows(page).filter(has_text="¿Despachan a Talca?")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-live", "1")
