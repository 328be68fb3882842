"""A burst of page requests waits its turn instead of failing: at most
MOSTRADOR_HTTP_CONCURRENCY run at once, and a response that has begun makes room."""

from __future__ import annotations

import asyncio

import httpx

from mostrador.core.request_gate import gated


def requests_through(app, count: int):
    async def scenario():
        async def one(k: int):
            scope = {"type": "http", "method": "GET", "path": f"/{k}", "headers": []}
            said = []

            async def receive():
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message):
                said.append(message)

            await app(scope, receive, send)
            return said

        return await asyncio.wait_for(asyncio.gather(*(one(k) for k in range(count))), 10)

    return asyncio.run(scenario())


def test_a_burst_of_requests_is_worked_on_a_few_at_a_time_and_every_one_is_answered(settings):
    settings.MOSTRADOR_HTTP_CONCURRENCY = 3
    running, most, order = 0, 0, []

    async def page(scope, receive, send):
        nonlocal running, most
        running += 1
        most = max(most, running)
        order.append(scope["path"])
        await asyncio.sleep(0.01)  # its database work
        running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    answers = requests_through(gated(page), 40)
    assert most == 3
    assert all(said[0]["status"] == 200 and said[1]["body"] == b"ok" for said in answers)
    # First come, first served.
    assert order == [f"/{k}" for k in range(40)]


def test_a_response_on_its_way_makes_room_and_a_failing_one_gives_its_place_back(settings):
    settings.MOSTRADOR_HTTP_CONCURRENCY = 1
    state = {"began": 0}

    async def slow_download(scope, receive, send):
        if scope["path"] == "/0":
            raise RuntimeError("a view that fails")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        state["began"] += 1
        # The body streams slowly to a phone; the others' requests meanwhile get their turn.
        while state["began"] < 3:
            await asyncio.sleep(0.01)
        await send({"type": "http.response.body", "body": b"file"})

    app = gated(slow_download)

    async def scenario():
        async def one(k):
            scope = {"type": "http", "method": "GET", "path": f"/{k}", "headers": []}

            async def receive():
                return {"type": "http.request", "body": b""}

            said = []

            async def send(message):
                said.append(message)

            try:
                await app(scope, receive, send)
            except RuntimeError:
                return "failed"
            return said[-1]["body"]

        return await asyncio.wait_for(asyncio.gather(*(one(k) for k in range(4))), 5)

    assert asyncio.run(scenario()) == ["failed", b"file", b"file", b"file"]


def test_the_server_answers_more_page_requests_at_once_than_it_works_on(settings, db):
    """Through the real application: sixty requests at once with room for two, all answered."""
    from mostrador.asgi import application

    settings.MOSTRADOR_HTTP_CONCURRENCY = 2

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://127.0.0.1") as client:
            return await asyncio.gather(*(client.get("/login/") for _ in range(60)))

    answers = asyncio.run(scenario())
    assert [a.status_code for a in answers] == [200] * 60


def test_a_persons_request_goes_before_the_pages_own_refreshes_that_queued_earlier(settings):
    """A thousand tabs catching up must not make a seller's click wait behind them."""
    settings.MOSTRADOR_HTTP_CONCURRENCY = 1
    order = []

    async def page(scope, receive, send):
        order.append(scope["path"])
        await asyncio.sleep(0.005)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    app = gated(page)

    async def one(path: str, refresh: bool):
        headers = [(b"x-mostrador-refresh", b"live")] if refresh else []
        scope = {"type": "http", "method": "GET", "path": path, "headers": headers}

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(message):
            pass

        await app(scope, receive, send)

    async def scenario():
        first = asyncio.ensure_future(one("/first", False))
        await asyncio.sleep(0)
        refreshes = [asyncio.ensure_future(one(f"/refresh-{k}", True)) for k in range(5)]
        await asyncio.sleep(0)
        click = asyncio.ensure_future(one("/click", False))
        await asyncio.wait_for(asyncio.gather(first, click, *refreshes), 5)

    asyncio.run(scenario())
    assert order == ["/first", "/click"] + [f"/refresh-{k}" for k in range(5)]


def test_a_request_that_goes_away_while_waiting_gives_its_place_on(settings):
    from mostrador.core.request_gate import Gate

    async def scenario():
        gate = Gate(1)
        await gate.enter()
        gone = asyncio.ensure_future(gate.enter(refresh=True))
        handed = asyncio.ensure_future(gate.enter(refresh=True))
        await asyncio.sleep(0)
        gone.cancel()
        gate.leave()
        await asyncio.wait_for(handed, 1)
        # Handed its place just as it went away: the place passes to the next.
        late = asyncio.ensure_future(gate.enter())
        await asyncio.sleep(0)
        gate.leave()
        late.cancel()
        await asyncio.sleep(0)
        assert late.cancelled()
        await asyncio.wait_for(gate.enter(), 1)
        assert gate.free == 0 and not any(gate.queues)

    asyncio.run(scenario())
