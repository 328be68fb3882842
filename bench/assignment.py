"""Assignment decisions and the own-and-unassigned pending list, against a primary-key fetch.

    python bench/assignment.py [--agents 200] [--open 10000] [--conversations 100000] [--only sqlite|postgres]

Each database runs in its own process. On PostgreSQL the run creates a database of its own
(`mostrador_bench_assign_<pid>` on the server of BENCH_POSTGRES_URL) and drops it afterwards; it
never touches another database. Within a run, each measured operation is timed interleaved with a
primary-key fetch of one conversation, so machine noise hits both alike; the ratios are the figures.

- decide: choosing an agent for a waiting chat among 200 (loads, capacities, availability), with
  the candidates' rows locked, as the assignment subscriber does (rolled back each time);
- assign: the whole automatic assignment of one chat (choice, event row, counters), rolled back;
- own list: the first page of Pendientes for one agent in an inbox whose agents see only their own
  chats and the unassigned ones, among 100k conversations.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


class Rollback(Exception):
    pass


def child(agents: int, open_chats: int, conversations: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from mostrador.accounts.models import Role, User
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Contact, Conversation
    from mostrador.inbox.queries import ListFilters, conversation_list
    from mostrador.teamwork import assignment
    from mostrador.teamwork.models import AgentLoad

    call_command("migrate", verbosity=0)
    rnd = random.Random(11)
    now = timezone.now()
    t0 = time.perf_counter()
    people = User.objects.bulk_create(
        [User(email=f"a{i}@bench.test", name=f"Agente {i}", role=Role.AGENT, availability="online") for i in range(agents)]
    )
    busy = create_inbox("Ventas", "api", {"assignment": "balanced", "capacity": 100})
    busy.members.set(people)
    mine = create_inbox("Mayoristas", "api", {"visibility": "own_and_unassigned"})
    mine.members.set(people[:20])

    def conversations_in(inbox, count, **fields):
        made = 0
        while made < count:
            n = min(5000, count - made)
            contacts = Contact.objects.bulk_create([Contact(name=f"C{inbox.pk}-{made + i}") for i in range(n)])
            rows = []
            for contact in contacts:
                at = now - timedelta(seconds=rnd.randint(1, 86400 * 3))
                extra = {k: (v() if callable(v) else v) for k, v in fields.items()}
                rows.append(Conversation(inbox=inbox, contact=contact, last_activity_at=at, created_at=at, updated_at=at, **extra))
            Conversation.objects.bulk_create(rows)
            made += n

    # 10k open chats spread over the agents, and the counters the actions would have kept.
    conversations_in(busy, open_chats, assignee_id=lambda: people[rnd.randrange(agents)].pk, waiting_since=now)
    counts = {}
    for assignee in Conversation.objects.filter(inbox=busy).values_list("assignee_id", flat=True):
        counts[assignee] = counts.get(assignee, 0) + 1
    AgentLoad.objects.bulk_create([AgentLoad(inbox=busy, user_id=u, open=n, last_assigned_at=now) for u, n in counts.items()])
    # 100k conversations in the restricted inbox: a third waiting, some of them the agent's.
    me = people[0]

    def state():
        roll = rnd.random()
        return now - timedelta(seconds=rnd.randint(1, 86400)) if roll < 0.3 else None

    conversations_in(
        mine, conversations, waiting_since=state,
        assignee_id=lambda: rnd.choice([None, None, me.pk] + [p.pk for p in people[1:20]]),
    )
    waiting = Conversation.objects.create(inbox=busy, contact=Contact.objects.create(name="Nuevo"), waiting_since=now)
    # Statistics, as a live database has them (PostgreSQL's autovacuum; SQLite's `optimize`).
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    setup = time.perf_counter() - t0
    waiting = Conversation.objects.select_related("inbox").get(pk=waiting.pk)
    pks = list(Conversation.objects.values_list("pk", flat=True)[:1000])

    def pk_fetch():
        Conversation.objects.select_related("inbox", "contact").get(pk=rnd.choice(pks))

    def decide():
        try:
            with transaction.atomic():
                assert assignment.pick(busy, waiting) is not None
                raise Rollback
        except Rollback:
            pass

    def assign():
        try:
            with transaction.atomic():
                conv = Conversation.objects.select_for_update(of=("self",)).select_related("inbox").get(pk=waiting.pk)
                assignment.place(conv, timezone.now())
                assert conv.assignee_id is not None
                raise Rollback
        except Rollback:
            pass

    def own_list():
        rows, _ = conversation_list(me, ListFilters(state="pending", inbox_id=None), limit=50, cursor=None)
        assert rows and all(r.assignee_id in (None, me.pk) for r in rows)

    out = {"vendor": connection.vendor, "setup_s": round(setup, 1)}
    for name, fn, rounds in (("decide", decide, 300), ("assign", assign, 200), ("own_list", own_list, 300)):
        for _ in range(20):
            fn(), pk_fetch()
        mine_t, base_t = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            fn()
            mine_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            pk_fetch()
            base_t.append(time.perf_counter() - t)
        med, base = statistics.median(mine_t), statistics.median(base_t)
        out[name] = {"ms": round(med * 1000, 3), "pk_ms": round(base * 1000, 3), "ratio": round(med / base, 1), "per_s": round(1 / med)}
    return out


def run(db: str, args) -> dict:
    env = dict(os.environ)
    cleanup = None
    if db == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-assign-")
        env["MOSTRADOR_DATA_DIR"] = tmp
        env.pop("DATABASE_URL", None)
    else:
        import psycopg

        name = f"mostrador_bench_assign_{os.getpid()}"
        parts = urlsplit(PG_URL)
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))

        def cleanup():
            with psycopg.connect(PG_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    env.pop("REDIS_URL", None)
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(args.agents), str(args.open), str(args.conversations)],
            env=env, capture_output=True, text=True, check=True,
        )
    finally:
        if cleanup:
            cleanup()
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    for db in ["sqlite", "postgres"] if not args.only else [args.only]:
        result = run(db, args)
        print(f"\n== {result['vendor']} · {args.agents} agents, {args.open} open chats, {args.conversations} conversations (setup {result['setup_s']} s)")
        for name, label in (("decide", "choose an agent"), ("assign", "assign one chat"), ("own_list", "own+unassigned pending")):
            r = result[name]
            print(f"  {label:<24} {r['ms']:>8} ms  = {r['ratio']:>5}× a pk fetch ({r['pk_ms']} ms)  ~{r['per_s']}/s")


if __name__ == "__main__":
    main()
