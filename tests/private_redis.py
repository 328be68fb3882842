"""A Redis server of a test's own, to stop and start at will (never the shared one, which other
tests and processes use)."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from tests.ports import free_port


class PrivateRedis:
    def __init__(self):
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is needed for this test")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip() != b"PONG":
            assert time.monotonic() < deadline, "the private Redis did not start"
            time.sleep(0.1)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def clients(self) -> int:
        """How many connections the server holds now."""
        info = subprocess.run(["redis-cli", "-p", str(self.port), "info", "clients"], capture_output=True, text=True).stdout
        return int(next(line for line in info.splitlines() if line.startswith("connected_clients:")).split(":")[1])
