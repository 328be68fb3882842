"""The whole team on one server: many signed-in browser sockets while customers write steadily.

    python bench/team.py [--sockets 1,1000] [--people 200] [--rate 1000] [--seconds 15] [--serves 1] [--rounds 1]
                         [--workers 2] [--no-split] [--no-intake-serve] [--no-fetch]
                         [--against DIR] [--against-env KEY=VALUE]

By default it measures the deployment the README gives for a team of this size: `serve --no-jobs`
for the tabs, one more for the webhooks, two workers, all meeting in Redis, and tabs that fetch
what their frames ask for; `--no-split`, `--no-intake-serve`, `--workers N` and `--no-fetch`
measure other shapes.

For each socket count (and, with `--against`, for another checkout of the product too, so two
versions are measured side by side in one run; with `--against-env`, for this checkout again
with a setting changed), it starts `mostrador serve` (`--serves 2`: two of
them behind Redis, the sockets split between them; `--intake-serve`: one more, taking the
webhooks alone, as a proxy sending /webhooks/ there would have it) on a PostgreSQL database made for this run,
opens that many WebSockets of signed-in people (agents of one of four WhatsApp numbers, one of them
an "own chats and unassigned" inbox; supervisors and an admin who see every inbox), and posts
signed webhook notifications at a steady rate of customer messages. It prints, per scenario:

- server CPU per message (user + system time over the load: every process, and `serve` alone,
  which holds the sockets), and the CPU per message of the process playing the tabs (`tabs`),
  which shares the machine with the server;
- from a message's POST to the *last* socket that may see it hearing of it: p50 and p99, and how
  many of the (message, socket) deliveries owed arrived; and from its POST to its being stored
  (`stored`, p50 and p99), the part of that lag spent before any socket could be told;
- frames and bytes per socket per second; the serve's peak RSS; the webhook's acknowledgement p99;
- how long one seller waits for her list (asked four times a second during the load), p99;
- with `--fetch`, each tab's page says which list it shows and fetches what its frames name but do
  not carry, as that version's browser code does (the changed rows, or the whole list); how often
  it fetched, and how many frames carried their rows, is printed.

With `--rounds N` every version is measured N times, the order alternating round by round, and
the medians are printed with each version's ratio to this checkout: on a noisy machine one run of
each says little.

The sockets live in a child process of their own (they share the machine's two cores with the
server, so they read each distinct frame once, and run, as the customers' load does, on uvloop).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uvloop
from checkouts import alternating
from databases import own_database
from webhook_ingest import SECRET, load

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_team")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
NUMBERS = 4
PER = 4  # messages per notification, as Meta batches a busy number's messages
# A customer's message event as the server encodes it (with or without spaces after separators).
CUSTOMER_MESSAGE = re.compile(rb'"message_id":\s*(\d+),\s*"author_kind":\s*"customer"')


def number(k: int) -> str:
    return f"1000000000{k + 1:05d}"


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the sockets' process ------------------------------------------------------------------------

CHAT_IDS = re.compile(rb'"conversation_id":\s*(\d+)')
# What every page says it shows (a version that carries no rows in its frames ignores it).
WATCH = json.dumps({"type": "watch", "list": "tab=pending&scope=all", "lang": "es"})
# What a page says on a socket it has just opened, where its version asks for its list over it.
WATCH_PAGE = json.dumps({"type": "watch", "list": "tab=pending&scope=all", "lang": "es", "page": True})


# What moves only Pendientes, for a version whose page does not say it (`data-only-pending`):
# the list its script carried.
ONLY_PENDING_BEFORE = ["message.created", "message.updated", *(f"conversation.changed:{reason}" for reason in (
    "message", "ai_window_ended", "ai_turn_started", "ai_toggled", "handoff", "seen", "left_on_read", "tagged", "priority",
    "field_set", "retried", "resolved", "reopened"))]


def declared(page: str, name: str) -> list[str] | None:
    """A list of event keys the served page carries on its body, or None if it has none."""
    found = re.findall(rf'data-{name}="([^"]*)"', page)
    return found[0].split() if found else None


class Page:
    """What a tab's page fetches when a frame names chats, as that version's browser code does:
    the changed rows (`rows`) or the whole list (`list`), 80 ms after a change, at most every
    400 ms, one request at a time; and the top bar's counters 150 ms after any frame, at most every
    second; after "live.resumed", the whole list and the counters. Each over a keep-alive
    connection of its own, saying it is the page's own refresh (a seller's `look` does not)."""

    def __init__(self, port: int, cookie: str, mode: str, refresh: bool = True):
        self.port, self.cookie, self.mode = port, cookie, mode
        self.said = b"X-Mostrador-Refresh: live\r\n" if refresh else b""
        self.changed: set[bytes] = set()
        self.task: asyncio.Task | None = None
        self.last = 0.0
        self.fetches = 0
        self.connections: dict[str, tuple] = {}
        self.counting: asyncio.Task | None = None
        self.counted = 0.0
        self.counters = 0
        self.whole = False
        self.listed = None

    def framed(self) -> None:
        if self.counting is None:
            self.counting = asyncio.ensure_future(self._count())

    async def _count(self) -> None:
        try:
            await asyncio.sleep(max(0.15, self.counted + 1.0 - time.perf_counter()))
            self.counted = time.perf_counter()
            await self._get("/ui/counters", "counters")
            self.counters += 1
        finally:
            self.counting = None

    def catch_up(self, list_carried: bool, listed=None) -> None:
        """The stream was cut and is back: what changed meanwhile was told to nobody. The list is
        fetched unless the frame carried its whole first page (`listed` is called when a fetched
        one came)."""
        if not list_carried:
            self.whole = True
            self.listed = listed
            self.heard(set())
        self.framed()

    def heard(self, ids: set[bytes]) -> None:
        self.changed |= ids
        if self.task is None:
            self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while self.changed or self.whole:
                await asyncio.sleep(max(0.08, self.last + 0.4 - time.perf_counter()))
                ids, self.changed = self.changed, set()
                whole, self.whole = self.whole, False
                self.last = time.perf_counter()
                if self.mode == "rows" and len(ids) <= 50 and not whole:
                    await self._get("/ui/list/rows?tab=pending&scope=all&ids=" + ",".join(i.decode() for i in ids), "list")
                else:
                    await self._get("/ui/list?tab=pending&scope=all", "list")
                    if whole and self.listed is not None:
                        self.listed()
                        self.listed = None
                self.fetches += 1
        finally:
            self.task = None

    async def _get(self, path: str, which: str) -> None:
        if which not in self.connections:
            self.connections[which] = await asyncio.open_connection("127.0.0.1", self.port)
        reader, writer = self.connections[which]
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={self.cookie}\r\nHX-Request: true\r\n".encode()
                     + self.said + b"\r\n")
        await reader.readline()
        length, chunked = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            lower = line.lower()
            if lower.startswith(b"content-length:"):
                length = int(line.split(b":")[1])
            elif lower.startswith(b"transfer-encoding:") and b"chunked" in lower:
                chunked = True
        if not chunked:
            await reader.readexactly(length)
            return
        while (size := int((await reader.readline()).strip(), 16)):
            await reader.readexactly(size + 2)
        await reader.readline()

async def load_and_look(port: int, bodies: list[bytes], rate: float, refused: list, cookie: str, look_port: int):
    """The customers' load on `port` and, meanwhile, one seller asking `look_port` for her list
    four times a second: the ack times, the moments each body was sent, and how long each list
    took to come."""
    looks: list[float] = []
    done = asyncio.Event()

    async def look() -> None:
        seller = Page(look_port, cookie, "list", refresh=False)
        while not done.is_set():
            start = time.perf_counter()
            await seller._get("/ui/list?tab=pending&scope=all", "list")
            looks.append(time.perf_counter() - start)
            await asyncio.sleep(0.25)

    looking = asyncio.ensure_future(look())
    try:
        acks, sent_at = await load(port, bodies, 24, rate, refused)
    finally:
        done.set()
        await looking
    return acks, sent_at, looks


async def lists_over_socket(port: int, cookie: str) -> bool:
    """Whether this version sends a list's first page to a page that asks for it on opening."""
    import websockets

    headers = {"Cookie": f"sessionid={cookie}", "Origin": f"http://127.0.0.1:{port}"}
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/events", additional_headers=headers, max_size=None) as ws:
        await ws.send(WATCH_PAGE)
        try:
            async with asyncio.timeout(3):
                while b'"whole":true' not in await ws.recv(decode=False):
                    pass
        except TimeoutError:
            return False
    return True


