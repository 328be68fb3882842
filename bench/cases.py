"""What cases cost, on SQLite and PostgreSQL, as ratios measured in one run.

    python bench/cases.py [--cases 200000] [--batches 20] [--only sqlite|postgres]

1. Ingest with cases on against cases off: bursts of 100 customer messages from new customers
   and a person's reply to each, stored through the actions, alternating rounds with the cases
   subscriber subscribed and unsubscribed (so machine noise hits both alike). The ratio is
   throughput on / off; the goal is above 0.8.
2. `reports/summary` over 30 days of closed cases (the --cases count is spread over them) against
   a primary-key fetch of one case, interleaved.

Each database runs in its own process. PostgreSQL uses BENCH_POSTGRES_URL's database, which the
bench creates and drops only if it made it.
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

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_cases")


def child(n_cases: int, batches: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from mostrador.accounts.models import Role, User
    from mostrador.cases import lifecycle
    from mostrador.cases.models import Case
    from mostrador.cases.reports import summary
    from mostrador.inbox import actions, hooks
    from mostrador.inbox.actions.inbound import receive_customer_messages
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Contact, Conversation

    call_command("migrate", verbosity=0)
    inbox = create_inbox("Bench", "api", {})
    seller = User.objects.create_user("bench@example.test", "x", name="Bench", role=Role.AGENT)

    def burst(tag: str) -> tuple[float, float]:
        """(customer messages/s stored in a burst, replies/s sent one by one)."""
        start = time.perf_counter()
        results = receive_customer_messages(
            inbox, [actions.InboundMessage(contact_external_id=f"{tag}-{i}", text="hola") for i in range(100)]
        )
        middle = time.perf_counter()
        for message, _ in results:
            actions.send_message(message.conversation, actions.Actor.person(seller), actions.OutboundContent(text="¡Hola!"))
        return 100 / (middle - start), 100 / (time.perf_counter() - middle)

    on, off = [], []
    for round_ in range(batches):
        hooks.conversation_changed.unsubscribe(lifecycle.on_conversation_changed)
        off.append(burst(f"off{round_}"))
        hooks.conversation_changed.subscribe(lifecycle.on_conversation_changed, many=lifecycle.on_conversation_changes)
        on.append(burst(f"on{round_}"))

    # 30 days of closed cases, loaded in bulk (their numbers as the hooks would have kept them).
    t0 = time.perf_counter()
    now = timezone.now()
    rnd = random.Random(7)
    contact = Contact.objects.create(name="Histórico")
    conv = Conversation.objects.create(inbox=inbox, contact=contact)
    chunk = 20_000
    for start in range(0, n_cases, chunk):
        rows = []
        for _ in range(min(chunk, n_cases - start)):
            opened = now - timedelta(seconds=rnd.randint(3600, 30 * 86400))
            wait = rnd.randint(5, 3600)
            rows.append(Case(
                conversation=conv, inbox=inbox, contact=contact, opened_at=opened, closed_at=opened + timedelta(seconds=wait * 3),
                close_reason="resolved", handled_by=rnd.choice(["ai", "ai_then_people", "people"]),
                first_response_seconds=wait, first_human_response_seconds=wait, queue_seconds=wait / 2,
                end_to_end_seconds=wait * 2, interactions=rnd.randint(1, 8), csat=rnd.choice([None, 3, 4, 5]),
                clock={"response_people": [wait], "response_ai": [], "customer_response": [rnd.randint(5, 600)]},
            ))
        Case.objects.bulk_create(rows)
    load = time.perf_counter() - t0
    some = Case.objects.order_by("pk").values_list("pk", flat=True)[n_cases // 2]
    since, until = now - timedelta(days=30), now

    def timed(call) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    report, by_pk = [], []
    for _ in range(3):
        report.append(timed(lambda: summary(Case.objects.filter(inbox=inbox), since, until)))
        by_pk.append(timed(lambda: Case.objects.get(pk=some)))
    return {
        "vendor": connection.vendor,
        "ingest_on": statistics.median(r[0] for r in on), "ingest_off": statistics.median(r[0] for r in off),
        "replies_on": statistics.median(r[1] for r in on), "replies_off": statistics.median(r[1] for r in off),
        "cases": n_cases, "load_seconds": round(load, 1),
        "summary_ms": statistics.median(report) * 1000, "pk_ms": statistics.median(by_pk) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.cases, args.batches)))
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        targets = {"sqlite": {"MOSTRADOR_DATA_DIR": tmp, "DATABASE_URL": ""}, "postgres": {"DATABASE_URL": PG_URL}}
        for name, env in targets.items():
            if args.only and args.only != name:
                continue
            made = name == "postgres" and create_database(PG_URL)
            child_env = {**os.environ, **env}
            if not child_env["DATABASE_URL"]:
                child_env.pop("DATABASE_URL")
            try:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", "--cases", str(args.cases), "--batches", str(args.batches)],
                    env=child_env, capture_output=True, text=True, check=True,
                )
            finally:
                if made:
                    drop_database(PG_URL)
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    for r in results:
        print(f"\n== {r['vendor']}")
        print(f"ingest, bursts of 100 new customers: cases on {r['ingest_on']:.0f} msg/s, off {r['ingest_off']:.0f} msg/s; "
              f"on / off = {r['ingest_on'] / r['ingest_off']:.2f} (goal > 0.8)")
        print(f"a person's reply to each, one by one: cases on {r['replies_on']:.0f}/s, off {r['replies_off']:.0f}/s; "
              f"on / off = {r['replies_on'] / r['replies_off']:.2f}")
        print(f"reports/summary, 30 days, {r['cases']:,} cases (loaded in {r['load_seconds']} s): median {r['summary_ms']:.0f} ms; "
              f"pk fetch {r['pk_ms']:.2f} ms; ratio {r['summary_ms'] / r['pk_ms']:.0f}x")
    return 0


def create_database(url: str) -> bool:
    """Create the database the URL names; False (and nothing dropped later) if it already exists."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise SystemExit(f"database {name} already exists; the bench uses a database it creates itself")
        c.execute(f'CREATE DATABASE "{name}"')
    return True


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
