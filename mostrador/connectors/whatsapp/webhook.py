"""`GET/POST /webhooks/whatsapp`: one callback URL for a Meta app, shared by all its numbers.

The POST does the least it can before answering: check the signature over the raw bytes, store
the body in the inbound log. Meta expects a quick 200 and re-delivers anything else for days.

`accept` holds the whole decision. It is reached two ways: the Django view (tests, and any server
that mounts only Django), and `asgi_post`, which `mostrador.asgi` routes the POSTs to directly, so
a burst of notifications does not queue behind Django's middleware for sessions, CSRF and locale
that a signed machine-to-machine call does not use.

Database work runs through `database_sync_to_async`, which gives the thread's connection back when
the call is done, as Django does at the end of a request: the threads of the server's executor
come and go, and a connection they kept would be lost to the pool.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils.datastructures import CaseInsensitiveMapping
from django.views.decorators.csrf import csrf_exempt

from mostrador.intake.jobs import store, store_many
from mostrador.intake.models import LogState

from .connector import WhatsAppConnector, cached_secrets, configured_secrets
from .notifications import NotWhatsAppNotification, account_of, load

log = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp"
ACCEPTED = (200, {"status": "received"})


def _refusal(status: int, detail: str, code: str) -> tuple[int, dict]:
    return status, {"detail": detail, "code": code}


def too_big() -> tuple[int, dict]:
    return _refusal(413, "The body is too large.", "body_too_large")


def unavailable() -> tuple[int, dict]:
    # Meta re-delivers anything that is not a 200, for days: nothing is lost by saying "later".
    return _refusal(503, "The notification could not be stored just now; send it again.", "unavailable")


@dataclass(frozen=True)
class Verdict:
    answer: tuple[int, dict]
    # How to keep the body in the inbound log (None: not at all, it is not from Meta).
    keep_as: str | None = None
    problem: str = ""
    # The phone number id it is for: notifications of one number are processed in order, by one
    # worker at a time (see intake.jobs.claim_batch).
    account: str = ""


def judge(headers, body: bytes, app_secrets) -> Verdict:
    """What to answer one notification, and whether to keep it. No I/O, so the ASGI route can
    run it on the event loop."""
    if not headers.get("X-Hub-Signature-256", "").startswith("sha256="):
        return Verdict(_refusal(401, "The X-Hub-Signature-256 header is missing.", "missing_signature"))
    if not WhatsAppConnector.verify(headers, body, app_secrets):
        return Verdict(_refusal(403, "The signature does not match the body.", "bad_signature"))
    try:
        data = load(body)
    except NotWhatsAppNotification as exc:
        # Genuine (it is signed) but unreadable: kept for a person to look at, and refused.
        refusal = _refusal(400, f"Not a WhatsApp notification: {exc}", "malformed_notification")
        return Verdict(refusal, LogState.REJECTED, str(exc))
    return Verdict(ACCEPTED, LogState.RECEIVED, account=account_of(data))


def accept(headers, body: bytes) -> tuple[int, dict]:
    """Verify and keep one notification; the (status, JSON body) to answer with."""
    try:
        verdict = judge(headers, body, configured_secrets("app_secret"))
        if verdict.keep_as:
            store("whatsapp", body, verdict.keep_as, verdict.problem, verdict.account)
    except DatabaseError:
        log.exception("a WhatsApp notification could not be stored")
        return unavailable()
    return verdict.answer


@csrf_exempt
async def whatsapp_webhook(request):
    if request.method == "GET":
        return await _verify_subscription(request)
    if request.method != "POST":
        return _respond(_refusal(405, "Use GET to verify the subscription and POST to notify.", "method_not_allowed"))
    try:
        body = request.body
    except RequestDataTooBig:
        return _respond(too_big())
    return _respond(await database_sync_to_async(accept, thread_sensitive=False)(request.headers, body))


def _respond(result: tuple[int, dict]) -> JsonResponse:
    status, payload = result
    return JsonResponse(payload, status=status)


async def _verify_subscription(request):
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode != "subscribe" or not token:
        return _respond(_refusal(400, "Expected hub.mode=subscribe with hub.verify_token.", "invalid"))
    tokens = await database_sync_to_async(configured_secrets, thread_sensitive=False)("verify_token")
    if token not in tokens:
        return _respond(_refusal(403, "The verify token does not match any WhatsApp inbox.", "bad_verify_token"))
    return HttpResponse(challenge, content_type="text/plain")


class _GroupWriter:
    """Stores the notifications of concurrent requests together: while one INSERT commits, the
    next requests queue, then go in one multi-row INSERT and one commit. Each request is answered
    only once its own row is committed, so a 200 still means "stored"."""

    def __init__(self, loop):
        self.loop = loop
        self.waiting: list[tuple[tuple[bytes, str], asyncio.Future]] = []
        self.busy = False

    async def keep(self, body: bytes, account: str) -> None:
        done = asyncio.get_running_loop().create_future()
        self.waiting.append(((body, account), done))
        if not self.busy:
            self.busy = True
            asyncio.ensure_future(self._write())
        await done

    async def _write(self) -> None:
        try:
            while self.waiting:
                batch, self.waiting = self.waiting, []
                try:
                    await database_sync_to_async(store_many, thread_sensitive=False)("whatsapp", [item for item, _ in batch])
                except Exception as exc:  # noqa: BLE001 - each waiting request answers with it
                    for _, done in batch:
                        done.set_exception(exc)
                else:
                    for _, done in batch:
                        done.set_result(None)
        finally:
            self.busy = False


_writers: dict[int, _GroupWriter] = {}


def _writer() -> _GroupWriter:
    # One per event loop (the server has one; tests may start others). A finished loop's id can
    # be reused, so the writer must belong to this very loop, or a stale "busy" would hang us.
    loop = asyncio.get_running_loop()
    writer = _writers.get(id(loop))
    if writer is None or writer.loop is not loop:
        writer = _writers[id(loop)] = _GroupWriter(loop)
    return writer


async def asgi_post(scope, receive, send) -> None:
    """The POST straight from the ASGI server: read at most the size limit, then `accept`."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    headers = CaseInsensitiveMapping({k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]})
    declared = headers.get("content-length", "")
    chunks, size, more = [], 0, True
    oversize = declared.isdigit() and int(declared) > limit
    while more and not oversize:
        event = await receive()
        if event["type"] == "http.disconnect":
            return
        chunk = event.get("body", b"")
        size += len(chunk)
        oversize = size > limit
        chunks.append(chunk)
        more = event.get("more_body", False)
    if oversize:
        status, payload = too_big()
    else:
        try:
            status, payload = await _judge_and_keep(headers, b"".join(chunks))
        except DatabaseError:
            log.exception("a WhatsApp notification could not be stored")
            status, payload = unavailable()
    data = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


async def _judge_and_keep(headers, body: bytes) -> tuple[int, dict]:
    secrets = cached_secrets("app_secret")
    if secrets is None:
        secrets = await database_sync_to_async(configured_secrets, thread_sensitive=False)("app_secret")
    verdict = judge(headers, body, secrets)
    if verdict.keep_as == LogState.RECEIVED:
        await _writer().keep(body, verdict.account)
    elif verdict.keep_as:
        await database_sync_to_async(store, thread_sensitive=False)("whatsapp", body, verdict.keep_as, verdict.problem)
    return verdict.answer
