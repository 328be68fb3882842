"""How long a full garbage collection stops a server that has been serving a team, with and
without what `serve` does at startup (`core/collector.py`: it moves what it loaded out of the
collector's view).

    python bench/gc_pause.py [--repeat 7]

A full collection holds the interpreter: while it runs, no socket is written and no webhook is
answered. Two child processes, one each way, start as `serve` does on a fresh SQLite file with the
demo loaded, then sign in as each demo person and load the pages a team uses, twice (templates
compile and caches fill on first use, as in a server that has run a while). Each then times full
collections (median of `--repeat`) and counts the objects the collector walks. The run prints
both and their ratio.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAGES = ["/", "/ui/list?tab=pending&scope=all", "/ui/list?tab=all&scope=all", "/ui/counters", "/reports/", "/quotes/"]


def full_collection_ms(repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def child(freeze: bool, repeat: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from mostrador.accounts.models import User
    from mostrador.asgi import application  # noqa: F401 - serve loads it before serving
    from mostrador.core.collector import keep_out_of_collections
    from mostrador.inbox.models import Conversation

    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", verbosity=0, stdout=io.StringIO())
    if freeze:
        keep_out_of_collections()
    logging.disable(logging.CRITICAL)  # an agent refused a supervisor's page is expected
    chats = list(Conversation.objects.values_list("pk", flat=True)[:5])
    loaded = 0
    for _ in range(2):
        for person in User.objects.all():
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(person)
            for path in [*PAGES, *(f"/c/{pk}" for pk in chats)]:
                loaded += client.get(path, HTTP_HX_REQUEST="true" if path.startswith("/ui/") else "").status_code == 200
    return {"walked": len(gc.get_objects()), "ms": full_collection_ms(repeat), "loaded": loaded}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--child", choices=["plain", "frozen"])
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child == "frozen", args.repeat)))
        return
    found = {}
    for way in ("plain", "frozen"):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "MOSTRADOR_DATA_DIR": tmp, "MOSTRADOR_SANDBOX": "1"}  # the demo's offline sandboxes
            env.pop("DATABASE_URL", None)
            done = subprocess.run([sys.executable, __file__, "--child", way, "--repeat", str(args.repeat)],
                                  env=env, capture_output=True, text=True, check=False)
            if done.returncode:
                raise SystemExit(done.stderr)
            found[way] = json.loads(done.stdout.strip().splitlines()[-1])
    plain, frozen = found["plain"], found["frozen"]
    print(f"pages loaded: {plain['loaded']} / {frozen['loaded']}")
    print(f"{'':24} {'objects walked':>14} {'full collection ms':>18}")
    print(f"{'as loaded':24} {plain['walked']:>14,} {plain['ms']:>18.2f}")
    print(f"{'startup heap frozen':24} {frozen['walked']:>14,} {frozen['ms']:>18.2f}")
    print(f"ratio (as loaded / frozen): {plain['ms'] / frozen['ms']:.1f}x")


if __name__ == "__main__":
    main()
