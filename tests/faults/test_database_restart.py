"""The background runners against a PostgreSQL server that restarts under them: a private
server this test makes, starts and restarts itself (never the shared one). After every restart
the same worker process keeps taking jobs, and a job that was running when the server went away
is done afterwards, not lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.ports import free_port
from tests.workers import ROOT

# The server these tests use is their own, whatever the suite's database is: they run once, in
# CI's PostgreSQL phase, not again on the SQLite one.
pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="runs in the PostgreSQL phase of CI"),
]

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


class PrivateServer:
    def __init__(self, root: Path):
        self.data, self.port = root / "pg", free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/mostrador"
        as_postgres = os.geteuid() == 0
        self.user = ["runuser", "-u", "postgres", "--"] if as_postgres else []
        root.chmod(0o777)
        self._run(BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run(BIN / "psql", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "-c", "CREATE DATABASE mostrador")

    def _run(self, *args):
        subprocess.run([*self.user, *map(str, args)], check=True, capture_output=True, timeout=60)

    def pg_ctl(self, *args):
        self._run(BIN / "pg_ctl", "-D", self.data, "-w", "-t", "30", *args)

    def start(self):
        self.pg_ctl("-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k /tmp", "-l", self.data / "log", "start")

    def restart(self):
        self.pg_ctl("-m", "fast", "stop")
        self.start()

    def stop(self):
        self.pg_ctl("-m", "immediate", "stop")


@pytest.fixture
def server():
    if BIN is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.fail("PostgreSQL's server binaries are needed for the fault tests")
    # Not under pytest's own temporary folder: the server runs as `postgres`, which must reach it.
    root = Path(tempfile.mkdtemp(prefix="mostrador-faults-"))
    pg = PrivateServer(root)
    yield pg
    pg.stop()
    shutil.rmtree(root, ignore_errors=True)


def mostrador(url: str, *args, extra_env: dict | None = None, **kwargs) -> subprocess.Popen:
    """A `mostrador` command on the database at `url` (and no Redis, unless `extra_env` says)."""
    env = {**os.environ, "DATABASE_URL": url, "MOSTRADOR_JOB_POLL_SECONDS": "0.1", "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)
    env.update(extra_env or {})
    return subprocess.Popen([sys.executable, "-m", "mostrador.cli", *args], env=env, **kwargs)


def health(base: str) -> int:
    """`/healthz`'s status code; 0 while nothing answers."""
    try:
        return httpx.get(base + "/healthz", timeout=10).status_code
    except httpx.HTTPError:
        return 0


def until_health(base: str, code: int, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while health(base) != code:
        assert time.monotonic() < deadline, what
        time.sleep(0.3)


def ended(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def python(url: str, code: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "mostrador.settings"}
    env.pop("REDIS_URL", None)
    prelude = "import django; django.setup()\n"
    done = subprocess.run([sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


ENQUEUE = "from mostrador.inbox.jobs import sync_all_templates; print(sync_all_templates.enqueue().id)"
STATUS = "from django_tasks_db.models import DBTaskResult as R; print(R.objects.get(pk={id!r}).status)"


def until_done(url: str, job_id: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (status := python(url, STATUS.format(id=job_id))) != "SUCCESSFUL":
        assert time.monotonic() < deadline, f"the job is still {status} {seconds} s on"
        time.sleep(0.3)


def test_the_worker_keeps_working_across_database_restarts(server):
    assert mostrador(server.url, "migrate", "-v0").wait(timeout=300) == 0
    worker = mostrador(server.url, "worker", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until_done(server.url, python(server.url, ENQUEUE), 30)
        for _ in range(4):
            server.restart()
            job = python(server.url, ENQUEUE)
            until_done(server.url, job, 30)
            assert worker.poll() is None, "the worker died with the database"
        health = python(server.url, "from mostrador.jobs.models import WorkerBeat as B; print(B.objects.count())")
        assert int(health) >= 4  # every lane still beats
    finally:
        ended(worker)


def test_a_job_caught_by_an_outage_is_done_after_it(server):
    assert mostrador(server.url, "migrate", "-v0").wait(timeout=300) == 0
    worker = mostrador(server.url, "worker", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until_done(server.url, python(server.url, ENQUEUE), 30)
        server.stop()
        time.sleep(1.5)  # the lanes fail their rounds meanwhile
        server.start()
        job = python(server.url, ENQUEUE)
        until_done(server.url, job, 20)
        assert worker.poll() is None
    finally:
        ended(worker)


def test_an_outage_is_a_quick_503_and_recovers(server):
    port = free_port()
    web = mostrador(server.url, "serve", "--port", str(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        until_health(base, 200, 120, "serve never became healthy")
        server.stop()
        started = time.monotonic()
        assert health(base) == 503
        assert time.monotonic() - started < 2.5, "the outage took too long to say so"
        server.start()
        until_health(base, 200, 30, "serve did not recover when the database came back")
        assert web.poll() is None
    finally:
        ended(web)
