"""What one frame costs the hub's loop for a thousand open tabs, apart from the database: deciding
which events each socket hears of, which list rows each asks for, and encoding the frames.

    python bench/fan_out.py [--sockets 1000] [--people 200] [--events 4000] [--against DIR]

The team is the team bench's (bench/team.py): four numbers, the first an "own chats" inbox,
sellers in one number each, supervisors and an admin who see every one, five tabs a person. A
busy second's batch (a message and a chat change per customer message) is handed to the hub,
whose sockets write nowhere; the rows a frame carries are stand-ins made without a database.
Each checkout runs in a child process of its own, in turn, and the run prints each one's median
milliseconds per frame and their ratio.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import sys
import time

from checkouts import arguments, checkouts, measure_in

NUMBERS = 4


def child(root: str, sockets: int, people: int, events_n: int, repeat: int) -> dict:
    sys.path.insert(0, root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    import django

    django.setup()
    from mostrador.realtime import events, hub

    class StandInRows(hub.ListRows):
        def share_key(self, user_id, view, watching):
            return (view, watching, user_id if view.own_only else None)

        def render(self, jobs, kept=None):
            # As the inbox's item: every chat asked about is named (the page drops those it does
            # not list); the rows themselves are left out.
            return [{"type": hub.LIST_ROWS, "list": watching, "asked": list(ids), "html": "", "pending": 0}
                    for _, watching, ids in jobs]

    hub.rows = StandInRows()
    rng = random.Random(7)
    agents_of: dict[int, list[int]] = {k: [] for k in range(NUMBERS)}
    views = []
    for p in range(people):
        if p == 0 or p % 20 == 1:
            views.append(hub.View(everything=True))
        else:
            k = p % NUMBERS
            agents_of[k].append(p)
            views.append(hub.View(own_only=frozenset({k})) if k == 0 else hub.View(inbox_ids=frozenset({k})))
    batch, assignees = [], {}
    for n in range(events_n // 2):
        conversation, inbox = rng.randrange(3000), rng.randrange(NUMBERS)
        conversation = conversation * NUMBERS + inbox
        if inbox == 0:
            assignees[conversation] = rng.choice([None, *agents_of[0]])
        batch.append(events.make(events.MESSAGE_CREATED, conversation_id=conversation, inbox_id=inbox, message_id=n, author_kind="contact"))
        batch.append(events.make(events.CONVERSATION_CHANGED, conversation_id=conversation, inbox_id=inbox, state="pending", reason="message"))
    sent = [0]

    async def nowhere(text) -> None:
        sent[0] += len(text)

    async def measure() -> list[float]:
        here = hub.Hub(asyncio.get_running_loop())
        for s in range(sockets):
            person = s % people
            receiver = hub.Receiver(user_id=person, view=views[person], send=nowhere, watching="tab=pending&scope=all")
            receiver.sending = False
            here.add(receiver)
        took = []
        for _ in range(repeat):
            began = time.perf_counter()
            plan = here._plan(batch, assignees)
            await here._send(batch, plan, await here._rows(batch, plan))
            while hub._in_flight:
                await asyncio.gather(*list(hub._in_flight))
            took.append((time.perf_counter() - began) * 1000)
        return took

    took = asyncio.run(measure())
    return {"ms": statistics.median(took), "mb": sent[0] / repeat / 1e6}


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("--sockets", type=int, default=1000)
    ap.add_argument("--people", type=int, default=200)
    ap.add_argument("--events", type=int, default=4000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sockets, args.people, args.events, args.repeat)))
        return
    print(f"{args.sockets} sockets of {args.people} people, a frame of {args.events} events, median of {args.repeat}")
    print(f"{'code':8} {'ms/frame':>9} {'MB sent':>8}")
    results = {}
    for name, root in checkouts(args.against):
        results[name] = measure_in(root, __file__, ["--sockets", str(args.sockets), "--people", str(args.people),
                                                    "--events", str(args.events), "--repeat", str(args.repeat)])
        print(f"{name:8} {results[name]['ms']:9.1f} {results[name]['mb']:8.1f}")
    if "against" in results:
        print(f"against / this: {results['against']['ms'] / results['this']['ms']:.2f}x")


if __name__ == "__main__":
    main()
