"""Full-text indexes over messages, contacts and conversations' fields, and the contacts' phone
digits, in each database's own dialect (see mostrador.search.documents). The expressions are
shared with the queries, which must repeat them exactly: changing one needs a new migration."""

from django.db import migrations

from mostrador.search import documents


def _statements(schema_editor, up: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return documents.POSTGRES_UP if up else documents.POSTGRES_DOWN
    if vendor == "sqlite":
        return documents.SQLITE_UP if up else documents.SQLITE_DOWN
    return []


def forwards(apps, schema_editor):
    for statement in _statements(schema_editor, up=True):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    for statement in _statements(schema_editor, up=False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("inbox", "0015_priority_reason")]
    operations = [migrations.RunPython(forwards, backwards)]
