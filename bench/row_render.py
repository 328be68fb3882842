"""What the list's rows cost to draw: 200 rows, as a list request and every busy live frame draw
them (inbox/row.py), and the whole list pane a seller's click asks for (its first page, as many
rows as that checkout's page holds).

    python bench/row_render.py [--rows 200] [--repeat 15] [--against DIR]

Each checkout runs in a child process of its own, on a SQLite database of its own made for the
run, with the same 200 chats: customers' messages, replies, chats with the AI, urgent ones with
tags, and some assigned. It prints the median milliseconds to draw the rows and to answer the
list pane (`/ui/list`, with how many rows it drew), and with `--against`, their ratios from the
same run.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

from checkouts import arguments, checkouts, measure_in


def child(root: str, rows_n: int, repeat: int) -> dict:
    sys.path.insert(0, root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.http import QueryDict
    from django.test import Client
    from django.utils import timezone, translation

    from mostrador.accounts.models import Role, User
    from mostrador.inbox import actions
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.listing import PAGE, list_filters, marked, row_html
    from mostrador.inbox.models import Conversation

    try:
        from mostrador.inbox.queries import read_rows
    except ImportError:  # a checkout from before rows were read by read_rows
        from mostrador.inbox.queries import as_rows

        def read_rows(qs):
            return list(as_rows(qs))

    call_command("migrate", verbosity=0)
    seller = User.objects.create_user("ana@bench.test", "bench-pass-1", name="Ana Rojas", role=Role.ADMIN)
    shop = create_inbox("Tienda", "api", {})
    assistant = create_inbox("Con IA", "api", {"ai_enabled": True, "ai_window_seconds": 3600})
    me = actions.Actor.person(seller)
    for n in range(rows_n):
        inbox = assistant if n % 5 == 0 else shop
        message, _ = actions.receive_customer_message(inbox, actions.InboundMessage(
            contact_external_id=f"c{n}", contact_name=f"Cliente {n}" if n % 7 else "", contact_phone=f"569{n:08d}",
            text=f"Hola, ¿tienen la pieza {n}? La necesito para esta semana, gracias." * (1 + n % 2)))
        conversation = message.conversation
        if n % 3 == 0:
            actions.assign(conversation, me, user=seller)
        if n % 11 == 0:
            actions.set_priority(conversation, me, 2)
            actions.set_tags(conversation, me, ["mayorista", "neumáticos", "urgente"])
    filters, selected = list_filters(QueryDict("tab=all&scope=all"), None)
    rows = marked(read_rows(Conversation.objects.all()), filters)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(seller)
    now = timezone.now()
    drawn, pane = [], []
    with translation.override("es"):
        for _ in range(repeat):
            began = time.perf_counter()
            for c in rows:
                row_html(c, selected, now)
            drawn.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            answer = client.get("/ui/list?tab=all&scope=all", HTTP_ACCEPT_LANGUAGE="es")
            pane.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 200, answer.status_code
            assert answer.content.count(b"data-sort=") == min(rows_n, PAGE), answer.content.count(b"data-sort=")
    return {"rows": statistics.median(drawn), "pane": statistics.median(pane), "pane_rows": min(rows_n, PAGE)}


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows, args.repeat)))
        return
    print(f"{args.rows} rows, median of {args.repeat}")
    print(f"{'code':8} {'rows ms':>8} {'list pane ms':>13} {'pane rows':>10}")
    results = {}
    for name, root in checkouts(args.against):
        with tempfile.TemporaryDirectory() as data:
            # A SQLite database of the run's own, whatever the environment points at.
            results[name] = measure_in(root, __file__, ["--rows", str(args.rows), "--repeat", str(args.repeat)],
                                       MOSTRADOR_DATA_DIR=data, DATABASE_URL="", REDIS_URL="")
        print(f"{name:8} {results[name]['rows']:8.1f} {results[name]['pane']:13.1f} {results[name]['pane_rows']:10}")
    if "against" in results:
        print(f"against / this: rows {results['against']['rows'] / results['this']['rows']:.2f}x, "
              f"list pane {results['against']['pane'] / results['this']['pane']:.2f}x")


if __name__ == "__main__":
    main()
