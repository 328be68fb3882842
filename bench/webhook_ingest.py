"""Sustained WhatsApp webhook ingest through the real ASGI server, on PostgreSQL.

    python bench/webhook_ingest.py [--notifications 1500] [--per 4] [--workers 1] [--concurrency 16]

Starts `mostrador serve` (uvicorn, with its in-process job runner) plus `--workers` extra
`mostrador worker` processes against a fresh PostgreSQL database, then posts signed notifications
mixing messages (several per notification, from many customers) and delivery statuses. It prints:

- the ack time of the webhook (p50/p99) and the requests/s it sustained;
- end-to-end messages/s: from the first POST until every message is a conversation row;
- the lag from a notification's arrival to its messages being in the inbox (p50/p99);
- what a seller sees: the lag from sending a notification to the `message.created` event reaching
  a signed-in seller's WebSocket (p50/p99), with Redis fanning events out across the processes;
- the ratio of the end-to-end time to a raw INSERT of the same message rows, measured in this run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from databases import own_database

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_ingest")
# Several processes publish realtime events, so they meet in Redis, as in production.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "bench-app-secret"
def number(k: int) -> str:
    """The phone number id of the k-th business number (inbox)."""
    return f"1000000000{k + 1:05d}"


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = PG_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()


def notification(i: int, per: int, customers: int = 5000, numbers: int = 1) -> bytes:
    messages = [
        {"from": f"569{(i * per + k) % customers:08d}", "id": f"wamid.bench.{i}.{k}", "timestamp": str(int(time.time())),
         "type": "text", "text": {"body": f"Hola, necesito cotizar la pieza {i}-{k}"}}
        for k in range(per)
    ]
    contacts = [{"profile": {"name": f"Cliente {m['from'][-4:]}"}, "wa_id": m["from"]} for m in messages]
    # A delivery status for one of our own earlier replies, as Meta sends them beside messages.
    statuses = [{"id": f"wamid.out.{i}", "status": "delivered", "timestamp": str(int(time.time())), "recipient_id": "56900000001"}]
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "56229400000", "phone_number_id": number(i % numbers)},
             "contacts": contacts, "messages": messages, "statuses": statuses}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(body, separators=(",", ":")).encode()


# Shorter than uvicorn's keep-alive (5 s): a connection idle this long is opened again.
IDLE_REOPEN = 4.0


async def load(port: int, bodies: list[bytes], concurrency: int, rate: float = 0,
               refused: list | None = None) -> tuple[list[float], list[float]]:
    """Post every body over `concurrency` keep-alive connections; the ack time of each, and the
    moment (perf_counter) each body was sent. A refusal fails the run, unless `refused` is given
    to collect the status codes of the ones refused.

    A bare HTTP/1.1 client on asyncio streams: the load generator shares the machine's two cores
    with the server, and a full HTTP client library would take a good part of them."""
    acks = [0.0] * len(bodies)
    sent_at = [0.0] * len(bodies)
    queue = list(reversed(range(len(bodies))))
    start = time.perf_counter()
    sent = 0

    async def client():
        nonlocal sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        used = time.perf_counter()
        try:
            while queue:
                index = queue.pop()
                body = bodies[index]
                if rate:
                    # A steady offered load: notification n leaves at n / rate seconds.
                    due = start + sent / rate
                    sent += 1
                    if due > time.perf_counter():
                        await asyncio.sleep(due - time.perf_counter())
                sig = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                head = (
                    "POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    f"X-Hub-Signature-256: {sig}\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                if time.perf_counter() - used > IDLE_REOPEN:
                    # The server closes a connection idle for its keep-alive time: at a low rate
                    # each waits longer than that between posts, so it opens a new one first, as
                    # a pooling HTTP client would.
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                t = sent_at[index] = time.perf_counter()
                writer.write(head.encode() + body)
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                answer = await reader.readexactly(length)
                used = time.perf_counter()
                acks[index] = used - t
                if refused is not None and status_line.split()[1] != b"200":
                    refused.append(status_line.split()[1].decode())  # Meta would send it again
                    continue
                assert status_line.split()[1] == b"200", (status_line, answer)
        finally:
            writer.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return acks, sent_at


class SellerSocket:
    """A signed-in seller's browser, reduced to its WebSocket: when each message was announced."""

    def __init__(self, port: int, session_cookie: str):
        self.url = f"ws://127.0.0.1:{port}/ws/events"
        self.headers = {"Cookie": f"sessionid={session_cookie}", "Origin": f"http://127.0.0.1:{port}"}
        self.announced: dict[int, float] = {}
        self.events = 0

    async def listen(self, ready: asyncio.Event, done: asyncio.Event) -> None:
        import websockets

        async with websockets.connect(self.url, additional_headers=self.headers, max_queue=None) as socket:
            ready.set()
            while not done.is_set():
                try:
                    raw = await asyncio.wait_for(socket.recv(), 0.2)
                except asyncio.TimeoutError:
                    continue
                now = time.perf_counter()
                for event in json.loads(raw):  # one frame per committed change
                    self.events += 1
                    if event["type"] == "message.created" and event["author_kind"] == "customer":
                        self.announced.setdefault(event["message_id"], now)


