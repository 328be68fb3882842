"""Pending list vs. primary-key fetch, on 100k conversations and 1M messages, SQLite and PostgreSQL.

    python bench/pending_list.py [--conversations 100000] [--messages-per 10] [--only sqlite|postgres]

Each database runs in its own process (settings are per process). Within one run, the pending
list (the first page the browser gets, for one agent, priority then oldest wait, through the same
function the inbox view calls) and a primary-key fetch of one conversation are timed interleaved,
so machine noise hits both alike; the ratio is the figure. The statements the list really ran
are captured and their plans printed (with planning time on PostgreSQL), and the run fails if the
page scans the table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from databases import child_environments, run_child

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench")


def child(n_conv: int, per: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from mostrador.accounts.models import Role, User
    from mostrador.inbox.models import Contact, Conversation, Inbox
    from mostrador.inbox.queries import ListFilters, conversation_list, state_counts
    from mostrador.inbox.views import PAGE

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    now = timezone.now()
    inboxes = [Inbox.objects.create(name=f"Bandeja {i}", channel="api", settings={}) for i in range(4)]
    agent = User.objects.create_user("bench@example.test", "x", name="Bench", role=Role.AGENT)
    for box in inboxes[:2]:
        box.members.add(agent)
    rnd = random.Random(7)
    batch = 5000
    for start in range(0, n_conv, batch):
        contacts = Contact.objects.bulk_create([Contact(name=f"Cliente {i}") for i in range(start, min(start + batch, n_conv))])
        convs = []
        for c in contacts:
            roll = rnd.random()
            waiting = now - timedelta(seconds=rnd.randint(1, 86400 * 3))
            fields = dict(inbox=inboxes[rnd.randrange(4)], contact=c, last_activity_at=waiting, created_at=waiting, updated_at=waiting)
            if roll < 0.30:  # pending
                fields.update(waiting_since=waiting, priority=2 if rnd.random() < 0.01 else 0)
            elif roll < 0.33:  # with AI
                fields.update(waiting_since=now, ai_enabled=True, ai_since=now, ai_deadline=now + timedelta(minutes=5))
            elif roll < 0.65:
                pass  # awaiting customer
            else:
                fields.update(resolved=True)
            convs.append(Conversation(**fields))
        Conversation.objects.bulk_create(convs)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                """INSERT INTO inbox_message (conversation_id, inbox_id, direction, author_kind, bot_name, type,
                       text, status, error_code, error_message, reply_to_external_id, created_at)
                   SELECT c.id, c.inbox_id, 'in', 'customer', '', 'text', 'mensaje ' || g, 'received', '', '', '',
                          c.last_activity_at - make_interval(secs => g)
                   FROM inbox_conversation c CROSS JOIN generate_series(1, %s) g""",
                [per],
            )
            # A live table is kept vacuumed by autovacuum; a freshly bulk-loaded one has no
            # visibility map yet, which would deny index-only scans that production gets.
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute(
                """WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s)
                   INSERT INTO inbox_message (conversation_id, inbox_id, direction, author_kind, bot_name, type,
                       text, status, error_code, error_message, reply_to_external_id, created_at)
                   SELECT c.id, c.inbox_id, 'in', 'customer', '', 'text', 'mensaje ' || g.n, 'received', '', '', '',
                          c.last_activity_at
                   FROM inbox_conversation c, g""",
                [per],
            )
            cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM inbox_message")
        n_messages = cur.fetchone()[0]
    load_seconds = time.perf_counter() - t0

    filters = ListFilters(state="pending")
    pks = list(Conversation.objects.values_list("pk", flat=True)[:: max(n_conv // 1000, 1)])

    def pending():
        # Exactly what the browser's list asks for: its first page, as the inbox view reads it.
        rows, _ = conversation_list(agent, filters, limit=PAGE, cursor=None, now=timezone.now())
        assert len(rows) == PAGE

    def by_pk():
        Conversation.objects.select_related("inbox", "contact", "last_message", "assignee").prefetch_related("tags").get(pk=rnd.choice(pks))

    def counts():
        # Every list refresh (one per realtime event per open browser) also draws the tab counts.
        assert state_counts(agent, ListFilters(), timezone.now())["pending"] > 0

    for _ in range(20):
        pending(), by_pk(), counts()
    a, b, c = [], [], []
    def timed(call, into: list) -> None:
        start = time.perf_counter()
        call()
        into.append(time.perf_counter() - start)

    for _ in range(300):
        timed(pending, a)
        timed(by_pk, b)
        timed(counts, c)

    # The plan of the very statements the list ran (the page, then its tags).
    with CaptureQueriesContext(connection) as ran:
        pending()
    statements = [q["sql"] for q in ran.captured_queries]
    plans = []
    with connection.cursor() as cur:
        for sql in statements:
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans.append("\n".join(r[0] for r in cur.fetchall()))
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                plans.append("\n".join(str(r[-1]) for r in cur.fetchall()))
    # The page itself is the statement on the conversations table; the others read the person's
    # inboxes and the page's tags.
    page = next(i for i, sql in enumerate(statements) if 'FROM "inbox_conversation"' in sql)
    plan = plans[page]
    if connection.vendor == "postgresql":
        scans = "Seq Scan on inbox_conversation" in plan
        planning = [float(line.split(":")[1].split()[0]) for p in plans for line in p.splitlines() if line.startswith("Planning Time")]
    else:
        scans = any(line.strip().startswith("SCAN inbox_conversation") and "INDEX" not in line for line in plan.splitlines())
        planning = []
    return {
        "vendor": connection.vendor,
        "conversations": n_conv,
        "messages": n_messages,
        "load_seconds": round(load_seconds, 1),
        "pending_ms": statistics.median(a) * 1000,
        "pk_ms": statistics.median(b) * 1000,
        "counts_ms": statistics.median(c) * 1000,
        "pending_p90_ms": statistics.quantiles(a, n=10)[-1] * 1000,
        "plan": plan,
        "sql": statements[page],
        "statements": len(statements),
        "planning_ms": planning,
        "page": PAGE,
        "scans": scans,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.conversations, args.messages_per)))
        return 0
    command = [sys.executable, __file__, "--child", "--conversations", str(args.conversations), "--messages-per", str(args.messages_per)]
    # The PostgreSQL database is the one BENCH_POSTGRES_URL names, made for this run and dropped
    # after it; an existing database of that name is refused, never dropped.
    results = [run_child(command, env) for _, env in child_environments(args.only, PG_URL)]
    ok = True
    for r in results:
        print(f"\n== {r['vendor']}: {r['conversations']:,} conversations, {r['messages']:,} messages (loaded in {r['load_seconds']} s)")
        print(f"pending list, first page ({r['page']} rows) for one agent, as the browser gets it ({r['statements']} statements): "
              f"median {r['pending_ms']:.2f} ms (p90 {r['pending_p90_ms']:.2f} ms)")
        print(f"primary-key fetch of one conversation: median {r['pk_ms']:.2f} ms")
        print(f"ratio pending / pk: {r['pending_ms'] / r['pk_ms']:.1f}x")
        print(f"tab counts for the same agent: median {r['counts_ms']:.2f} ms, {r['counts_ms'] / r['pk_ms']:.1f}x a pk fetch")
        print("the page's statement:\n  " + r["sql"])
        print("its plan:\n  " + r["plan"].replace("\n", "\n  "))
        if r["planning_ms"]:
            print("planning time of each statement: " + ", ".join(f"{ms:.3f} ms" for ms in r["planning_ms"]))
        if r["scans"]:
            print("FAIL: the pending list scans the conversations table")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
