"""`migrate`, one process at a time.

Every `serve` migrates as it starts, and a deployment at scale starts several at once (the tabs'
`serve` processes, the webhooks' own). Two of them migrating one PostgreSQL database together
fail on each other's work ("relation ... already exists"), on the first start and after any
upgrade that brings migrations. Here they take turns under an advisory lock, and whoever comes
second finds nothing left to apply. The lock is held by a connection of its own, not one of
Django's pooled ones, so it goes with that connection (or with the process, should it die) and
can never be left behind on a connection someone else borrows.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

# The advisory lock's key: any constant unlikely to clash with other users of the database.
MIGRATIONS_LOCK = 0x1A7A4E0001


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        with _one_at_a_time(connections[options["database"]]):
            return super().handle(*args, **options)


@contextmanager
def _one_at_a_time(connection):
    if connection.vendor != "postgresql":
        # SQLite is one file that a single `serve` migrates: a deployment of several runs on
        # PostgreSQL.
        yield
        return
    import psycopg

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [MIGRATIONS_LOCK])
        yield
