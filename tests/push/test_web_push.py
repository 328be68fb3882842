"""Web Push against a local push service that speaks the protocol (RFC 8030): a browser's
subscription is kept; a chat of that person's that turns pending reaches the service as an
aes128gcm payload only that browser can read (RFC 8291), signed with the installation's VAPID
key (RFC 8292); a subscription the service says is gone is forgotten; bad subscriptions are
refused."""

from __future__ import annotations

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.test import Client

from mostrador.inbox import actions
from mostrador.inbox.models import Conversation
from mostrador.jobs.runner import run_due_jobs
from mostrador.push.models import Subscription
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class PushService:
    """Receives pushes as a browser vendor's service would, answering each with `status`."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def service():
    found = PushService()
    yield found
    found.server.shutdown()


class Browser:
    """A browser's side of a subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.subscription = {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": b64(point), "auth": b64(self.auth)}}

    def read(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verified_claims(token: str, public_key: str) -> dict:
    """A VAPID JWT's claims, after checking its ES256 signature with the server's public key."""
    header, payload, signature = token.split(".")
    assert json.loads(unb64(header))["alg"] == "ES256"
    raw = unb64(signature)
    signer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    signer.verify(der, f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(unb64(payload))


def signed_in(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def post(client, path, body):
    return client.post(path, data=json.dumps(body) if not isinstance(body, bytes) else body, content_type="application/json")


def test_a_chat_of_yours_that_turns_pending_reaches_your_browser(agent, inbox, service):
    browser = Browser(service.url + "/push/abc123")
    seller = signed_in(agent)
    public_key = seller.get("/push/key").json()["public_key"]
    assert post(seller, "/push/subscribe", browser.subscription).status_code == 204
    first = customer_says(inbox.pk, "hola, ¿tienen pastillas para Yaris?", who="jorge")
    conv = Conversation.objects.get(pk=first["conversation_id"])
    actions.send_message(conv, actions.Actor.person(agent), actions.OutboundContent(text="Sí, ¿de qué año?"))
    actions.assign(conv, actions.Actor.person(agent), user=agent)
    run_due_jobs()
    assert service.received == []  # answered: nobody waits

    customer_says(inbox.pk, "Del 2016, delanteras", who="jorge")
    run_due_jobs()
    [push] = service.received
    assert push["path"] == "/push/abc123"
    headers = {k.lower(): v for k, v in push["headers"].items()}
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == public_key
    claims = verified_claims(fields["t"], public_key)
    assert claims["aud"] == service.url and claims["sub"].startswith("mailto:")
    shown = browser.read(push["body"])
    assert shown["title"] == "Jorge te espera"
    assert shown["body"] == "Del 2016, delanteras"
    assert shown["url"] == f"/c/{conv.pk}?tab=pending"

    # The service says the browser is gone: it is forgotten, and nothing is retried.
    service.status = 410
    actions.send_message(conv, actions.Actor.person(agent), actions.OutboundContent(text="Te cotizo"))
    customer_says(inbox.pk, "¿y el precio?", who="jorge")
    run_due_jobs()
    assert len(service.received) == 2
    assert not Subscription.objects.exists()


def test_a_push_service_that_is_down_is_tried_again_and_a_chat_answered_meanwhile_is_not_pushed(agent, inbox, service, settings):
    from datetime import timedelta

    from django.utils import timezone

    browser = Browser(service.url + "/push/x")
    post(signed_in(agent), "/push/subscribe", browser.subscription)
    first = customer_says(inbox.pk, "hola", who="marta")
    conv = Conversation.objects.get(pk=first["conversation_id"])
    actions.assign(conv, actions.Actor.person(agent), user=agent)
    actions.send_message(conv, actions.Actor.person(agent), actions.OutboundContent(text="Hola Marta"))
    service.status = 503
    customer_says(inbox.pk, "¿hacen envíos?", who="marta")
    run_due_jobs()
    assert len(service.received) == 1
    assert Subscription.objects.get().failures == 1
    # The retry is due later; by then the seller answered: it is dropped, not pushed.
    actions.send_message(conv, actions.Actor.person(agent), actions.OutboundContent(text="Sí, a todo Chile"))
    from django_tasks_db.models import DBTaskResult

    retry = DBTaskResult.objects.filter(status="READY", task_path__endswith="push_pending")
    assert retry.count() == 1 and retry.get().run_after > timezone.now()
    retry.update(run_after=timezone.now() - timedelta(seconds=1))
    service.status = 201
    run_due_jobs()
    assert len(service.received) == 1


def test_bad_subscriptions_are_refused_and_nothing_is_kept(agent, outsider, service):
    seller = signed_in(agent)
    good = Browser(service.url + "/push/ok").subscription
    for bad in (
        {"endpoint": good["endpoint"]},
        {**good, "keys": {"p256dh": "short", "auth": good["keys"]["auth"]}},
        {**good, "endpoint": "http://10.0.0.7/push"},
        {**good, "endpoint": "http://push.example.com/x"},
        {**good, "endpoint": "file:///etc/passwd"},
    ):
        assert post(seller, "/push/subscribe", bad).status_code == 422, bad
    assert post(seller, "/push/subscribe", b"{not json").status_code == 422
    assert post(seller, "/push/subscribe", b"x" * 5000).status_code == 413
    assert Client().post("/push/subscribe", data=json.dumps(good), content_type="application/json").status_code == 302
    assert not Subscription.objects.exists()
    # The same browser signed in by someone else now tells that person; unsubscribing drops it.
    assert post(seller, "/push/subscribe", good).status_code == 204
    assert post(signed_in(outsider), "/push/subscribe", good).status_code == 204
    assert Subscription.objects.get().user == outsider
    assert post(seller, "/push/unsubscribe", good).status_code == 204
    assert Subscription.objects.count() == 1
    assert post(signed_in(outsider), "/push/unsubscribe", good).status_code == 204
    assert not Subscription.objects.exists()


def test_the_service_worker_loads_the_push_handler(agent):
    worker = signed_in(agent).get("/sw.js").content.decode()
    assert 'importScripts(...["/static/push/worker.js"])' in worker
    handler = signed_in(agent).get("/static/push/worker.js")
    assert handler.status_code == 200
    body = b"".join(handler.streaming_content).decode() if handler.streaming else handler.content.decode()
    assert 'addEventListener("push"' in body and 'addEventListener("notificationclick"' in body
