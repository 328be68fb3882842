"""Redis restarting under a real `serve` with open browser sockets: each socket gets a close frame
saying "try again later" (1013), not a dropped connection, and a socket opened once Redis is back
works at once. Uses a private Redis server of its own, never the shared one."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from .test_database_restart import ended, free_port, mostrador, until_health

# Its Redis and database are its own: it runs once, in CI's PostgreSQL + Redis phase.
pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL + Redis phase of CI"),
]

EMAIL, PASSWORD = "vendedora@example.test", "Repuestos-del-Sur-77"


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
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
        self.process.terminate()
        self.process.wait(timeout=10)


def signed_in(base: str) -> str:
    with httpx.Client(base_url=base) as web:
        page = web.get("/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        answer = web.post("/login/", data={"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token})
        assert answer.status_code == 302, answer.text[:300]
        return "; ".join(f"{k}={v}" for k, v in web.cookies.items())


def socket(base: str, cookie: str):
    return connect(
        base.replace("http", "ws") + "/ws/events",
        additional_headers={"Cookie": cookie, "Origin": base},
        open_timeout=10,
    )


def pong(ws) -> None:
    ws.send('{"type": "ping"}')
    deadline = time.monotonic() + 10
    while '"pong"' not in ws.recv(timeout=10):
        assert time.monotonic() < deadline


def test_sockets_are_told_to_come_back_and_come_back(tmp_path_factory):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is needed for this fault test")
    data = Path(tempfile.mkdtemp(prefix="mostrador-redis-"))
    db = f"sqlite:///{data}/db.sqlite3"
    redis = PrivateRedis()
    env = {"REDIS_URL": f"redis://127.0.0.1:{redis.port}/0", "MOSTRADOR_REDIS_PREFIX": "faults"}
    assert mostrador(db, "migrate", "-v0").wait(timeout=300) == 0
    assert mostrador(db, "user", "create", "--email", EMAIL, "--name", "Vendedora", "--role", "agent",
                     "--password", PASSWORD, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    port = free_port()
    web = mostrador(db, "serve", "--port", str(port), extra_env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        until_health(base, 200, 120, "serve never became healthy")
        cookie = signed_in(base)
        open_sockets = [socket(base, cookie) for _ in range(3)]
        for ws in open_sockets:
            pong(ws)

        redis.stop()
        for ws in open_sockets:
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.recv(timeout=15)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013, closed.value

        redis.start()
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket(base, cookie) as again:
                    pong(again)
                break
            except (ConnectionClosed, OSError, TimeoutError):
                assert time.monotonic() < deadline, "sockets did not work again once Redis was back"
                time.sleep(0.5)
        assert web.poll() is None
    finally:
        ended(web)
        redis.stop() if redis.process.poll() is None else None
        shutil.rmtree(data, ignore_errors=True)
