"""Saving many rows at once, on the hot paths (a burst of webhook notifications).

Django's `bulk_update` builds one CASE expression per field and row, and `bulk_create` prepares
every field of every row through the field's generic path; both cost more Python time than the
rows are worth. `update_rows` sends one UPDATE joined to a JSON document of the new values on
PostgreSQL, and the plain per-row UPDATE with `executemany` on SQLite (which runs it in-process)
or for a field a JSON document cannot carry;
`insert_rows` sends one INSERT of a JSON document of the rows on PostgreSQL, and one multi-row
INSERT with a placeholder per value on SQLite or for a field a JSON document cannot carry.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from datetime import timezone as dt_timezone
from enum import Enum

from django.db import connections, models, router

# Fields whose Python value is already what the database driver takes.
_PLAIN = (models.CharField, models.TextField, models.IntegerField, models.FloatField, models.BooleanField)


def _where(objs: list):
    """The model's options, the database alias and connection that objects of one model go to."""
    model = type(objs[0])
    using = router.db_for_write(model)
    return model._meta, using, connections[using]


def update_rows(objs: list, fields: list[str]) -> None:
    """UPDATE `fields` of each object, by primary key. The objects must share one model; an
    object listed twice is written as its last appearance has it."""
    if not objs:
        return
    meta, using, connection = _where(objs)
    objs = list({obj.pk: obj for obj in objs}.values())
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql" and all(_in_json(field) for field in columns):
        _update_from_json(connection, meta, columns, objs)
        return
    values = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] for obj in objs]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(meta.pk.column),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [row + [obj.pk] for row, obj in zip(values, objs, strict=True)])


def _in_json(field) -> bool:
    """Whether a JSON document carries the field's values as they are: plain values, times as
    ISO 8601 text (PostgreSQL reads them back to the microsecond), floats as Python writes them
    (read back exactly), and JSON documents as themselves."""
    if isinstance(field, models.JSONField):
        return field.encoder is None
    return isinstance(field.target_field if field.is_relation else field, (*_PLAIN, models.DateTimeField))


def _update_from_json(connection, meta, columns: list, objs: list) -> None:
    """One UPDATE joined to the new values, sent as one JSON document (`jsonb_to_recordset`):
    planned once, however many rows, where a pipelined UPDATE per row is parsed and run row by
    row (about a third of the time for 400 conversations). The values went as one array per
    column before, and psycopg's client-side binding wrote each element in Python; the json
    module writes the whole document in C: for 200 rows of 13 fields, 1.5 ms against 5.7 ms."""
    quote = connection.ops.quote_name
    names = [f"v{i}" for i in range(len(columns))]
    sql = "UPDATE {table} AS t SET {sets} FROM jsonb_to_recordset(%s::jsonb) AS v(pk {pk_type}, {typed}) WHERE t.{pk} = v.pk".format(
        table=quote(meta.db_table),
        sets=", ".join(f"{quote(field.column)} = v.{name}" for field, name in zip(columns, names, strict=True)),
        pk_type=meta.pk.db_type(connection),
        typed=", ".join(f"{name} {field.db_type(connection)}" for field, name in zip(columns, names, strict=True)),
        pk=quote(meta.pk.column),
    )
    rows = [{"pk": obj.pk, **{name: _json_value(getattr(obj, field.attname)) for field, name in zip(columns, names, strict=True)}}
            for obj in objs]
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, ensure_ascii=False)])


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no infinities; PostgreSQL reads "inf", "-inf" and "nan"
    return _plain(value)


