"""What reports, the monitor and exports cost, on SQLite and PostgreSQL, as ratios measured in one
run.

    python bench/report_speed.py [--cases 1000000] [--messages 20000000] [--only sqlite|postgres]

1. Over --cases closed cases spread across 30 days (three inboxes, two teams, twenty agents
   with a month of availability changes, routes, waits and surveys as the hooks keep them) and
   --messages messages: the 30-day summary,
   the agents report, the wait curve and routes against a primary-key fetch of one case,
   interleaved, medians of seven rounds. Goal: each within 10 primary-key fetches and well under
   a second. The first round is printed apart: it merges the thirty days' rollups, which later
   reads keep (until a day's row changes) and only add today's to.
2. The monitor's refresh with 5,000 chats waiting, idle and while another process stores
   customer messages at a steady 1,000 a second, as the web workers taking webhooks would
   (goal: under 50 ms).
3. A streamed CSV export of every case, in a process of its own: its peak RSS (goal: under
   250 MB) beside the same process's RSS before it started.

Each database runs in its own process. PostgreSQL uses BENCH_POSTGRES_URL's database, which the
bench creates, and drops only if it created it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from databases import child_environments, run_child

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_reports")
sys.path.insert(0, str(ROOT / "bench"))


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()


def child(n_cases: int, n_messages: int) -> dict:
    setup_django()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from mostrador.accounts.models import Role, Team, User
    from mostrador.cases import rollups
    from mostrador.cases.models import Case
    from mostrador.cases.reports import Scope, summary
    from mostrador.core import local_days
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Contact, Conversation
    from mostrador.reports import figures
    from mostrador.reports.monitor import monitor
    from mostrador.teamwork.availability import rebuild_days

    call_command("migrate", verbosity=0)
    now = timezone.now()
    rnd = random.Random(11)
    inboxes = [create_inbox(f"Bench {n}", "api", {}) for n in range(3)]
    admin = User.objects.create_user("bench-admin@example.test", "x", name="Admin", role=Role.ADMIN)
    agents = [User.objects.create_user(f"bench{n}@example.test", "x", name=f"B{n}", role=Role.AGENT) for n in range(20)]
    teams = [Team.objects.create(name=f"Equipo {n}") for n in range(2)]
    for n, agent in enumerate(agents):
        teams[n % 2].members.add(agent)
    contact = Contact.objects.create(name="Histórico")
    convs = [Conversation.objects.create(inbox=box, contact=contact) for box in inboxes]

    t0 = time.perf_counter()
    chunk = 20_000
    routes = ["cotizar", "despacho", "garantia", ""]
    for start in range(0, n_cases, chunk):
        rows = []
        for _ in range(min(chunk, n_cases - start)):
            opened = now - timedelta(seconds=rnd.randint(3600, 30 * 86400))
            wait = rnd.lognormvariate(4, 1.2) + 1  # most answered in minutes, a long tail
            where = rnd.randrange(3)
            agent = rnd.choice(agents)
            closed = opened + timedelta(seconds=wait * 3)
            continued = rnd.random() > min(0.9, wait / 900)
            last_customer = opened + timedelta(seconds=wait * 2 if continued else 0)
            transferred = rnd.random() < 0.1
            rows.append(Case(
                conversation=convs[where], inbox=inboxes[where], contact=contact, opened_at=opened, closed_at=closed,
                close_reason="resolved", assignee=agent, team=teams[agents.index(agent) % 2],
                handled_by=rnd.choice(["ai", "ai_then_people", "people"]), route=rnd.choice(routes), tags=rnd.choice([[], ["vip"]]),
                first_response_at=opened + timedelta(seconds=wait), first_human_response_at=opened + timedelta(seconds=wait),
                first_response_seconds=wait, first_human_response_seconds=wait, queue_seconds=wait / 2,
                end_to_end_seconds=wait * 2 if continued else 0, interactions=rnd.randint(1, 8), transfers=int(transferred),
                csat=rnd.choice([None, 3, 4, 5]),
                clock={
                    "response_people": [wait], "response_ai": [], "customer_response": [rnd.randint(5, 600)],
                    "first_human_wait": wait, "last_customer_at": last_customer.isoformat(),
                    "assigned_at": (opened + timedelta(seconds=wait / 2)).isoformat(),
                    "first_transfer_at": (opened + timedelta(seconds=wait)).isoformat() if transferred else None,
                    "first_transfer_by": agent.pk if transferred else None, "handoffs": ["agent"] if rnd.random() < 0.3 else [],
                },
            ))
        Case.objects.bulk_create(rows)
    cases_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_messages(connection, convs, inboxes, n_messages, now)
    messages_load = time.perf_counter() - t0
    load_availability(agents, now, rnd)
    t0 = time.perf_counter()
    rollups.rebuild()
    rebuild_days()
    rebuild = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, long before anyone reads

    some = Case.objects.order_by("pk").values_list("pk", flat=True)[n_cases // 2]
    since = local_days.midnight(local_days.day_of(now) - timedelta(days=30))
    everything = Scope()
    reports = {
        "summary, 30 days": lambda: summary(everything, since, None),
        "agents report, 30 days": lambda: figures.agents(everything, since, None, None),
        "wait curve, 30 days": lambda: figures.wait_curve(everything, since, None),
        "routes, 30 days": lambda: figures.routes(everything, since, None),
    }
    times: dict[str, list[float]] = {name: [] for name in reports}
    by_pk = []
    for _ in range(7):
        for name, call in reports.items():
            times[name].append(timed(call))
            by_pk.append(timed(lambda: Case.objects.get(pk=some)))

    # The monitor with 5,000 chats waiting, idle and under a steady 1,000 messages/s.
    waiting = receive_customer_messages(inboxes[0], [actions.InboundMessage(contact_external_id=f"w{i}", text="hola") for i in range(5000)])
    assert len(waiting) == 5000
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum does after that many new rows
    idle = [timed(lambda: monitor(admin)) for _ in range(15)]
    # Customers write from another process, as the web workers that take webhooks would.
    # Two of them, 500 a second each; a customer writes five messages, a burst apart.
    writers = [
        subprocess.Popen([sys.executable, __file__, "--child", "ingest", "--rate", "500", "--inbox", str(inboxes[1].pk), "--tag", f"w{n}"],
                         stdout=subprocess.PIPE, text=True)
        for n in range(2)
    ]
    for writer in writers:
        assert writer.stdout.readline().strip() == "writing"
    time.sleep(1.0)
    busy = []
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        busy.append(timed(lambda: monitor(admin)))
        time.sleep(0.1)  # a refresh every 100 ms, as fast as frames come
    for writer in writers:
        writer.terminate()
    rate = sum(json.loads(writer.communicate(timeout=60)[0].strip().splitlines()[-1])["rate"] for writer in writers)
    return {
        "vendor": connection.vendor,
        "cases": n_cases, "messages": n_messages,
        "cases_load_seconds": round(cases_load, 1), "messages_load_seconds": round(messages_load, 1), "rebuild_seconds": round(rebuild, 1),
        "report_ms": {name: statistics.median(t) * 1000 for name, t in times.items()},
        "report_cold_ms": {name: t[0] * 1000 for name, t in times.items()},
        "pk_ms": statistics.median(by_pk) * 1000,
        "monitor_idle_ms": statistics.median(idle) * 1000, "monitor_busy_ms": statistics.median(busy) * 1000,
        "monitor_busy_p90_ms": sorted(busy)[int(len(busy) * 0.9)] * 1000, "ingest_rate": rate,
    }


def load_messages(connection, convs, inboxes, n: int, now) -> None:
    """n messages in bulk, straight into the table (the reports must not read them at all)."""
    from django.db import transaction

    from mostrador.inbox.models import Message

    table = Message._meta.db_table
    columns = ("conversation_id", "inbox_id", "direction", "author_kind", "bot_name", "type", "text", "status", "error_code",
               "error_message", "created_at", "reply_to_external_id")
    batch = 50_000
    with connection.cursor() as cursor:
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                where = i % 3
                rows.append((convs[where].pk, inboxes[where].pk, "in", "customer", "", "text", "hola, ¿tienen el foco?", "received", "", "",
                             now.isoformat() if connection.vendor == "sqlite" else now, ""))
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                with transaction.atomic():  # one commit per batch, not one per row
                    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})", rows)


def ingest_child(rate: int, inbox_id: int, tag: str) -> dict:
    """Store customer messages at a steady `rate` a second, 100 per burst as the intake pump
    does, until interrupted; print the rate reached. Each customer writes in five bursts in a
    row, so one message in five opens a chat."""
    setup_django()
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inbound import receive_customer_messages
    from mostrador.inbox.models import Inbox

    inbox = Inbox.objects.get(pk=inbox_id)
    burst = 100
    stored, n = 0, 0
    # SIGTERM ends it (a shell's background job ignores SIGINT, and so would we), and so does
    # its parent going away: a writer never outlives the bench.
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    parent = os.getppid()
    print("writing", flush=True)
    started = time.perf_counter()
    while not stop and os.getppid() == parent:
        receive_customer_messages(inbox, [actions.InboundMessage(contact_external_id=f"{tag}-{k + burst * (n // 5)}", text="hola") for k in range(burst)])
        stored += burst
        n += 1
        time.sleep(max(0.0, started + stored / rate - time.perf_counter()))
    return {"rate": stored / (time.perf_counter() - started)}


def load_availability(agents, now, rnd) -> None:
    """A month of each agent's day: online, a break, online again, offline overnight."""
    from datetime import timedelta

    from mostrador.accounts.models import AvailabilityChange

    rows = []
    for agent in agents:
        moment = now - timedelta(days=31)
        while moment < now:
            for state, hours in (("online", 4), ("away", 0.5), ("online", 4), ("offline", 15.5)):
                rows.append(AvailabilityChange(user=agent, availability=state, at=moment))
                last = (state, moment)
                moment += timedelta(hours=hours * rnd.uniform(0.8, 1.2))
        agent.availability, agent.availability_changed_at = last
        agent.save(update_fields=["availability", "availability_changed_at"])
    AvailabilityChange.objects.bulk_create(rows, batch_size=2000)


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def export_child() -> dict:
    """Stream every case as CSV, as the export view does, and report this process's peak RSS."""
    import resource

    setup_django()
    from mostrador.accounts.models import User
    from mostrador.reports import exports

    admin = User.objects.get(email="bench-admin@example.test")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    lines = size = 0
    for line in exports.csv_lines(exports.rows_of(admin, "cases", None, None, None), "cases"):
        lines += 1
        size += len(line)
    return {
        "rows": lines - 1, "mb": size / 1e6, "seconds": time.perf_counter() - t0,
        "rss_before_mb": before, "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=20_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", choices=["reports", "export", "ingest"])
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--inbox", type=int)
    parser.add_argument("--tag", default="w")
    args = parser.parse_args()
    if args.child == "reports":
        print(json.dumps(child(args.cases, args.messages)))
        return 0
    if args.child == "ingest":
        print(json.dumps(ingest_child(args.rate, args.inbox, args.tag)))
        return 0
    if args.child == "export":
        print(json.dumps(export_child()))
        return 0
    results = []
    run = [sys.executable, __file__, "--cases", str(args.cases), "--messages", str(args.messages), "--child"]
    for _, env in child_environments(args.only, PG_URL):
        # The export runs in a process of its own, so its peak memory is the export's alone.
        results.append({**run_child([*run, "reports"], env), "export": run_child([*run, "export"], env)})
    for r in results:
        print(f"\n== {r['vendor']}: {r['cases']:,} closed cases over 30 days and {r['messages']:,} messages")
        print(f"loaded in {r['cases_load_seconds']} s + {r['messages_load_seconds']} s; `reports rebuild` took {r['rebuild_seconds']} s; "
              f"a primary-key fetch takes {r['pk_ms']:.2f} ms")
        for name, ms in r["report_ms"].items():
            cold = r["report_cold_ms"][name]
            print(f"  {name}: median {ms:.1f} ms = {ms / r['pk_ms']:.1f}x a primary-key fetch (goal <= 10x); "
                  f"first read, before any day was kept merged, {cold:.1f} ms = {cold / r['pk_ms']:.0f}x")
        print(f"  monitor, 5,000 chats waiting: idle {r['monitor_idle_ms']:.1f} ms; while storing {r['ingest_rate']:.0f} messages/s "
              f"{r['monitor_busy_ms']:.1f} ms (p90 {r['monitor_busy_p90_ms']:.1f} ms; goal < 50 ms)")
        e = r["export"]
        print(f"  CSV export of {e['rows']:,} cases ({e['mb']:.0f} MB) in {e['seconds']:.1f} s: process RSS {e['rss_before_mb']:.0f} MB "
              f"before, peak {e['rss_peak_mb']:.0f} MB (goal < 250 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