async def run_load(port, bodies, concurrency, rate, seller: SellerSocket | None, total: int):
    """The load, with the seller listening from before the first notification until every
    message has been announced (or ten seconds after the last acknowledgement)."""
    if seller is None:
        return await load(port, bodies, concurrency, rate)
    ready, done = asyncio.Event(), asyncio.Event()
    listener = asyncio.ensure_future(seller.listen(ready, done))
    await asyncio.wait_for(ready.wait(), 10)
    result = await load(port, bodies, concurrency, rate)
    quiet_until = time.perf_counter() + 10
    while len(seller.announced) < total and time.perf_counter() < quiet_until:
        await asyncio.sleep(0.05)
    done.set()
    await listener
    return result


def seller_session(inboxes) -> str:
    """A seller of the inboxes, logged in; the session cookie her browser would hold."""
    from django.test import Client

    from mostrador.accounts.models import User

    user = User.objects.create_user(email="vendedora@bench.test", password="x" * 12, name="Vendedora", role="agent")
    for inbox in inboxes:
        inbox.members.add(user)
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def earlier_replies(inbox, ids) -> None:
    """Our replies the statuses will speak of, already sent."""
    from mostrador.inbox.models import Contact, Conversation, Message

    contact = Contact.objects.create(name="Cliente anterior", phone="56900000001")
    conv = Conversation.objects.create(inbox=inbox, contact=contact)
    Message.objects.bulk_create(
        Message(conversation=conv, inbox=inbox, direction="out", author_kind="agent", text="Hola", status="sent",
                external_id=f"wamid.out.{i}")
        for i in ids
    )


