"""`/webhooks/<channel>[/<route>]`: every channel's notifications come in here.

A POST does the least it can before answering: the channel's connector judges the request (its
signature or secret token, which account it is for) and the raw body goes into the inbound log.
Providers expect a quick 200 and re-deliver anything else, so nothing is parsed further here.

There is one path for a POST, `receive`. The ASGI server hands POSTs to `asgi_post` directly
(`mostrador.asgi`), so a burst of notifications does not queue behind Django's middleware for
sessions, CSRF and locale that a signed machine-to-machine call does not use; the Django view
(`webhook`) serves the provider's GET handshakes and any server that mounts only Django, and
hands its POSTs to the same `receive`.

Database work runs on a thread of its own (`_on_intake_thread`, core/own_thread.py): on the
executor the sockets use, a thousand tabs reconnecting at once put a notification's INSERT behind
their reads, and the acknowledgement p99 went to 5 s.
"""

from __future__ import annotations

import asyncio
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils.datastructures import CaseInsensitiveMapping
from django.views.decorators.csrf import csrf_exempt

from mostrador.connectors.base import connector_class, refusal
from mostrador.core.loop_local import loop_local
from mostrador.core.own_thread import own_thread

from .jobs import MOST_PER_INSERT, store, store_many
from .models import LogState

log = logging.getLogger(__name__)

PREFIX = "/webhooks/"


# One thread: the writer stores one batch at a time anyway (see _GroupWriter).
_on_intake_thread = own_thread("intake")


def too_big() -> tuple[int, dict]:
    return refusal(413, "The body is too large.", "body_too_large")


def unavailable() -> tuple[int, dict]:
    # Providers re-deliver anything that is not a 2xx: nothing is lost by saying "later".
    return refusal(503, "The notification could not be stored just now; send it again.", "unavailable")


def split_path(path: str) -> tuple[str, str] | None:
    """(channel, route) of a webhook path, or None when it is not one of an installed channel."""
    if not path.startswith(PREFIX):
        return None
    channel, _, route = path[len(PREFIX):].partition("/")
    try:
        connector_class(channel)
    except LookupError:
        return None
    return channel, route.rstrip("/")


async def receive(channel: str, route: str, headers, body: bytes) -> tuple[int, dict]:
    """Judge and keep one notification; the (status, JSON body) to answer with."""
    connector = connector_class(channel)
    try:
        secrets = connector.cached_webhook_secrets(route)
        if secrets is None:
            secrets = await _on_intake_thread(connector.webhook_secrets)(route)
        verdict = connector.judge(headers, body, route, secrets)
        if verdict.keep_as == LogState.RECEIVED:
            await _writer().keep(channel, body, verdict.account)
        elif verdict.keep_as:
            await _on_intake_thread(store)(channel, body, verdict.keep_as, verdict.problem, verdict.account)
    except DatabaseError:
        log.exception("a %s notification could not be stored", channel)
        return unavailable()
    return verdict.answer


async def asgi_post(channel: str, route: str, scope, receive_event, send) -> None:
    """The POST straight from the ASGI server: read at most the size limit, then `receive`."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    headers = CaseInsensitiveMapping({k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]})
    declared = headers.get("content-length", "")
    chunks, size, more = [], 0, True
    oversize = declared.isdigit() and int(declared) > limit
    while more and not oversize:
        event = await receive_event()
        if event["type"] == "http.disconnect":
            return
        chunk = event.get("body", b"")
        size += len(chunk)
        oversize = size > limit
        chunks.append(chunk)
        more = event.get("more_body", False)
    status, payload = too_big() if oversize else await receive(channel, route, headers, b"".join(chunks))
    data = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


@csrf_exempt
async def webhook(request, channel: str, route: str = ""):
    try:
        connector = connector_class(channel)
    except LookupError:
        return _respond(refusal(404, "No such channel.", "not_found"))
    if request.method == "GET":
        answer = await connector.verify_subscription(request, route)
        return answer if answer is not None else _respond(refusal(405, "Notifications are POSTed.", "method_not_allowed"))
    if request.method != "POST":
        return _respond(refusal(405, "Use POST to notify.", "method_not_allowed"))
    try:
        body = request.body
    except RequestDataTooBig:
        return _respond(too_big())
    return _respond(await receive(channel, route, request.headers, body))


def _respond(result: tuple[int, dict]) -> HttpResponse:
    status, payload = result
    return JsonResponse(payload, status=status)


class _GroupWriter:
    """Stores the notifications of concurrent requests together: while one INSERT commits, the
    next requests queue, then go in one multi-row INSERT and one commit. Each request is answered
    only once its own row is committed, so a 200 still means "stored"."""

    def __init__(self, loop):
        self.loop = loop
        self.waiting: list[tuple[tuple[str, bytes, str], asyncio.Future]] = []
        self.busy = False

    async def keep(self, channel: str, body: bytes, account: str) -> None:
        done = asyncio.get_running_loop().create_future()
        self.waiting.append(((channel, body, account), done))
        if not self.busy:
            self.busy = True
            asyncio.ensure_future(self._write())
        await done

    async def _write(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:MOST_PER_INSERT], self.waiting[MOST_PER_INSERT:]
                try:
                    await _on_intake_thread(store_many)([item for item, _ in batch])
                except Exception as exc:  # noqa: BLE001 - each waiting request answers with it
                    for _, done in batch:
                        done.set_exception(exc)
                else:
                    for _, done in batch:
                        done.set_result(None)
        finally:
            self.busy = False


# One per event loop: a writer left "busy" by a finished loop would hang the next.
_writer = loop_local(_GroupWriter)
