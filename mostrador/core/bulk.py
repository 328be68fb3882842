"""Saving many rows at once, on the hot paths (a burst of webhook notifications).

Django's `bulk_update` builds one CASE expression per field and row, which costs more Python time
than the rows are worth. This sends the plain per-row UPDATE for every row with `executemany`,
which psycopg 3 pipelines into one round trip (SQLite runs it in-process).
"""

from __future__ import annotations

from django.db import connections, router


def update_rows(objs: list, fields: list[str]) -> None:
    """UPDATE `fields` of each object, by primary key. The objects must share one model."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in columns),
        quote(meta.pk.column),
    )
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Rows per INSERT: well under SQLite's limit of 32,766 parameters for the widest model used here.
INSERT_CHUNK = 500


def insert_rows(objs: list) -> list:
    """INSERT new objects of one model, one statement per INSERT_CHUNK rows, and set their
    primary keys (RETURNING, on PostgreSQL and SQLite alike).

    What `bulk_create` does, without its per-value expression checks, which cost more than the
    rows on the ingest path. Only for models without auto_now fields or custom pre_save.
    """
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    prepare = [_preparer(field, connection) for field in fields]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = "INSERT INTO {} ({}) VALUES ".format(quote(meta.db_table), ", ".join(quote(f.column) for f in fields))
    tail = " RETURNING " + quote(meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), INSERT_CHUNK):
            chunk = objs[start : start + INSERT_CHUNK]
            params = [prep(getattr(obj, field.attname)) for obj in chunk for field, prep in zip(fields, prepare)]
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
            for obj, (pk,) in zip(chunk, cursor.fetchall()):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def _preparer(field, connection):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raise ValueError(f"insert_rows cannot fill {field}: it is set on save")
    if field.get_internal_type() in ("JSONField", "DateTimeField", "BinaryField"):
        return lambda value: field.get_db_prep_save(value, connection)
    # Text, numbers, booleans and foreign key ids go to the driver as they are.
    return lambda value: value
