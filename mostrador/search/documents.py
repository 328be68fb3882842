"""The full-text indexes search reads, one set per database, and the conditions that use them.

Three documents are indexed: a message's text; a contact's name, email and custom field values;
a conversation's collected field values (plates, VINs). Words are folded as
`rules.search_words.fold` folds the query, so "Peña" finds "pena" and "PEÑA".

- PostgreSQL: GIN indexes over `to_tsvector('simple', …)` of the folded text, with every
  run of non-letters turned into a space first (so "ana@taller.cl" is three words, as it is on
  SQLite). A query's condition repeats the index's expression exactly: that is how the planner
  knows to use it.
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


# Each document twice: as the index holds it (bare column names, as CREATE INDEX wants them) and
# as a query writes it (qualified, as a query joining other tables needs). Both databases match
# the two as the same expression.
def _both(template: str, table: str) -> tuple[str, str]:
    return template.format(t=""), template.format(t=f'"{table}".')


PG_MESSAGE_INDEX, PG_MESSAGE = _both(_pg_document("{t}text"), "inbox_message")
PG_CONTACT_INDEX, PG_CONTACT = _both(
    _pg_document("({t}name || ' ' || {t}email || ' ' || " + _values("{t}fields") + ")"), "inbox_contact"
)
PG_CONVERSATION_INDEX, PG_CONVERSATION = _both(_pg_document(_values("{t}fields")), "inbox_conversation")
PHONE_DIGITS_INDEX, PHONE_DIGITS = _both("LTRIM({t}phone, '+')", "inbox_contact")

POSTGRES_UP = [
    f"CREATE INDEX IF NOT EXISTS search_message_words ON inbox_message USING gin ({PG_MESSAGE_INDEX})",
    f"CREATE INDEX IF NOT EXISTS search_contact_words ON inbox_contact USING gin ({PG_CONTACT_INDEX})",
    f"CREATE INDEX IF NOT EXISTS search_conversation_words ON inbox_conversation USING gin ({PG_CONVERSATION_INDEX})",
    f"CREATE INDEX IF NOT EXISTS search_contact_phone ON inbox_contact ({PHONE_DIGITS_INDEX})",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS search_message_words",
    "DROP INDEX IF EXISTS search_contact_words",
    "DROP INDEX IF EXISTS search_conversation_words",
    "DROP INDEX IF EXISTS search_contact_phone",
]


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
