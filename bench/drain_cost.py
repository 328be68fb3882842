"""What storing a burst of customer messages costs the worker, on PostgreSQL: CPU per message.

    python bench/drain_cost.py [--notifications 1500] [--per 4] [--rounds 3] [--against DIR]

Each round, in a fresh process on a database made for it, keeps signed WhatsApp notifications
(`--per` messages each, across four numbers, and a delivery status of a message sent from the
number's phone, as `webhook_ingest.py` posts them) in the inbound log as the webhook does, then
drains the log as a worker does, twice: first 3,000 customers writing for the first time (`new`: their
contacts, chats and cases are made), then `--notifications` more from the same customers
(`returning`). It prints the CPU seconds each drain took in this process (Python's share: the
database server's own work is not in it), the wall time, and the CPU per message. With `--against`,
another checkout (with its .venv) is measured in the same run, the order alternating round by
round, and the medians are printed with their ratio. This is a backlog (after an outage, or a
burst beyond what the workers keep up with), drained a hundred notifications at a time; in the
team benchmark a worker keeping up with a steady flow takes a few at a time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

from checkouts import alternating, arguments, checkouts, measure_on_postgres
from webhook_ingest import SECRET, notification, number

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_drain")
NUMBERS = 4
CUSTOMERS = 3000


def child(checkout: Path, notifications: int, per: int) -> dict:
    sys.path.insert(0, str(checkout))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Message
    from mostrador.intake.jobs import drain_all, store_many

    for k in range(NUMBERS):
        create_inbox(f"Bench {k + 1}", "whatsapp", {"phone_number_id": number(k), "app_secret": SECRET, "access_token": "x"})
    first = CUSTOMERS // per

    def drained(start: int, count: int) -> tuple[float, float]:
        bodies = [notification(i, per, customers=CUSTOMERS, numbers=NUMBERS) for i in range(start, start + count)]
        for at in range(0, len(bodies), 250):
            store_many([("whatsapp", body, number(i % NUMBERS)) for i, body in enumerate(bodies[at:at + 250], start + at)])
        cpu, wall = time.process_time(), time.perf_counter()
        drain_all()
        return time.process_time() - cpu, time.perf_counter() - wall

    new = drained(0, first)
    returning = drained(first, notifications)
    messages = Message.objects.count()
    assert messages == (first + notifications) * per, messages
    return {"new": {"messages": first * per, "cpu": new[0], "wall": new[1]},
            "returning": {"messages": notifications * per, "cpu": returning[0], "wall": returning[1]}}


def measure(checkout: Path, args, index: int) -> dict:
    """One round of `checkout`, on a database made for it."""
    return measure_on_postgres(checkout, __file__, ["--notifications", str(args.notifications), "--per", str(args.per)], f"{PG_URL}_{index}")


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("--notifications", type=int, default=1500)
    ap.add_argument("--per", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.notifications, args.per)))
        return
    print(f"{args.notifications} notifications of {args.per} messages, drained by one process on PostgreSQL")
    print(f"{'code':8} {'burst':9} {'messages':>8} {'CPU s':>6} {'wall s':>6} {'CPU ms/msg':>10} {'msg/s':>6}")

    def show(name: str, measured: dict) -> None:
        for burst, r in measured.items():
            print(f"{name:8} {burst:9} {r['messages']:8d} {r['cpu']:6.2f} {r['wall']:6.2f} "
                  f"{r['cpu'] / r['messages'] * 1000:10.3f} {r['messages'] / r['wall']:6.0f}", flush=True)

    results = alternating(dict(checkouts(args.against)), args.rounds, lambda checkout, index: measure(checkout, args, index), show)
    for burst in ("new", "returning"):
        medians = {name: (statistics.median(m[burst]["cpu"] / m[burst]["messages"] * 1000 for m in ms),
                          statistics.median(m[burst]["wall"] / m[burst]["messages"] * 1000 for m in ms))
                   for name, ms in results.items()}
        for name, (cpu, wall) in medians.items():
            print(f"median {name}, {burst}: CPU {cpu:.3f} ms/msg, wall {wall:.3f} ms/msg")
        if args.against:
            (cpu, wall), (other_cpu, other_wall) = medians["this"], medians["against"]
            print(f"{burst}: against / this: CPU {other_cpu / cpu:.2f}x, wall {other_wall / wall:.2f}x")


if __name__ == "__main__":
    main()
