"""What cases cost, on SQLite and PostgreSQL, as ratios measured in one run.

    python bench/cases.py [--cases 1000000] [--batches 20] [--only sqlite|postgres]

1. Ingest with cases on against cases off, alternating rounds with the cases subscriber subscribed
   and unsubscribed (so machine noise hits both alike): 100 WhatsApp notifications from new
   customers through the intake path (stored as the webhook stores them, drained as the pump
   does; the goal is a ratio above 0.8), the storing action alone on a burst of 100, and a
   person's reply to each, one by one. Ratios are throughput on / off.
2. `reports/summary` over 30 days of closed cases (the --cases count is spread over them, three
   inboxes and twenty agents) against a primary-key fetch of one case, interleaved: whole local
   days (read from the daily rollups), one agent's slice, and a range whose first day is partial
   (that day is read from the cases).

Each database runs in its own process. PostgreSQL uses BENCH_POSTGRES_URL's database, which the
bench creates and drops only if it made it.
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
    from mostrador.cases import lifecycle, rollups
    from mostrador.cases.models import Case
    from mostrador.cases.reports import Scope, summary
    from mostrador.core import local_days
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

    sys.path.insert(0, str(ROOT / "bench"))
    from webhook_ingest import notification, number

    from mostrador.intake import jobs as intake

    create_inbox("Bench WA", "whatsapp", {"phone_number_id": number(0), "app_secret": "s", "access_token": "x"})
    sent = iter(range(10**6))

    def intake_burst() -> float:
        """Notifications/s through the intake path: 100 WhatsApp notifications, each a new
        customer's message, stored as the webhook stores them and drained as the pump does."""
        bodies = [("whatsapp", notification(next(sent), 1, customers=10**7), number(0)) for _ in range(100)]
        start = time.perf_counter()
        intake.store_many(bodies)
        while intake.drain():
            pass
        return 100 / (time.perf_counter() - start)

    on, off = [], []
    for round_ in range(batches):
        hooks.conversation_changed.unsubscribe(lifecycle.on_conversation_changed)
        off.append((*burst(f"off{round_}"), intake_burst()))
        hooks.conversation_changed.subscribe(lifecycle.on_conversation_changed, many=lifecycle.on_conversation_changes)
        on.append((*burst(f"on{round_}"), intake_burst()))

    # 30 days of closed cases over 3 inboxes and 20 agents, loaded in bulk (their numbers as the
    # hooks would have kept them), then counted into the daily rollups by the rebuild.
    t0 = time.perf_counter()
    now = timezone.now()
    rnd = random.Random(7)
    inboxes = [inbox] + [create_inbox(f"Bench {n}", "api", {}) for n in (2, 3)]
    agents = [seller] + [User.objects.create_user(f"bench{n}@example.test", "x", name=f"B{n}", role=Role.AGENT) for n in range(19)]
    contact = Contact.objects.create(name="Histórico")
    convs = [Conversation.objects.create(inbox=box, contact=contact) for box in inboxes]
    chunk = 20_000
    for start in range(0, n_cases, chunk):
        rows = []
        for _ in range(min(chunk, n_cases - start)):
            opened = now - timedelta(seconds=rnd.randint(3600, 30 * 86400))
            wait = int(rnd.lognormvariate(4, 1.2)) + 1  # most answered in minutes, a long tail
            where = rnd.randrange(3)
            rows.append(Case(
                conversation=convs[where], inbox=inboxes[where], contact=contact, opened_at=opened,
                closed_at=opened + timedelta(seconds=wait * 3), close_reason="resolved", assignee=rnd.choice(agents),
                handled_by=rnd.choice(["ai", "ai_then_people", "people"]),
                first_response_seconds=wait, first_human_response_seconds=wait, queue_seconds=wait / 2,
                end_to_end_seconds=wait * 2, interactions=rnd.randint(1, 8), csat=rnd.choice([None, 3, 4, 5]),
                clock={"response_people": [wait], "response_ai": [], "customer_response": [rnd.randint(5, 600)]},
            ))
        Case.objects.bulk_create(rows)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    rollups.rebuild()
    rebuild = time.perf_counter() - t0
    some = Case.objects.order_by("pk").values_list("pk", flat=True)[n_cases // 2]
    local_midnight = local_days.midnight(local_days.day_of(now) - timedelta(days=30))

    def timed(call) -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    reports = {
        "30 local days to now": lambda: summary(Scope(), local_midnight, None),
        "one agent, 30 local days": lambda: summary(Scope(agent_id=agents[3].pk), local_midnight, None),
        "now - 30 days (a partial first day)": lambda: summary(Scope(), now - timedelta(days=30), now),
    }
    times: dict[str, list[float]] = {name: [] for name in reports}
    by_pk = []
    for _ in range(5):
        for name, call in reports.items():
            times[name].append(timed(call))
            by_pk.append(timed(lambda: Case.objects.get(pk=some)))
    day = local_days.day_of(now)
    plans = {
        "rollup read (30 days, one slice)": rollups.CaseDay.objects.filter(
            slice__in=[""], day__gte=day - timedelta(days=30), day__lte=day).explain(),
        "cases still open, opened in the range": Case.objects.filter(
            closed_at__isnull=True, opened_at__gte=now - timedelta(days=30), opened_at__lt=now).explain(),
        "cases closed in a partial day": Case.objects.filter(
            closed_at__isnull=False, closed_at__gte=now - timedelta(hours=6), closed_at__lt=now).explain(),
        "the open case of a conversation (every message)": Case.objects.filter(
            conversation_id=convs[0].pk, closed_at__isnull=True).order_by()[:1].explain(),
    }
    return {
        "plans": plans,
        "vendor": connection.vendor,
        "ingest_on": statistics.median(r[0] for r in on), "ingest_off": statistics.median(r[0] for r in off),
        "replies_on": statistics.median(r[1] for r in on), "replies_off": statistics.median(r[1] for r in off),
        "intake_on": statistics.median(r[2] for r in on), "intake_off": statistics.median(r[2] for r in off),
        "cases": n_cases, "load_seconds": round(load, 1), "rebuild_seconds": round(rebuild, 1),
        "summary_ms": {name: statistics.median(t) * 1000 for name, t in times.items()},
        "pk_ms": statistics.median(by_pk) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.cases, args.batches)))
        return 0
    command = [sys.executable, __file__, "--child", "--cases", str(args.cases), "--batches", str(args.batches)]
    results = [run_child(command, env) for _, env in child_environments(args.only, PG_URL)]
    for r in results:
        print(f"\n== {r['vendor']}")
        print(f"ingest through the intake path, 100 WhatsApp notifications from new customers: cases on {r['intake_on']:.0f} msg/s, "
              f"off {r['intake_off']:.0f} msg/s; on / off = {r['intake_on'] / r['intake_off']:.2f} (goal > 0.8)")
        print(f"the storing action alone, bursts of 100 new customers: cases on {r['ingest_on']:.0f} msg/s, off {r['ingest_off']:.0f} msg/s; "
              f"on / off = {r['ingest_on'] / r['ingest_off']:.2f}")
        print(f"a person's reply to each, one by one: cases on {r['replies_on']:.0f}/s, off {r['replies_off']:.0f}/s; "
              f"on / off = {r['replies_on'] / r['replies_off']:.2f}")
        print(f"{r['cases']:,} closed cases over 30 days (loaded in {r['load_seconds']} s; `reports rebuild` took {r['rebuild_seconds']} s); "
              f"a primary-key fetch takes {r['pk_ms']:.2f} ms")
        for name, ms in r["summary_ms"].items():
            print(f"  reports/summary, {name}: median {ms:.1f} ms; {ms / r['pk_ms']:.0f}x a primary-key fetch")
        print("query plans:")
        for name, plan in r["plans"].items():
            print(f"  {name}:")
            for line in plan.splitlines():
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
