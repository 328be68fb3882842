"""Redis restarting under a real `serve` with open browser sockets: no socket is closed; each is told
its stream paused, then to catch up once Redis is back, and then hears news again. Uses a private
Redis server of its own, never the shared one."""

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
from websockets.sync.client import connect

from tests.ports import free_port
from tests.private_redis import PrivateRedis

from .test_database_restart import ended, mostrador, until_health

# Its Redis and database are its own: it runs once, in CI's PostgreSQL + Redis phase.
pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL + Redis phase of CI"),
]

EMAIL, PASSWORD = "vendedora@example.test", "Repuestos-del-Sur-77"


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
    until(ws, "pong")


def until(ws, wanted: str) -> None:
    deadline = time.monotonic() + 20
    while f'"{wanted}"' not in ws.recv(timeout=20):
        assert time.monotonic() < deadline, f"no {wanted} within 20 s"


def test_open_sockets_outlive_a_redis_restart(tmp_path_factory):
    data = Path(tempfile.mkdtemp(prefix="mostrador-redis-"))
    db = f"sqlite:///{data}/db.sqlite3"
    redis = PrivateRedis()
    env = {"REDIS_URL": redis.url, "MOSTRADOR_REDIS_PREFIX": "faults"}
    assert mostrador(db, "migrate", "-v0").wait(timeout=300) == 0
    assert mostrador(db, "user", "create", "--email", EMAIL, "--name", "Vendedora", "--role", "agent",
                     "--password", PASSWORD, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    port = free_port()
    web = mostrador(db, "serve", "--port", str(port), extra_env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        until_health(base, 200, 120, "serve never became healthy")
        cookie = signed_in(base)
        open_sockets = []
        for _ in range(3):
            open_sockets.append(socket(base, cookie))
            pong(open_sockets[-1])
            if len(open_sockets) == 1:
                connections = redis.clients()
        # One subscription for the process: more sockets hold no more in Redis.
        assert redis.clients() == connections

        redis.stop()
        for ws in open_sockets:
            until(ws, "live.paused")
        redis.start()
        for ws in open_sockets:
            until(ws, "live.resumed")
        # Still open and still served.
        for ws in open_sockets:
            pong(ws)
        with socket(base, cookie) as another:
            pong(another)
        assert web.poll() is None
    finally:
        ended(web)
        redis.stop()
        shutil.rmtree(data, ignore_errors=True)
