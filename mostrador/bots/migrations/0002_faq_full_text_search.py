"""The FAQ's full-text index, in each database's own dialect: an expression GIN index on
PostgreSQL, an FTS5 table kept in step by triggers on SQLite."""

from django.db import migrations

POSTGRES = [
    (
        "CREATE INDEX bots_faq_search ON bots_faqentry "
        "USING gin (to_tsvector('simple'::regconfig, COALESCE(search_text, '')))",
        "DROP INDEX IF EXISTS bots_faq_search",
    )
]

SQLITE = [
    (
        "CREATE VIRTUAL TABLE bots_faq_fts USING fts5(search_text, content='bots_faqentry', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        "DROP TABLE IF EXISTS bots_faq_fts",
    ),
    (
        "CREATE TRIGGER bots_faq_ai AFTER INSERT ON bots_faqentry BEGIN "
        "INSERT INTO bots_faq_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "DROP TRIGGER IF EXISTS bots_faq_ai",
    ),
    (
        "CREATE TRIGGER bots_faq_ad AFTER DELETE ON bots_faqentry BEGIN "
        "INSERT INTO bots_faq_fts(bots_faq_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        "DROP TRIGGER IF EXISTS bots_faq_ad",
    ),
    (
        "CREATE TRIGGER bots_faq_au AFTER UPDATE ON bots_faqentry BEGIN "
        "INSERT INTO bots_faq_fts(bots_faq_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO bots_faq_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        "DROP TRIGGER IF EXISTS bots_faq_au",
    ),
]


def _statements(schema_editor):
    return {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])


def forwards(apps, schema_editor):
    for create, _ in _statements(schema_editor):
        schema_editor.execute(create)


def backwards(apps, schema_editor):
    for _, drop in reversed(_statements(schema_editor)):
        schema_editor.execute(drop)


class Migration(migrations.Migration):
    dependencies = [("bots", "0001_faq_entries")]
    operations = [migrations.RunPython(forwards, backwards)]
