"""The benchmarks' databases: each bench runs once per database in a child process of its own, on
a fresh SQLite file or on a PostgreSQL database it creates under the name its URL gives. It
refuses a database of that name that already exists, and drops only what it created."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager


def create_database(url: str) -> bool:
    """Create the database the URL names; refuse (and so drop nothing later) if it already exists."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise SystemExit(f"database {name} already exists; the bench uses a database it creates itself")
        c.execute(f'CREATE DATABASE "{name}"')
    return True


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def own_database(url: str) -> Iterator[str]:
    """A PostgreSQL database made for this run, dropped when it ends (however it ends)."""
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


def child_environments(only: str | None, pg_url: str) -> Iterator[tuple[str, dict]]:
    """("sqlite" or "postgres", the environment a child process runs on it with), for each
    database asked for (`only`: one of them)."""
    if only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "MOSTRADOR_DATA_DIR": tmp}
            env.pop("DATABASE_URL", None)
            yield "sqlite", env
    if only in (None, "postgres"):
        with own_database(pg_url):
            yield "postgres", {**os.environ, "DATABASE_URL": pg_url}


def run_child(command: list[str], env: dict) -> dict:
    """Run a bench's child process and read the JSON its last line prints; its errors, if it fails."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[1:3])} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])
