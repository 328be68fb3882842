"""Search vs. primary-key fetch, at 1M messages, on SQLite and PostgreSQL.

    python bench/search.py [--messages 1000000] [--per 10] [--only sqlite|postgres]

The messages are sentences drawn from a vocabulary with Zipf's law (as words are in real
chats): some words are in a fifth of all messages, most in a handful. Contacts have names and
phones, a third of the chats a plate. Each database runs in its own process. Within one run,
each kind of search (the whole search: conversations, contacts and messages, first 20 of
each, as an agent who sees half the inboxes and as an admin who sees all) and a primary-key
fetch of one conversation are timed interleaved, so machine noise hits both alike; the
ratios are the figures.
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
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/mostrador_bench_search")

FIRST = ["Marta", "Jorge", "Ana", "Bruno", "Javiera", "Pedro", "Camila", "Luis", "Rosa", "Tomás", "Ignacia", "Raúl", "Sofía", "Matías"]
LAST = ["Vidal", "Fuentes", "Rojas", "Soto", "Muñoz", "Pérez", "González", "Díaz", "Contreras", "Silva", "Martínez", "Núñez"]
SEED_WORDS = (
    "hola gracias necesito cotizar precio tienen stock envío pastillas freno filtro aceite aire "
    "amortiguador embrague correa distribución bujías radiador espejo foco batería neumático "
    "yaris corolla hilux rav4 sail spark morning rio accent tucson sportage outlander mañana "
    "temuco santiago concepción valparaíso antofagasta puerto montt transferencia boleta factura"
).split()


def vocabulary(rnd: random.Random, size: int) -> tuple[list[str], list[float]]:
    """Real words first (the commonest), then made-up ones; cumulative weights by Zipf's law
    (given once: `choices` would otherwise add them up again for every sentence)."""
    letters = "abcdefghijklmnoprstuvzáéíóúñ"
    words = list(SEED_WORDS)
    while len(words) < size:
        words.append("".join(rnd.choice(letters) for _ in range(rnd.randint(4, 10))))
    cumulative, total = [], 0.0
    for rank in range(size):
        total += 1 / (rank + 1)
        cumulative.append(total)
    return words, cumulative


def child(n_messages: int, per: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from mostrador.accounts.models import Role, User
    from mostrador.inbox.models import Contact, Conversation, Inbox, Message
    from mostrador.rules.search_words import words as words_of
    from mostrador.search import documents, finder

    call_command("migrate", verbosity=0)
    rnd = random.Random(11)
    words, weights = vocabulary(rnd, 20_000)
    now = timezone.now()
    t0 = time.perf_counter()
    inboxes = [Inbox.objects.create(name=f"Bandeja {i}", channel="api", settings={}) for i in range(4)]
    agent = User.objects.create_user("bench@example.test", "x", name="Bench", role=Role.AGENT)
    admin = User.objects.create_user("admin@example.test", "x", name="Admin", role=Role.ADMIN)
    for box in inboxes[:2]:
        box.members.add(agent)

    postgres = connection.vendor == "postgresql"
    if postgres:
        # As a migration on a live database would: the rows first, the indexes built after.
        with connection.cursor() as cur:
            for statement in documents.POSTGRES_DOWN:
                cur.execute(statement)
    n_conv = n_messages // per
    batch = 5000
    message_sql = (
        "INSERT INTO inbox_message (conversation_id, inbox_id, direction, author_kind, bot_name, type, text, status, "
        "error_code, error_message, reply_to_external_id, created_at) VALUES (%s, %s, %s, %s, '', 'text', %s, %s, '', '', '', %s)"
    )
    for start in range(0, n_conv, batch):
        with transaction.atomic():
            contacts = Contact.objects.bulk_create([
                Contact(name=f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", phone=f"+569{rnd.randrange(10**8):08d}")
                for _ in range(start, min(start + batch, n_conv))
            ])
            convs = []
            for c in contacts:
                at = now - timedelta(seconds=rnd.randint(1, 86400 * 90))
                fields = {"patente": f"{''.join(rnd.choice('BCDFGHJKLPRSTVWXYZ') for _ in range(4))}{rnd.randrange(100):02d}"} if rnd.random() < 0.33 else {}
                convs.append(Conversation(inbox=inboxes[rnd.randrange(4)], contact=c, fields=fields, last_activity_at=at, created_at=at, updated_at=at))
            convs = Conversation.objects.bulk_create(convs)
            rows = []
            for conv in convs:
                for i in range(per):
                    text = " ".join(rnd.choices(words, cum_weights=weights, k=rnd.randint(4, 14)))
                    inbound = i % 2 == 0
                    rows.append((conv.pk, conv.inbox_id, "in" if inbound else "out", "customer" if inbound else "agent", text,
                                 "received" if inbound else "sent", conv.created_at + timedelta(seconds=i)))
            with connection.cursor() as cur:
                cur.executemany(message_sql, rows)
    load_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        if postgres:
            for statement in documents.POSTGRES_UP:
                cur.execute(statement)
            cur.execute("VACUUM ANALYZE")
        else:
            cur.execute("ANALYZE")
        cur.execute("SELECT count(*) FROM inbox_message")
        counted = cur.fetchone()[0]
    index_seconds = time.perf_counter() - t1

    # The queries: a word in about a fifth of the messages, one in a few hundred, one in a
    # handful; two words; a name; a phone as typed at a counter; a plate.
    some = Contact.objects.order_by("pk")[n_conv // 2]
    plate = Conversation.objects.exclude(fields={}).order_by("pk").values_list("fields", flat=True)[n_conv // 10]["patente"]
    national = some.phone.removeprefix("+56")
    queries = {
        "common word": words[0],
        "middling word": words[300],
        "rare word": words[15_000],
        "two words": f"{words[5]} {words[40]}",
        "a word's start": words[300][:4],
        "contact name": some.name,
        "phone as typed": f"{national[0]} {national[1:5]} {national[5:]}",
        "plate": plate,
    }
    pks = list(Conversation.objects.values_list("pk", flat=True)[:: max(n_conv // 1000, 1)])

    def by_pk():
        Conversation.objects.select_related("inbox", "contact", "last_message", "assignee").prefetch_related("tags").get(pk=rnd.choice(pks))

    # How many messages each query's words are in (what the index has to sift).
    matching = {label: Message.objects.filter(finder.Asked(words_of(q), None).messages()).count() for label, q in queries.items()}
    results = {}
    for label, query in queries.items():
        for who in (agent, admin):
            def search(query=query, who=who):
                return finder.find(who, query, limit=20)

            found = search()
            for _ in range(3):
                search(), by_pk()
            a, b = [], []
            for _ in range(25):
                start = time.perf_counter()
                search()
                a.append(time.perf_counter() - start)
                start = time.perf_counter()
                by_pk()
                b.append(time.perf_counter() - start)
            results[f"{label} ({'agent' if who == agent else 'admin'})"] = {
                "query": query,
                "found": [len(found.conversations), len(found.contacts), len(found.messages)],
                "matching": matching[label],
                "ms": statistics.median(a) * 1000,
                "pk_ms": statistics.median(b) * 1000,
            }
    return {
        "vendor": connection.vendor, "messages": counted, "conversations": n_conv,
        "load_seconds": round(load_seconds, 1), "index_seconds": round(index_seconds, 1), "results": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--per", type=int, default=10, help="messages per conversation")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.messages, args.per)))
        return 0
    command = [sys.executable, __file__, "--child", "--messages", str(args.messages), "--per", str(args.per)]
    for _, env in child_environments(args.only, PG_URL):
        r = run_child(command, env)
        print(f"\n== {r['vendor']}: {r['messages']:,} messages in {r['conversations']:,} conversations "
              f"(loaded in {r['load_seconds']} s, indexed in {r['index_seconds']} s)")
        print(f"{'search':<28} {'messages with its words':>24} {'found (conv/contacts/msgs)':>27} {'median':>10} {'pk fetch':>9} {'ratio':>7}")
        for label, row in r["results"].items():
            found = "/".join(str(n) for n in row["found"])
            print(f"{label:<28} {row['matching']:>24,} {found:>27} {row['ms']:>8.2f}ms {row['pk_ms']:>7.2f}ms {row['ms'] / row['pk_ms']:>6.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