class Frame:
    """One distinct frame as the sockets heard it: read once, however many sockets got it (a
    frame is the same for every socket of one view, and the sockets' process shares the machine's
    two cores with the server: reading each copy again took most of a core at 500 messages/s)."""

    def __init__(self, raw: bytes, config: dict):
        self.messages = [int(found) for found in CUSTOMER_MESSAGE.findall(raw)]
        self.sockets = 0  # how many sockets heard it, and when the last did
        self.last = 0.0
        self.pong = raw == b'[{"type":"pong"}]'
        self.resumed = b'"live.resumed"' in raw
        self.whole = b'"whole":true' in raw
        self.list_carried = self.resumed and self.whole
        self.ids: set[bytes] = set()
        self.carried = self.counters = False
        if self.pong or self.resumed or b'"live.paused"' in raw or not config["fetch"]:
            # The page fetches nothing for these (after "resumed", it catches up: `catch_up`).
            return
        leave, only_pending = config["leave"], config["only_pending"]
        self.ids = set(CHAT_IDS.findall(raw))
        said = json.loads(raw)
        last = said[-1]
        told = last.get("type") == "list.rows" and "pending" in last
        if last.get("type") == "list.rows":
            # The frame carries the rows of the list this page shows: nothing to fetch.
            self.carried = True
            self.ids -= {str(i).encode() for i in last["asked"]}
        # The counters, unless every event moves only Pendientes (which the rows told) or moves
        # no counter at all (as app.js decides).
        self.counters = not all(
            e is last and told or e["type"] in leave
            or told and (e["type"] in only_pending or f"{e['type']}:{e.get('reason')}" in only_pending)
            for e in said
        )


