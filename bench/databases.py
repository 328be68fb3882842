"""The benchmarks' own PostgreSQL databases: created under the name their URL gives, refused if a
database of that name already exists, and dropped only by whoever created them."""

from __future__ import annotations


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
