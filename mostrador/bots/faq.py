"""The FAQ knowledge base: entries kept in step with the inbox's settings, found by the
database's full-text search, and trusted only above a confidence threshold."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from mostrador.bots.models import FaqEntry
from mostrador.rules.text import coverage, fold, terms

CANDIDATES = 5
DEFAULT_MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Match:
    entry: FaqEntry
    confidence: float


def replace_entries(inbox, entries: list[dict]) -> None:
    """Make the inbox's FAQ rows match its settings (called inside the settings' transaction)."""
    FaqEntry.objects.filter(inbox=inbox).delete()
    FaqEntry.objects.bulk_create(
        FaqEntry(
            inbox=inbox,
            position=i,
            question=e["question"],
            answer=e["answer"],
            keywords=list(e.get("keywords", [])),
            search_text=fold(" ".join([e["question"], *e.get("keywords", [])])),
        )
        for i, e in enumerate(entries)
    )


def best_match(inbox_id: int, text: str) -> Match | None:
    """The entry that best answers `text`, with its confidence, or None if nothing is close."""
    wanted = terms(text)
    if not wanted:
        return None
    found = _search(inbox_id, wanted)
    scored = [Match(e, coverage(wanted, terms(e.search_text))) for e in found]
    # The database ranks; the confidence decides, and ties keep the database's order.
    return max(scored, key=lambda m: m.confidence, default=None)


def answer_for(inbox_id: int, text: str, min_confidence: float) -> str | None:
    match = best_match(inbox_id, text)
    return match.entry.answer if match and match.confidence >= min_confidence else None


def _search(inbox_id: int, wanted: list[str]) -> list[FaqEntry]:
    # Terms are [a-z0-9ñ]+ (see text.terms), so they are safe inside either query language.
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        query = SearchQuery(" | ".join(f"{t}:*" for t in wanted), search_type="raw", config="simple")
        vector = SearchVector("search_text", config="simple")
        return list(
            FaqEntry.objects.filter(inbox_id=inbox_id)
            .annotate(document=vector, rank=SearchRank(vector, query))
            .filter(document=query)
            .order_by("-rank", "position")[:CANDIDATES]
        )
    if connection.vendor == "sqlite":
        match = " OR ".join(f'"{t}"*' for t in wanted)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e.id FROM bots_faq_fts JOIN bots_faqentry e ON e.id = bots_faq_fts.rowid "
                "WHERE bots_faq_fts MATCH %s AND e.inbox_id = %s ORDER BY bm25(bots_faq_fts), e.position LIMIT %s",
                [match, inbox_id, CANDIDATES],
            )
            ids = [row[0] for row in cursor.fetchall()]
        by_id = FaqEntry.objects.in_bulk(ids)
        return [by_id[i] for i in ids]
    return list(FaqEntry.objects.filter(inbox_id=inbox_id))
