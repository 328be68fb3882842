"""A real worker process, stopped for good (SIGKILL) at a chosen moment inside its work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{s.get('USER') or 'postgres'}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


def kill_when_marked(script: str, marker: Path, what: str, deadline_seconds: float = 60) -> None:
    """Run `script` (Python that writes `marker` once it is where it should die, then waits) on
    this test's database, and SIGKILL it there."""
    env = {**os.environ, "DATABASE_URL": database_url(), "MOSTRADOR_OUTBOUND_ALLOW": "127.0.0.0/8 ::1 localhost"}
    worker = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + deadline_seconds
        while not marker.exists():
            assert worker.poll() is None, f"the worker ended before it reached {what}"
            assert time.monotonic() < deadline, f"the worker never reached {what}"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
