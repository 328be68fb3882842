"""One search over what a person may see: conversations, contacts and messages matching every
word of the query (or, when it is a phone number, the contacts with that number and their
chats). Each list is newest first and pages by its own keyset; one cursor carries the three.

Conversations match by their collected fields (a plate, a VIN) or by their contact. Contacts
match by name, email, custom fields or phone, and are shown to an agent only when one of their
chats is. Messages match by their text; a deleted one is never found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import RawSQL

from mostrador.inbox import phones
from mostrador.inbox.models import Contact, Conversation, Message
from mostrador.inbox.policy import scope_of, visible_contacts
from mostrador.inbox.queries import BadCursor, decode_cursor, encode_cursor
from mostrador.rules.search_words import phone_digits, prefix_range, words

from . import documents

# A contact found by name brings its chats into the conversations found; past this many
# contacts a query is too vague for that to help, and it would make the query slow.
MOST_CONTACTS_FOLLOWED = 200
DONE = 0  # a list's position in the cursor once it has nothing more to give


@dataclass
class Found:
    conversations: list[Conversation] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    next_cursor: str | None = None


def find(user, query: str, *, limit: int = 20, cursor: str | None = None, inbox_id: int | None = None) -> Found:
    """Raises BadCursor for a cursor this search did not give."""
    where = _positions(cursor)
    asked = Asked(words(query), phone_digits(query))
    if not asked.words and not asked.digits:
        return Found()
    scope = scope_of(user)
    visible = Conversation.objects.filter(scope.conversations())
    if inbox_id is not None:
        visible = visible.filter(inbox_id=inbox_id)

    everyone = scope.everything and inbox_id is None
    contacts = visible_contacts(user, among=None if everyone else visible).filter(asked.contacts())
    followed = list(contacts.order_by("-pk").values_list("pk", flat=True)[:MOST_CONTACTS_FOLLOWED])
    conversations = visible.filter(asked.conversations(followed))
    messages = Message.objects.none()
    if asked.words:
        # Visibility through the message's own conversation (a join), never a list of chats.
        messages = Message.objects.filter(scope.conversations("conversation__"), deleted_at__isnull=True)
        if connection.vendor != "sqlite":
            messages = messages.filter(asked.messages())
        if inbox_id is not None:
            messages = messages.filter(conversation__inbox_id=inbox_id)

    found = Found()
    positions = []
    for name, rows, after in (
        ("conversations", conversations.select_related("contact", "inbox", "assignee", "last_message").prefetch_related("tags"), where[0]),
        ("contacts", contacts.prefetch_related("tags"), where[1]),
        ("messages", messages.select_related("conversation__contact", "conversation__inbox", "author"), where[2]),
    ):
        if name == "messages" and connection.vendor == "sqlite" and asked.words:
            page, position = _sqlite_message_page(rows, documents.sqlite_match(asked.words), after, limit)
        else:
            page, position = _page(rows, after, limit)
        setattr(found, name, page)
        positions.append(position)
    if any(p != DONE for p in positions):
        found.next_cursor = encode_cursor(positions)
    return found


def _positions(cursor: str | None) -> list[int | None]:
    if not cursor:
        return [None, None, None]
    values = decode_cursor(cursor, 3)
    if any(v < 0 for v in values):
        raise BadCursor("cursor is not one this API issued")
    return list(values)


def _page(rows: QuerySet, after: int | None, limit: int) -> tuple[list, int]:
    """A page of rows newest first, after a position; and the position the next page starts at."""
    if after == DONE:
        return [], DONE
    if after is not None:
        rows = rows.filter(pk__lt=after)
    page = _pg_newest(rows, after, limit + 1) if connection.vendor == "postgresql" else list(rows.order_by("-pk")[: limit + 1])
    if len(page) <= limit:
        return page, DONE
    page = page[:limit]
    return page, page[-1].pk


RECENT_ROWS = 5000


def _pg_newest(rows: QuerySet, after: int | None, wanted: int) -> list:
    """The newest `wanted` matching rows on PostgreSQL, by one of two bounded plans. Left to
    itself, the planner guesses how many rows a word's start matches (half a percent when it
    cannot tell), walks the newest rows expecting a page soon, and for a rare word or a plate
    reads the whole table. So: first the newest RECENT_ROWS rows only (a word in many rows fills
    the page there); what is missing comes from the full-text index, gathered whole and sorted
    (a rare word has few rows to gather)."""
    newest_first = rows.model._base_manager.order_by("-pk").values_list("pk", flat=True)
    if after is not None:
        newest_first = newest_first.filter(pk__lt=after)
    edge = newest_first[RECENT_ROWS - 1 : RECENT_ROWS].first()
    if edge is None:  # fewer rows than that in all: one look is enough
        return list(rows.order_by("-pk")[:wanted])
    page = list(rows.filter(pk__gte=edge).order_by("-pk")[:wanted])
    if len(page) < wanted:
        # Sorted by an expression, so the planner cannot walk the primary key: it gathers the
        # matches from the full-text index.
        older = rows.filter(pk__lt=edge).order_by((F("pk") + 0).desc())[: wanted - len(page)]
        page += list(older)
    return page


FIRST_WINDOW = 256


def _sqlite_message_page(rows: QuerySet, match: str, after: int | None, limit: int) -> tuple[list, int]:
    """A page of messages newest first, reading the FTS5 index newest first in growing windows
    and keeping those `rows` allows (visible, not deleted), until the page is full. FTS5 walks
    a word's entries lazily in rowid order, so a word in half of all messages costs a window,
    not the half million ids a subquery would collect."""
    if after == DONE:
        return [], DONE
    below = after if after is not None else 2**62
    window = FIRST_WINDOW
    page: list = []
    while len(page) <= limit:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_message WHERE search_message MATCH %s AND rowid < %s ORDER BY rowid DESC LIMIT %s",
                [match, below, window],
            )
            ids = [row[0] for row in cursor.fetchall()]
        if ids:
            page += rows.filter(pk__in=ids).order_by("-pk")[: limit + 1 - len(page)]
        if len(ids) < window:
            break
        below = ids[-1]
        window *= 4  # few of the found are visible to this person: look further at once
    if len(page) <= limit:
        return page, DONE
    page = page[:limit]
    return page, page[-1].pk


@dataclass(frozen=True)
class Asked:
    """The query as conditions on each kind of row, in the database's own full-text dialect."""

    words: list[str]
    digits: str | None

    # A query of digits ("2016", "9 8123 4567") may be a number or words (a year, a part
    # number): both are looked for.
    def contacts(self) -> Q:
        by_words = self._words("contact") if self.words else Q(pk__in=[])
        return by_words | self._phone() if self.digits else by_words

    def conversations(self, contact_ids: list[int]) -> Q:
        by_contact = Q(contact_id__in=contact_ids)
        return by_contact | self._words("conversation") if self.words else by_contact

    def messages(self) -> Q:
        return self._words("message")

    def _words(self, kind: str) -> Q:
        if connection.vendor == "postgresql":
            return Q(RawSQL(documents.pg_matches(f"inbox_{kind}"), [documents.pg_tsquery(self.words)], output_field=BooleanField()))
        table = f"search_{kind}"
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [documents.sqlite_match(self.words)]))

    def _phone(self) -> Q:
        """Contacts whose number starts with these digits: as typed, with the country's code in
        front, or as the whole number they make in the organisation's country."""
        assert self.digits
        candidates = {self.digits}
        whole = phones.e164(self.digits)
        if whole:
            candidates.add(whole.lstrip("+"))
        code = phones.country_code()
        if code and not self.digits.startswith(code):
            candidates.add(code + self.digits.lstrip("0"))
        found = Q(pk__in=[])
        for digits in sorted(candidates):
            low, high = prefix_range(digits)
            condition = f"{documents.PHONE_DIGITS} >= %s" + (f" AND {documents.PHONE_DIGITS} < %s" if high else "")
            found |= Q(RawSQL(condition, [low, high] if high else [low], output_field=BooleanField()))
        return found