async def sockets_child(config: dict) -> dict:
    """Open every socket, report ready, read until told to stop; what each heard, and when."""
    import websockets

    config = {**config, "leave": set(config.get("leave", ())), "only_pending": set(config.get("only_pending", ()))}
    # Each distinct frame heard since the load began, by its length and hash.
    known: dict[tuple[int, int], Frame] = {}
    frames = [0] * len(config["tabs"])
    sizes = [0] * len(config["tabs"])
    closed = 0
    why_closed: dict[str, int] = {}  # "code reason" as the server closed each socket that closed
    why_refused: dict[str, int] = {}  # why each attempt to open a socket again failed

    pages = [Page(port, cookie, config["fetch"]) if config["fetch"] else None for port, cookie in config["tabs"]]

    # With a serve restarted under them (`--restart-serve`), when each tab had its list again.
    relisted: list[float | None] = [None] * len(config["tabs"])
    reopened: list[float | None] = [None] * len(config["tabs"])
    # When the try that opened each tab's socket again began: the rest, up to `reopened`, was the
    # server's opening of it.
    tried: list[float | None] = [None] * len(config["tabs"])

    async def tab(index: int, port: int, cookie: str, opened: asyncio.Event):
        nonlocal closed
        page = pages[index]
        headers = {"Cookie": f"sessionid={cookie}", "Origin": f"http://127.0.0.1:{port}"}
        delay, again = 0.5, False
        while True:
            began = time.perf_counter()
            try:
                async with websockets.connect(f"ws://127.0.0.1:{port}/ws/events", additional_headers=headers,
                                              # A browser takes a frame of any size (this library's default stops at 1 MiB).
                                              max_queue=None, ping_interval=None, open_timeout=60, max_size=None) as ws:
                    delay = 0.5
                    if page is not None:
                        # Reconnected, the page catches up as that version's does: its list over
                        # the socket where the server gives it, else fetched.
                        await ws.send(WATCH_PAGE if again and config["page"] else WATCH)
                        if again:
                            reopened[index], tried[index] = time.perf_counter(), began
                            page.catch_up(list_carried=config["page"], listed=lambda: relisted.__setitem__(index, time.perf_counter()))
                    opened.set()
                    while True:
                        raw = await ws.recv(decode=False)
                        # CLOCK_MONOTONIC on Linux: the same clock in every process, so it compares
                        # with the moments the other process sent each POST.
                        now = time.perf_counter()
                        frames[index] += 1
                        sizes[index] += len(raw)
                        key = (len(raw), hash(raw))
                        heard = known.get(key)
                        if heard is None:
                            heard = known[key] = Frame(raw, config)
                        heard.sockets += 1
                        heard.last = now
                        if page is None or heard.pong:
                            continue
                        if heard.whole and again and relisted[index] is None:
                            relisted[index] = now
                        if heard.resumed:
                            page.catch_up(heard.list_carried)
                        if heard.counters:
                            page.framed()
                        if heard.ids:
                            page.heard(heard.ids)
            except websockets.ConnectionClosed as gone:
                closed += 1
                said = gone.rcvd or gone.sent
                why = f"{said.code} {said.reason}".strip() if said else "no close frame"
                why_closed[why] = why_closed.get(why, 0) + 1
            except (OSError, websockets.WebSocketException, TimeoutError) as failed:
                if not config["reconnect"]:
                    raise
                status = getattr(getattr(failed, "response", None), "status_code", None)
                why = f"HTTP {status}" if status else type(failed).__name__
                why_refused[why] = why_refused.get(why, 0) + 1
                # The server is restarting: try again, as the page does.
            if not config["reconnect"]:
                return
            again = True
            await asyncio.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, 10.0)

    tasks = []
    for start in range(0, len(config["tabs"]), 50):
        batch = []
        for index in range(start, min(start + 50, len(config["tabs"]))):
            port, cookie = config["tabs"][index]
            opened = asyncio.Event()
            tasks.append(asyncio.ensure_future(tab(index, port, cookie, opened)))
            batch.append(opened)
        await asyncio.wait_for(asyncio.gather(*(o.wait() for o in batch)), 120)
    print("ready", flush=True)
    counting_from, size_from = [0] * len(frames), [0] * len(sizes)
    loop = asyncio.get_running_loop()
    while (line := await loop.run_in_executor(None, sys.stdin.readline)).strip() != "stop":
        if line.strip() == "start":
            counting_from = list(frames)
            size_from = list(sizes)
            for page in pages:
                if page is not None:
                    page.fetches = page.counters = 0
            known.clear()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    # Message id -> [sockets that heard it, when the last did], from the distinct frames.
    heard_of: dict[int, list] = {}
    for heard in known.values():
        for message in heard.messages:
            entry = heard_of.setdefault(message, [0, 0.0])
            entry[0] += heard.sockets
            entry[1] = max(entry[1], heard.last)
    return {
        "heard": heard_of,
        "frames": sum(frames) - sum(counting_from),
        "bytes": sum(sizes) - sum(size_from),
        "closed": closed,
        "why_closed": why_closed,
        "why_refused": why_refused,
        "tried": tried,
        "fetches": sum(p.fetches for p in pages if p is not None),
        "counters": sum(p.counters for p in pages if p is not None),
        "carried": sum(heard.sockets for heard in known.values() if heard.carried),
        "relisted": relisted,
        "reopened": reopened,
    }


