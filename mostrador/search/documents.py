"""The full-text indexes search reads, one set per database, and the conditions that use them.

Three documents are indexed: a message's text; a contact's name, email and custom field values;
a conversation's collected field values (plates, VINs). Words are folded as
`rules.search_words.fold` folds the query, so "Peña" finds "pena" and "PEÑA".

- PostgreSQL: a stored `search_words` column per table, `to_tsvector('simple', …)` of the
  folded text with every run of non-letters turned into a space first (so "ana@taller.cl" is
  three words, as it is on SQLite), under a GIN index.
- SQLite: FTS5 tables holding only the index (contentless), kept by triggers on the tables
  they index, so every way a row is written (bulk ingest included) keeps them true.

A contact's phone is found by its digits: an ordinary index on the phone without its "+" (as
WhatsApp ids have none) answers a prefix as a range.
"""

from __future__ import annotations

from mostrador.rules.search_words import ACCENTED, PLAIN

# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_document(sql: str) -> str:
    folded = f"lower(translate({sql}, '{ACCENTED}', '{PLAIN}'))"
    return f"to_tsvector('simple'::regconfig, regexp_replace({folded}, '[^[:alnum:]]+', ' ', 'g'))"


def _values(column: str) -> str:
    return f"jsonb_path_query_array({column}, '$.*'::jsonpath)::text"


# Each document as a column of its own: a tsvector the database computes from the row on every
# write (a stored generated column). A query then compares words already there instead of
# folding each row's text again, so PostgreSQL may also walk the newest rows and stop after a
# page when a word is in half of them, rather than gathering every match first.
PG_DOCUMENTS = {
    "inbox_message": _pg_document("text"),
    "inbox_contact": _pg_document("(name || ' ' || email || ' ' || " + _values("fields") + ")"),
    "inbox_conversation": _pg_document(_values("fields")),
}
PHONE_DIGITS_INDEX = "LTRIM(phone, '+')"
# As a query writes it (qualified: the query joins other tables); SQLite and PostgreSQL match it
# to the index written with the bare column name.
PHONE_DIGITS = "LTRIM(\"inbox_contact\".\"phone\", '+')"

POSTGRES_UP = [
    *(
        statement
        for table, document in PG_DOCUMENTS.items()
        for statement in (
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_words tsvector GENERATED ALWAYS AS ({document}) STORED",
            f"CREATE INDEX IF NOT EXISTS {table.replace('inbox_', 'search_')}_words ON {table} USING gin (search_words)",
        )
    ),
    f"CREATE INDEX IF NOT EXISTS search_contact_phone ON inbox_contact ({PHONE_DIGITS_INDEX})",
]
POSTGRES_DOWN = [
    *(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_words" for table in PG_DOCUMENTS),
    "DROP INDEX IF EXISTS search_contact_phone",
]


def pg_matches(table: str) -> str:
    """The condition a row of `table` matches the query (`%s`: pg_tsquery's text)."""
    return f"\"{table}\".\"search_words\" @@ to_tsquery('simple'::regconfig, %s)"


def pg_tsquery(words: list[str]) -> str:
    """Every word, each as the start of a word ('pasti' finds 'pastillas'). Words hold only
    letters and digits, so nothing in them is tsquery syntax."""
    return " & ".join(f"{word}:*" for word in words)


# --- SQLite ----------------------------------------------------------------------------------

_TOKENIZER = "tokenize = 'unicode61 remove_diacritics 2'"
_CONTACT_DOC = "{row}.name || ' ' || {row}.email || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_each({row}.fields)), '')"
_CONVERSATION_DOC = "coalesce((SELECT group_concat(value, ' ') FROM json_each({row}.fields)), '')"


def _sqlite_kept(table: str, source: str, document: str, changed: str) -> list[str]:
    """A contentless FTS5 table over `document` of `source`'s rows, and the triggers that keep
    it: a contentless table forgets a row only when told the words it was given."""
    old, new = document.format(row="old"), document.format(row="new")
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(doc, content = '', {_TOKENIZER})",
        f"INSERT INTO {table} (rowid, doc) SELECT id, {document.format(row=source)} FROM {source}",
        f"CREATE TRIGGER IF NOT EXISTS {table}_added AFTER INSERT ON {source} BEGIN "
        f"INSERT INTO {table} (rowid, doc) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_removed AFTER DELETE ON {source} BEGIN "
        f"INSERT INTO {table} ({table}, rowid, doc) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_changed AFTER UPDATE ON {source} WHEN {changed} BEGIN "
        f"INSERT INTO {table} ({table}, rowid, doc) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {table} (rowid, doc) VALUES (new.id, {new}); END",
    ]


SQLITE_UP = [
    *_sqlite_kept("search_message", "inbox_message", "{row}.text", "old.text IS NOT new.text"),
    *_sqlite_kept(
        "search_contact", "inbox_contact", _CONTACT_DOC,
        "old.name IS NOT new.name OR old.email IS NOT new.email OR old.fields IS NOT new.fields",
    ),
    *_sqlite_kept("search_conversation", "inbox_conversation", _CONVERSATION_DOC, "old.fields IS NOT new.fields"),
    f"CREATE INDEX IF NOT EXISTS search_contact_phone ON inbox_contact ({PHONE_DIGITS_INDEX})",
]
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {table}_{what}" for table in ("search_message", "search_contact", "search_conversation")
      for what in ("added", "removed", "changed")),
    "DROP TABLE IF EXISTS search_message",
    "DROP TABLE IF EXISTS search_contact",
    "DROP TABLE IF EXISTS search_conversation",
    "DROP INDEX IF EXISTS search_contact_phone",
]


def sqlite_match(words: list[str]) -> str:
    """Every word, each as the start of a word; quoted, so no word is read as FTS5 syntax."""
    return " ".join(f'"{word}"*' for word in words)
