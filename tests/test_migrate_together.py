"""Processes starting together on a database not yet migrated, as a deployment's do on their first
start: several `serve` migrating one PostgreSQL database at once all start, and a worker waits
for the migrations instead of running against missing tables."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.workers import ROOT, database_url

on_postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a deployment of several serve runs on PostgreSQL")

MOSTRADOR = str(Path(sys.executable).with_name("mostrador"))


@pytest.fixture
def empty_database(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_together"
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url().rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgres_only
def test_three_processes_migrating_one_empty_database_at_once_all_succeed(empty_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": empty_database, "MOSTRADOR_DATA_DIR": str(tmp_path),
           "MOSTRADOR_SECRET_KEY": "migrate-together-" + "k" * 40}
    runs = [subprocess.Popen([MOSTRADOR, "migrate", "--no-input"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output
    # One of them applied everything; the others found nothing left to do.
    assert sum("No migrations to apply." in output for output in outputs) == 2
    with psycopg.connect(empty_database) as db:
        applied = db.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
        people = db.execute("SELECT count(*) FROM accounts_user").fetchone()[0]
    assert applied > 50 and people == 0


def test_a_worker_started_on_a_database_not_yet_migrated_waits_for_it_then_works(empty_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": empty_database, "MOSTRADOR_DATA_DIR": str(tmp_path),
           "MOSTRADOR_SECRET_KEY": "migrate-together-" + "k" * 40, "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen([MOSTRADOR, "worker"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _until(lambda: "Waiting for the database to be migrated" in log.read_text(), "the worker said it waits")
        assert worker.poll() is None, log.read_text()
        migrated = subprocess.run([MOSTRADOR, "migrate", "--no-input"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        _until(lambda: "Mostrador worker running" in log.read_text(), "the worker started its lanes")
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    # It never ran a lane against missing tables.
    assert "Traceback" not in log.read_text() and "failed" not in log.read_text()


def _until(check, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)