# ---- the server and the customers -----------------------------------------------------------------

def body(run: int, i: int, customers: int) -> bytes:
    messages = [
        {"from": f"569{(i * PER + k) % customers:08d}", "id": f"wamid.team.{run}.{i}.{k}", "timestamp": str(int(time.time())),
         "type": "text", "text": {"body": f"Hola, ¿tienen la pieza {i}-{k}?"}}
        for k in range(PER)
    ]
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "56229400000", "phone_number_id": number(i % NUMBERS)},
             "contacts": [{"profile": {"name": f"Cliente {m['from'][-4:]}"}, "wa_id": m["from"]} for m in messages],
             "messages": messages}
    return json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}).encode()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def redis_subscribers(url: str, prefix: str) -> int:
    import redis

    return redis.Redis.from_url(url).pubsub_numsub(f"{prefix}:events")[0][1]


def team(people: int) -> tuple[list[tuple[str, set[int] | None]], dict[int, set[int]]]:
    """People with a session each: (cookie, inboxes they see or None for all), and the inbox ids."""
    from django.test import Client

    from mostrador.accounts.models import User
    from mostrador.inbox.actions.inboxes import create_inbox

    inboxes = [
        create_inbox(f"Número {k + 1}", "whatsapp", {"phone_number_id": number(k), "app_secret": SECRET, "access_token": "x",
                                                    **({"visibility": "own_and_unassigned"} if k == 0 else {})})
        for k in range(NUMBERS)
    ]
    out = []
    for p in range(people):
        role = "admin" if p == 0 else "supervisor" if p % 20 == 1 else "agent"
        user = User.objects.create_user(email=f"p{p}@team.bench", password="x" * 12, name=f"Persona {p}", role=role)
        seen = None
        if role == "agent":
            inboxes[p % NUMBERS].members.add(user)
            seen = {inboxes[p % NUMBERS].pk}
        client = Client()
        client.force_login(user)
        out.append((client.cookies["sessionid"].value, seen))
    return out, {k: inboxes[k].pk for k in range(NUMBERS)}


