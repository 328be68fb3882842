"""The piece of a found message worth showing: around the first word found, with every word
found marked."""

from __future__ import annotations

from mostrador.rules.search_words import fold, words

AROUND = 50  # characters shown before the first word found; about twice that after it
SHOWN = 2 * AROUND + 20  # from the first word found (or the start) to the end shown


def snippet(text: str, query: str) -> list[tuple[str, bool]]:
    """The shown part of `text` as (piece, found) pairs, in order."""
    folded = fold(text)
    wanted = words(query)
    if len(folded) != len(text) or not wanted:
        # Folding changed the length (a rare letter): positions would not line up; no marks.
        return [(_start(text), False)]
    spans = []
    for word in wanted:
        start = 0
        while (at := folded.find(word, start)) >= 0:
            # Only where a word begins, as the index matches.
            if at == 0 or not folded[at - 1].isalnum():
                spans.append((at, at + len(word)))
            start = at + len(word)
    if not spans:
        return [(_start(text), False)]
    spans.sort()
    begin = max(0, spans[0][0] - AROUND)
    end = min(len(text), spans[0][0] + SHOWN)
    pieces: list[tuple[str, bool]] = [("…", False)] if begin else []
    at = begin
    for start, stop in spans:
        if start < at or start >= end:
            continue
        pieces.append((text[at:start], False))
        pieces.append((text[start:stop], True))
        at = stop
    pieces.append((text[at:end] + ("…" if end < len(text) else ""), False))
    return [p for p in pieces if p[0]]


def _start(text: str) -> str:
    return text[:SHOWN] + ("…" if len(text) > SHOWN else "")
