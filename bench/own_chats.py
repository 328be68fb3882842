"""What the live frames ask of an "own chats and unassigned" inbox, on PostgreSQL: where each
seller's first page ends and each seller's capped history counts (a busy frame), and each
seller's first page (tabs catching up after a restart).

    python bench/own_chats.py [--sellers 45] [--chats 2000] [--repeat 15] [--rounds 3] [--against DIR]

Each round, in a fresh process on a database made for it, fills an inbox whose sellers see only
their own chats and the unassigned ones (`--chats` pending, as many awaiting the customer, as
many resolved), beside three inboxes seen whole with as many again, then times, for `--sellers`
sellers of that inbox, `first_pages_end` and `first_pages_ids` of their Pendientes and
`capped_counts` of their history tabs (the median of `--repeat` calls), with none of the inbox's chats assigned, and again with
70% of them spread among the sellers. It prints milliseconds per call and a digest of the answers:
two versions that agree print the same digest. With `--against`, another checkout (with its .venv)
is measured in the same run, the order alternating round by round, and the medians are printed
with their ratio.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

from checkouts import alternating, arguments, checkouts, measure_on_postgres

PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_own_chats")
PAGE = 200


def child(checkout: Path, sellers: int, chats: int, repeat: int) -> dict:
    sys.path.insert(0, str(checkout))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from mostrador.accounts.models import Role, User
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Contact, Conversation
    from mostrador.inbox.policy import remember_scopes
    from mostrador.inbox.queries import ListFilters, capped_counts, first_pages_end, first_pages_ids

    # A fixed moment, so that two versions given the same data can be seen to give the same answers.
    now = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    own = create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})
    others = [create_inbox(f"Entera {k}", "api", {}) for k in range(3)]
    people = [User.objects.create_user(f"s{n}@bench.test", "x", name=f"S{n}", role=Role.AGENT) for n in range(sellers)]
    own.members.add(*people)
    made = 0
    for inbox in [own, *others]:
        contacts = Contact.objects.bulk_create([Contact(name=f"c{made + i}") for i in range(3 * chats)])
        Conversation.objects.bulk_create([
            Conversation(
                inbox=inbox, contact=contact, priority=int(i % 17 == 0),
                # A third waiting (Pendientes), a third answered (awaiting the customer), a third resolved.
                waiting_since=now - timedelta(seconds=i, microseconds=i * 7) if i % 3 == 0 else None,
                resolved=i % 3 == 2, last_activity_at=now - timedelta(minutes=i, microseconds=i * 11),
            )
            for i, contact in enumerate(contacts)
        ], batch_size=2000)
        made += 3 * chats
    remember_scopes(people)
    history = ["awaiting_customer", "resolved", "all"]

    def timed(call) -> tuple[float, object]:
        took = []
        for _ in range(repeat):
            began = time.perf_counter()
            found = call()
            took.append(time.perf_counter() - began)
        return statistics.median(took) * 1000, found

    measured = {}
    ids = list(Conversation.objects.filter(inbox=own).order_by("pk").values_list("pk", flat=True))
    for assigned in (0.0, 0.7):
        # Seven in ten of the inbox's chats spread among the sellers (the rest unassigned).
        for n, person in enumerate(people):
            held = [pk for k, pk in enumerate(ids) if k % 10 < assigned * 10 and k % sellers == n]
            Conversation.objects.filter(pk__in=held).update(assignee=person)
        ends_ms, ends = timed(lambda: first_pages_end([(p, ListFilters()) for p in people], PAGE, now))
        counts_ms, counts = timed(lambda: capped_counts([(p, ListFilters(state="all")) for p in people], history, now))
        pages_ms, pages = timed(lambda: first_pages_ids([(p, ListFilters()) for p in people], PAGE, now))
        answers = json.dumps([[end and end.key for end in ends], counts, pages], sort_keys=True)
        measured[f"{int(assigned * 100)}% assigned"] = {
            "ends_ms": ends_ms, "counts_ms": counts_ms, "pages_ms": pages_ms,
            "digest": hashlib.sha256(answers.encode()).hexdigest()[:12],
        }
    return measured


def measure(checkout: Path, args, index: int) -> dict:
    return measure_on_postgres(checkout, __file__, ["--sellers", str(args.sellers), "--chats", str(args.chats), "--repeat", str(args.repeat)],
                               f"{PG_URL}_{index}")


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("--sellers", type=int, default=45)
    ap.add_argument("--chats", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.sellers, args.chats, args.repeat)))
        return
    print(f"{args.sellers} sellers of an own-chats inbox with {args.chats} pending chats, on PostgreSQL")
    print(f"{'code':8} {'case':14} {'page ends ms':>12} {'counts ms':>9} {'first pages ms':>14}  digest")

    def show(name: str, measured: dict) -> None:
        for case, r in measured.items():
            print(f"{name:8} {case:14} {r['ends_ms']:12.2f} {r['counts_ms']:9.2f} {r['pages_ms']:14.2f}  {r['digest']}", flush=True)

    results = alternating(dict(checkouts(args.against)), args.rounds, lambda checkout, index: measure(checkout, args, index), show)
    for case in results["this"][0]:
        medians = {name: {what: statistics.median(m[case][what] for m in ms) for what in ("ends_ms", "counts_ms", "pages_ms")}
                   for name, ms in results.items()}
        line = ", ".join(f"{name}: page ends {m['ends_ms']:.2f} ms, counts {m['counts_ms']:.2f} ms, first pages {m['pages_ms']:.2f} ms"
                         for name, m in medians.items())
        print(f"median, {case}: {line}")
        if args.against:
            this, other = medians["this"], medians["against"]
            print(f"{case}: against / this: page ends {other['ends_ms'] / this['ends_ms']:.2f}x, "
                  f"counts {other['counts_ms'] / this['counts_ms']:.2f}x, first pages {other['pages_ms'] / this['pages_ms']:.2f}x")


if __name__ == "__main__":
    main()
