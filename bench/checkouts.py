"""This checkout against another, in one run: each benchmark's measuring part runs in a child
process of each checkout's own virtualenv, in turn, and hands back what it measured as JSON."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from databases import own_database

ROOT = Path(__file__).resolve().parent.parent

V = TypeVar("V")


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line with `--against DIR` (and `--child`, how it calls itself)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", help="another checkout (with its .venv), measured in the same run")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    return ap


def checkouts(against: str | None) -> list[tuple[str, Path]]:
    """This checkout, and the one `--against` names (with its .venv), by the names printed."""
    return [("this", ROOT)] + ([("against", Path(against).resolve())] if against else [])


def measure_in(root: Path, script: str, args: list[str], **env: str) -> dict:
    """Run `script --child ROOT ARGS` with ROOT's Python, and read the JSON its last line prints."""
    out = subprocess.run(
        [str(root / ".venv" / "bin" / "python"), script, "--child", str(root), *args],
        check=True, capture_output=True, text=True, cwd=root, env={**os.environ, "MOSTRADOR_LOG_LEVEL": "ERROR", **env},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_on_postgres(root: Path, script: str, args: list[str], url: str) -> dict:
    """`measure_in` on a PostgreSQL database made for this run and dropped after it, without
    Redis (nothing listens)."""
    with own_database(url):
        return measure_in(root, script, args, DATABASE_URL=url, MOSTRADOR_DATA_DIR=str(root / "var"), REDIS_URL="")


def alternating(versions: dict[str, V], rounds: int, measure: Callable[[V, int], dict],
                show: Callable[[str, dict], None]) -> dict[str, list[dict]]:
    """Each version measured `rounds` times, the order alternating round by round, so a noisy
    machine's drift falls on both alike; each run shown as it comes (`show(name, measured)`),
    and every version's runs returned. `measure` is given the checkout and how many of its runs
    came before (a version is whatever `measure` takes: a checkout, or a checkout and settings)."""
    results: dict[str, list[dict]] = {name: [] for name in versions}
    for round_ in range(rounds):
        for name in list(versions) if round_ % 2 == 0 else list(reversed(versions)):
            measured = measure(versions[name], len(results[name]))
            results[name].append(measured)
            show(name, measured)
    return results