def raw_insert_seconds(n: int) -> float:
    """The same number of message rows, inserted as plainly as PostgreSQL allows (one transaction)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE raw_messages (LIKE inbox_message INCLUDING DEFAULTS)")
        rows = [(f"wamid.raw.{i}", f"Hola, necesito cotizar la pieza {i}") for i in range(n)]
        t = time.perf_counter()
        with connection.cursor() as c2:
            c2.executemany(
                "INSERT INTO raw_messages (id, conversation_id, inbox_id, direction, author_kind, bot_name, type, text,"
                " external_id, status, error_code, error_message, reply_to_external_id, created_at) VALUES"
                " (nextval('inbox_message_id_seq'), 1, 1, 'in', 'customer', '', 'text', %s, %s, 'received', '', '', '', now())",
                [(text, wamid) for wamid, text in rows],
            )
        return time.perf_counter() - t


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--notifications", type=int, default=1500)
    ap.add_argument("--per", type=int, default=4, help="messages per notification")
    ap.add_argument("--workers", type=int, default=1, help="extra `mostrador worker` processes")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--rate", type=float, default=0,
                    help="offer this many messages/s steadily (default: as fast as the server answers)")
    ap.add_argument("--customers", type=int, default=5000,
                    help="distinct senders; with the default most messages come from a new customer")
    ap.add_argument("--ack-only", action="store_true", help="serve with no job runner: time the webhook alone")
    ap.add_argument("--split", action="store_true",
                    help="the scale-out shape: `serve --no-jobs` answers webhooks, the workers ingest")
    ap.add_argument("--no-seller", action="store_true", help="no seller's WebSocket listening")
    ap.add_argument("--numbers", type=int, default=1, help="business numbers (inboxes) the notifications are spread over")
    args = ap.parse_args()
    # The database BENCH_POSTGRES_URL names, made for this run (refused if it exists) and dropped after.
    with own_database(PG_URL):
        run(args)


def run(args) -> None:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Message
    from mostrador.intake.models import InboundLog

    inboxes = []
    for k in range(args.numbers):
        inboxes.append(create_inbox(f"Bench {k + 1}", "whatsapp", {"phone_number_id": number(k), "app_secret": SECRET, "access_token": "x"}))
        earlier_replies(inboxes[k], range(k, args.notifications, args.numbers))
    cookie = None if args.no_seller or args.ack_only else seller_session(inboxes)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": PG_URL, "MOSTRADOR_LOG_LEVEL": "ERROR", "MOSTRADOR_JOB_POLL_SECONDS": "0.05",
           "REDIS_URL": REDIS_URL, "MOSTRADOR_REDIS_PREFIX": f"mostrador-bench-{os.getpid()}"}
    mostrador = str(Path(sys.executable).parent / "mostrador")
    serve = [mostrador, "serve", "--host", "127.0.0.1", "--port", str(port)] + (["--no-jobs"] if args.ack_only or args.split else [])
    procs = [subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL)]
    if not args.ack_only:
        procs += [subprocess.Popen([mostrador, "worker"], env=env, stdout=subprocess.DEVNULL) for _ in range(args.workers)]
    try:
        import httpx

        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        bodies = [notification(i, args.per, args.customers, args.numbers) for i in range(args.notifications)]
        total = args.notifications * args.per
        seller = SellerSocket(port, cookie) if cookie else None
        acks, sent_at = asyncio.run(run_load(port, bodies, args.concurrency, args.rate / args.per, seller, total))
        # From the first notification sent to the last one acknowledged (the seller's socket
        # connects before, and keeps listening after).
        t0 = min(sent_at)
        posted = max(sent + ack for sent, ack in zip(sent_at, acks, strict=True)) - t0
        if args.ack_only:
            print(f"webhook alone: p50 {pct(acks, .5) * 1000:.1f} ms, p99 {pct(acks, .99) * 1000:.1f} ms; "
                  f"{args.notifications / posted:.0f} requests/s ({total / posted:.0f} messages/s acknowledged)")
            return
        # Done when every message is in the inbox and every notification (statuses too) is processed.
        while (
            Message.objects.filter(direction="in").count() < total
            or InboundLog.objects.filter(processed_at__isnull=True).exists()
        ):
            if time.perf_counter() - t0 > 600:
                raise SystemExit("ingest did not finish in 10 minutes")
            time.sleep(0.05)
        e2e = time.perf_counter() - t0
        lags = [
            (done - got).total_seconds()
            for got, done in InboundLog.objects.values_list("received_at", "processed_at")
            if done is not None
        ]
        seen = []
        if seller:
            wamids = dict(Message.objects.filter(pk__in=seller.announced).values_list("pk", "external_id"))
            # wamid.bench.<notification>.<k>: the notification says when it was sent.
            seen = [seller.announced[pk] - sent_at[int(wamid.split(".")[2])] for pk, wamid in wamids.items()]
        raw = raw_insert_seconds(total)
        delivered = Message.objects.filter(direction="out", status="delivered").count()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=20)

    print(f"notifications: {args.notifications} x {args.per} messages + 1 status each = {total} messages "
          f"from {min(args.customers, total)} customers to {args.numbers} number(s); "
          f"{'serve --no-jobs' if args.split else 'serve'} + {args.workers} worker(s)")
    print(f"webhook ack: p50 {pct(acks, .5) * 1000:.1f} ms, p99 {pct(acks, .99) * 1000:.1f} ms; "
          f"{args.notifications / posted:.0f} requests/s ({total / posted:.0f} messages/s acknowledged)")
    print(f"statuses applied: {delivered} of {args.notifications}")
    print(f"end to end: {total / e2e:.0f} messages/s ({e2e:.1f} s until every message was in the inbox)")
    print(f"arrival -> in the inbox: p50 {pct(lags, .5) * 1000:.0f} ms, p99 {pct(lags, .99) * 1000:.0f} ms")
    if seller:
        print(f"sent -> seller's WebSocket told: p50 {pct(seen, .5) * 1000:.0f} ms, p99 {pct(seen, .99) * 1000:.0f} ms, "
              f"max {max(seen) * 1000:.0f} ms; {len(seen)} of {total} messages announced ({seller.events} events in all)")
    print(f"raw INSERT of {total} rows: {raw:.2f} s ({total / raw:.0f} rows/s); end to end / raw = {e2e / raw:.1f}x")


if __name__ == "__main__":
    main()