def insert_rows(objs: list, ignore_conflicts: bool = False) -> None:
    """INSERT new objects of one model, setting their ids. Plain values skip Django's per-field
    preparation, which costs more than the INSERT on a burst; other types go through it. No
    signals, as with bulk_create. `ignore_conflicts`: rows that would break a unique constraint
    are left out, and no ids are set (which rows went in is not known)."""
    if not objs:
        return
    meta, using, connection = _where(objs)
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if connection.vendor == "postgresql" and all(_in_json(field) for field in fields):
        pks = _insert_from_json(connection, meta, fields, objs, ignore_conflicts)
    else:
        pks = _insert_values(connection, meta, fields, objs, ignore_conflicts)
    if ignore_conflicts:
        return
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using


def _insert_from_json(connection, meta, fields: list, objs: list, ignore_conflicts: bool) -> list:
    """One INSERT of the rows sent as one JSON document (`json_to_recordset`), as `update_rows`
    does: the multi-row VALUES has a placeholder per value, and psycopg's client-side binding
    finds and fills each in Python. That was a fifth of a worker's time storing a burst (400
    messages, their events and cases); the json module writes the document in C, and the short
    statement's parsing is cached. The rows go in in the document's order, so the ids the
    sequence gives them rise in that order, whatever order RETURNING lists them in."""
    quote = connection.ops.quote_name
    names = [f"v{i}" for i in range(len(fields))]
    sql = (
        "INSERT INTO {table} ({columns}) SELECT {values} FROM ROWS FROM (json_to_recordset(%s::json) AS ({typed}))"
        " WITH ORDINALITY AS v({names}, n) ORDER BY n {conflicts}RETURNING {pk}"
    ).format(
        table=quote(meta.db_table),
        columns=", ".join(quote(field.column) for field in fields),
        values=", ".join(f"v.{name}" for name in names),
        typed=", ".join(f"{name} {field.db_type(connection)}" for field, name in zip(fields, names, strict=True)),
        names=", ".join(names),
        conflicts="ON CONFLICT DO NOTHING " if ignore_conflicts else "",
        pk=quote(meta.pk.column),
    )
    rows = [{name: _json_value(getattr(obj, field.attname)) for field, name in zip(fields, names, strict=True)} for obj in objs]
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(rows, ensure_ascii=False)])
        return sorted(pk for (pk,) in cursor.fetchall())


def _insert_values(connection, meta, fields: list, objs: list, ignore_conflicts: bool) -> list:
    """Multi-row INSERTs with a placeholder per value, their ids by RETURNING, which SQLite 3.35+
    and PostgreSQL give in VALUES order (as Django's bulk_create relies on too)."""
    quote = connection.ops.quote_name
    prepare = [_preparer(f, connection) for f in fields]
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = "INSERT {}INTO {} ({}) VALUES ".format(
        "OR IGNORE " if ignore_conflicts and connection.vendor == "sqlite" else "",
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields),
    )
    tail = (" ON CONFLICT DO NOTHING" if ignore_conflicts and connection.vendor != "sqlite" else "") + f" RETURNING {quote(meta.pk.column)}"
    size = max(1, 30_000 // len(fields))  # under SQLite's 32,766 variables per statement
    pks = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = [p(getattr(obj, f.attname)) for obj in chunk for f, p in zip(fields, prepare, strict=True)]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
            pks.extend(pk for (pk,) in cursor.fetchall())
    return pks


def _preparer(field, connection):
    target = field.target_field if field.is_relation else field
    if isinstance(target, _PLAIN):
        return _plain
    if isinstance(field, models.DateTimeField) and connection.vendor == "postgresql":
        return _plain  # psycopg takes aware datetimes as they are
    if isinstance(field, models.DateTimeField) and connection.vendor == "sqlite" and connection.timezone == dt_timezone.utc:
        return _sqlite_datetime
    if isinstance(field, models.JSONField):
        # None is SQL NULL, as Django stores it (`media__isnull` finds it), not the JSON null.
        return lambda value: None if value is None else connection.ops.adapt_json_value(value, field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def _sqlite_datetime(value):
    """What Django stores for an aware datetime on SQLite: naive UTC text."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(dt_timezone.utc).replace(tzinfo=None).isoformat(" ")