def scenario(args, run: int, root: Path, sockets: int, people, inbox_ids, extra_env: dict) -> dict:
    from django.utils import timezone

    from mostrador.inbox.models import Message
    from mostrador.intake.models import InboundLog

    ports = [free_port() for _ in range(args.serves)]
    # With --intake-serve, the webhooks' own serve: no socket and no job, only the POSTs.
    intake_port = free_port() if args.intake_serve else None
    env = {**os.environ, "DATABASE_URL": PG_URL, "MOSTRADOR_LOG_LEVEL": "ERROR", "MOSTRADOR_JOB_POLL_SECONDS": "0.05",
           "MOSTRADOR_PRESENCE_GRACE_SECONDS": "0", **extra_env}
    env.pop("REDIS_URL", None)
    if meet_in_redis(args):
        env.update(REDIS_URL=args.redis_url, MOSTRADOR_REDIS_PREFIX=f"mostrador-bench-{os.getpid()}-{run}")
    mostrador = str(root / ".venv" / "bin" / "mostrador")
    # What the processes log (errors only) is kept, and its tracebacks counted: a listener that
    # fails when a thousand sockets close at once shows there and nowhere else.
    logs = tempfile.TemporaryFile("w+")
    def start_serve(k: int, port: int) -> subprocess.Popen:
        return subprocess.Popen([mostrador, "serve", "--host", "127.0.0.1", "--port", str(port)] + (["--no-jobs"] if k or args.split else []),
                                env=env, stdout=subprocess.DEVNULL, stderr=logs, cwd=root)

    def start_serves() -> list[subprocess.Popen]:
        return [start_serve(k, port) for k, port in enumerate(ports)] + ([start_serve(1, intake_port)] if intake_port else [])

    serves = start_serves()
    workers = [subprocess.Popen([mostrador, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=logs, cwd=root)
               for _ in range(args.workers)]
    child = None
    try:
        import httpx

        def wait_for_serves() -> None:
            for port in ports + ([intake_port] if intake_port else []):
                deadline = time.perf_counter() + 120
                while True:
                    try:
                        if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    assert time.perf_counter() < deadline, "serve did not start"
                    time.sleep(0.2)

        wait_for_serves()
        tabs = [(ports[s % len(ports)], people[s % len(people)][0]) for s in range(sockets)]
        # Where the sockets' process leaves what they heard (removed with this object).
        heard_in = tempfile.TemporaryDirectory()
        result_file = Path(heard_in.name) / "heard.json"
        child = subprocess.Popen([sys.executable, __file__, "--sockets-child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        fetch, leave, only_pending = "", [], []
        if args.fetch:
            # What this version's page fetches on a change: the changed rows where it can.
            probe = httpx.get(f"http://127.0.0.1:{ports[0]}/ui/list/rows?ids=1", cookies={"sessionid": people[0][0]})
            fetch = "list" if probe.status_code == 404 else "rows"
            # The events after which this version's page does not ask for its counters.
            page = httpx.get(f"http://127.0.0.1:{ports[0]}/", cookies={"sessionid": people[0][0]}, follow_redirects=True).text
            leave = declared(page, "leave-counters") or []
            only_pending = declared(page, "only-pending") or ONLY_PENDING_BEFORE
        # Whether this version's page asks for its list over a socket it has just opened.
        by_socket = bool(args.restart_serve and fetch and uvloop.run(lists_over_socket(ports[0], people[0][0])))
        child.stdin.write(json.dumps({"tabs": tabs, "fetch": fetch, "leave": leave, "only_pending": only_pending,
                                      "page": by_socket, "reconnect": args.restart_serve, "result": str(result_file)}) + "\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "ready", "the sockets did not open"
        time.sleep(1)  # presence settles (everyone came online)
        if args.private_redis is not None:
            # Redis restarts under every open socket, before the customers write.
            args.private_redis.stop()
            time.sleep(2)
            args.private_redis.start()
            time.sleep(6)  # the subscriptions come back (they retry every 0.5 to 5 s)
            subscribers = redis_subscribers(args.redis_url, env["MOSTRADOR_REDIS_PREFIX"])
        back_at = None
        if args.restart_serve:
            # A new version deployed under every open tab; the customers write on meanwhile.
            for p in serves:
                p.terminate()
            for p in serves:
                p.wait(timeout=30)
            serves = start_serves()
            wait_for_serves()
            back_at = time.perf_counter()
        child.stdin.write("start\n")
        child.stdin.flush()
        count = int(args.rate * args.seconds / PER)
        bodies = [body(run, i, args.customers) for i in range(count)]
        cpu0 = sum(cpu_seconds(p.pid) for p in serves + workers)
        serve_cpu0 = sum(cpu_seconds(p.pid) for p in serves)
        tabs_cpu0 = cpu_seconds(child.pid)
        refused: list[str] = []
        # The wall clock's reading at perf_counter's zero: what the server stamps (when it
        # processed a notification) compares with the moments the POSTs were sent.
        wall_at_zero = time.time() - time.perf_counter()
        loaded_from = timezone.now()
        acks, sent_at, looks = uvloop.run(load_and_look(intake_port or ports[0], bodies, args.rate / PER, refused, people[0][0], ports[0]))
        total = (count - len(refused)) * PER
        deadline = time.perf_counter() + 120
        while (Message.objects.filter(external_id__startswith=f"wamid.team.{run}.").count() < total
               or InboundLog.objects.filter(processed_at__isnull=True).exists()):
            assert time.perf_counter() < deadline, "ingest did not finish within 2 minutes"
            time.sleep(0.1)
        time.sleep(2)  # the last frames reach the sockets
        cpu = sum(cpu_seconds(p.pid) for p in serves + workers) - cpu0
        serve_cpu = sum(cpu_seconds(p.pid) for p in serves) - serve_cpu0
        tabs_cpu = cpu_seconds(child.pid) - tabs_cpu0
        window = time.perf_counter() - sent_at[0]
        rss = max(peak_rss_mb(p.pid) for p in serves)
        child.stdin.write("stop\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done", "the sockets' process failed (its error is above)"
        result = json.loads(result_file.read_text())
        # The sockets close with the child; the servers see every one go before they stop.
        child.stdin.close()
        child.wait(timeout=60)
        time.sleep(2)
    finally:
        if child is not None and child.poll() is None:
            child.kill()
        for p in serves + workers:
            p.terminate()
        for p in serves + workers:
            p.wait(timeout=30)
    logs.seek(0)
    logged = logs.read()
    errors = logged.count("Traceback (most recent call last)")
    if errors:
        # Where to read them: the count alone does not say what failed.
        kept = Path(tempfile.gettempdir()) / f"team-bench-{os.getpid()}-{run}.log"
        kept.write_text(logged)
        print(f"{errors} tracebacks logged: {kept}", file=sys.stderr)
    logs.close()

    seers = {pk: sum(1 for s in range(sockets) if people[s % len(people)][1] is None or pk in people[s % len(people)][1])
             for pk in inbox_ids.values()}
    # How long each notification took to be processed (its messages stored): the rest of their
    # lag is telling the sockets.
    stored = []
    this_run = InboundLog.objects.filter(received_at__gte=loaded_from, processed_at__isnull=False)
    for body_sent, processed_at in this_run.values_list("body", "processed_at"):
        if found := re.search(rb"wamid\.team\.%d\.(\d+)\." % run, bytes(body_sent)):
            stored.append(processed_at.timestamp() - wall_at_zero - sent_at[int(found[1])])
    rows = Message.objects.filter(external_id__startswith=f"wamid.team.{run}.").values_list("pk", "external_id", "inbox_id")
    lags, owed, got = [], 0, 0
    for pk, wamid, inbox_id in rows:
        owed += seers[inbox_id]
        entry = result["heard"].get(str(pk))
        if entry is None:
            continue
        got += entry[0]
        if entry[0] == seers[inbox_id]:
            lags.append(entry[1] - sent_at[int(wamid.split(".")[3])])
    return {
        "messages": total, "cpu_ms": cpu / total * 1000, "serve_ms": serve_cpu / total * 1000, "tabs_ms": tabs_cpu / total * 1000, "p50": pct(lags, .5), "p99": pct(lags, .99),
        "stored_p50": pct(stored, .5), "stored_p99": pct(stored, .99),
        "delivered": got / owed if owed else 1.0, "list_p99": pct(looks, .99) * 1000, "frames": result["frames"] / sockets / window,
        "kb": result["bytes"] / sockets / window / 1024, "rss": rss, "ack_p99": pct(acks, .99) * 1000,
        "relisted": [t - back_at for t in result["relisted"] if t is not None] if back_at is not None else None, "by_socket": by_socket,
        # From each tab's socket being open again to its list: the server's part, whatever the
        # backoff that brought the tab back.
        "relist_wait": [t - o for t, o in zip(result["relisted"], result["reopened"], strict=True) if t is not None],
        "opening": [o - t for o, t in zip(result["reopened"], result["tried"], strict=True) if o is not None],
        "closed": result["closed"], "why_closed": result["why_closed"], "why_refused": result["why_refused"], "errors": errors, "fetches": result["fetches"] / sockets / window, "counters": result["counters"] / sockets / window, "carried": result["carried"] / sockets / window, "fetch": fetch, "refused": len(refused), "subscribers": subscribers if args.private_redis is not None else None, "rate": total / (max(s + a for s, a in zip(sent_at, acks, strict=True)) - sent_at[0]),
    }


def meet_in_redis(args) -> bool:
    """Whether the processes meet in Redis (more than one of them, or asked to)."""
    return bool(args.serves > 1 or args.redis or args.workers or args.intake_serve)


def main():
    if "--sockets-child" in sys.argv:
        # What the sockets heard goes to a file, not down the pipe: a line of a few hundred KB
        # through the pipe came out cut short now and then (at a multiple of 8 KB).
        config = json.loads(sys.stdin.readline())
        Path(config["result"]).write_text(json.dumps(uvloop.run(sockets_child(config))))
        print("done", flush=True)
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--sockets", default="1,1000", help="socket counts to measure, comma-separated")
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--rate", type=float, default=1000, help="customer messages per second")
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--serves", type=int, default=1, help="serve processes (more than one meet in Redis)")
    ap.add_argument("--redis", action="store_true", help="fan out through Redis even with one serve")
    # By default, the deployment the README describes for this scale ("Running at team scale").
    ap.add_argument("--workers", type=int, default=2, help="`mostrador worker` processes beside serve (they meet in Redis)")
    ap.add_argument("--intake-serve", action=argparse.BooleanOptionalAction, default=True,
                    help="one more serve --no-jobs that takes the webhooks alone (a proxy sends /webhooks/ to it); the tabs use the others")
    ap.add_argument("--split", action=argparse.BooleanOptionalAction, default=True,
                    help="the scale-out shape: serve --no-jobs, the workers do the jobs (--no-split: serve does them too)")
    ap.add_argument("--restart-redis", action="store_true",
                    help="a Redis of the bench's own, restarted under the open sockets before the customers write")
    ap.add_argument("--restart-serve", action="store_true",
                    help="every serve restarted under the open sockets as the customers start writing; the tabs reconnect and catch up")
    ap.add_argument("--fetch", action=argparse.BooleanOptionalAction, default=True,
                    help="each socket's page fetches what its frames name, as that version's browser code does")
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure every version this many times, alternating which goes first, and print their medians")
    ap.add_argument("--against", type=Path, help="another checkout (with its .venv) measured in the same run")
    ap.add_argument("--against-env", metavar="KEY=VALUE", action="append", default=[],
                    help="this checkout measured again, in the same run, with this setting in its processes' environment")
    args = ap.parse_args()
    args.redis_url, args.private_redis = REDIS_URL, None
    if args.restart_redis:
        sys.path.insert(0, str(ROOT))
        from tests.private_redis import PrivateRedis

        args.private_redis = PrivateRedis()
        args.redis_url = args.private_redis.url
    try:
        with own_database(PG_URL):
            measure(args)
    finally:
        if args.private_redis is not None:
            args.private_redis.stop()


def measure(args) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = PG_URL
    # The sessions made here must be good in every serve, whatever data folder each runs in.
    os.environ["MOSTRADOR_SECRET_KEY"] = f"bench-team-{os.getpid()}-" + "k" * 40
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    people, inbox_ids = team(args.people)
    changed = dict(item.split("=", 1) for item in args.against_env)
    roots = ([("this", ROOT, {})] + ([("against", args.against.resolve(), {})] if args.against else [])
             + ([("with-env", ROOT, changed)] if changed else []))
    if changed:
        print("with-env: " + " ".join(args.against_env))
    print(f"{args.people} people, {NUMBERS} numbers, {args.rate:.0f} customer messages/s for {args.seconds:.0f} s, "
          f"{args.serves} serve(s){' --no-jobs' if args.split else ''}{' + 1 for the webhooks' if args.intake_serve else ''} + {args.workers} worker(s)"
          f"{', through Redis' if meet_in_redis(args) else ''}")
    print(f"{'code':8} {'sockets':>7} {'msg/s':>6} {'CPU ms/msg':>10} {'serve':>6} {'tabs':>5} {'p50 s':>6} {'p99 s':>6} {'stored':>6} {'p99':>5} {'delivered':>9} "
          f"{'frames/s':>8} {'KB/s':>6} {'RSS MB':>6} {'ack p99 ms':>10} {'list p99 ms':>11} {'closed':>6} {'errors':>6}"
          + (f" {'fetches/s':>9} {'counters/s':>10} {'carried/s':>9}" if args.fetch else ""))
    runs = 0
    for count in [int(c) for c in args.sockets.split(",")]:

        def run(version: tuple[Path, dict], _before: int, count: int = count) -> dict:
            nonlocal runs
            runs += 1
            return scenario(args, runs, version[0], count, people, inbox_ids, version[1])

        measured = alternating({name: (root, extra) for name, root, extra in roots}, args.rounds, run,
                               functools.partial(report, args, count))
        if args.rounds > 1:
            summarise(count, measured)


def report(args, count: int, name: str, r: dict) -> None:
    """One run's line, and what a restart or a closed socket adds to it."""
    print(f"{name:8} {count:7d} {r['rate']:6.0f} {r['cpu_ms']:10.2f} {r['serve_ms']:6.2f} {r['tabs_ms']:5.2f} {r['p50']:6.2f} {r['p99']:6.2f} {r['stored_p50']:6.2f} {r['stored_p99']:5.2f} "
          f"{r['delivered']:9.1%} {r['frames']:8.1f} {r['kb']:6.1f} {r['rss']:6.0f} {r['ack_p99']:10.1f} {r['list_p99']:11.1f} {r['closed']:6d} {r['errors']:6d}"
          + (f" {r['fetches']:9.2f} {r['counters']:10.2f} {r['carried']:9.2f} ({r['fetch']})" if args.fetch else ""), flush=True)
    if r["closed"]:
        print("sockets closed: " + ", ".join(f"{n} with {why}" for why, n in r["why_closed"].items()))
    if r["relisted"] is not None:
        print(f"after the serve restart: {len(r['relisted'])} of {count} tabs had their list again "
              f"({'over the socket' if r['by_socket'] else 'fetched'}), p50 {pct(r['relisted'], .5):.2f} s, "
              f"p99 {pct(r['relisted'], .99):.2f} s after serve was back; p50 {pct(r['relist_wait'], .5):.2f} s, "
              f"p99 {pct(r['relist_wait'], .99):.2f} s after its socket was open again")
        print(f"opening the socket again took p50 {pct(r['opening'], .5):.2f} s, p99 {pct(r['opening'], .99):.2f} s; "
              "attempts to open one that failed: "
              + (", ".join(f"{n} with {why}" for why, n in r["why_refused"].items()) or "none"))
    if r["subscribers"] is not None:
        print(f"after the Redis restart: {r['subscribers']} subscription(s) in Redis for {args.serves} serve(s)")


# What the rounds' summary gives the median of, with how it is printed.
SUMMARY = [("serve_ms", "serve ms/msg", "{:.2f}"), ("p50", "p50 s", "{:.2f}"), ("p99", "p99 s", "{:.2f}"),
           ("ack_p99", "ack p99 ms", "{:.0f}"), ("list_p99", "list p99 ms", "{:.0f}"), ("kb", "KB/s", "{:.1f}")]


def summarise(count: int, measured: dict[str, list[dict]]) -> None:
    """Each version's medians over the rounds, and each other version's ratio to this one."""
    medians = {name: {key: statistics.median(r[key] for r in runs) for key, _, _ in SUMMARY} for name, runs in measured.items()}
    print(f"medians of {len(measured['this'])} rounds, {count} sockets: "
          + "; ".join(f"{name}: " + ", ".join(f"{label} {form.format(m[key])}" for key, label, form in SUMMARY) for name, m in medians.items()))
    for name, m in medians.items():
        if name != "this":
            print(f"{name} / this: " + ", ".join(f"{label} {m[key] / medians['this'][key]:.2f}x" for key, label, _ in SUMMARY if medians["this"][key]))


if __name__ == "__main__":
    main()
