"""Text expansion: the phrases a seller writes again and again. A phrase is a sentence of her
own recent replies that she sent at least twice; with her saved answers, they are what the
composer offers to finish once she has typed the start of one (canned/canned.js)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from mostrador.rules.text import fold

SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
SHORTEST_PHRASE = 12  # characters: shorter ones are quicker typed than chosen
LONGEST_PHRASE = 300


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def frequent_phrases(replies: Iterable[str], *, least: int = 2, most: int = 60) -> list[str]:
    """The sentences sent at least `least` times (compared without accents or case), most
    frequent first, each as it was first written."""
    counts: Counter[str] = Counter()
    first_written: dict[str, str] = {}
    for reply in replies:
        for sentence in set(sentences(reply)):
            if not SHORTEST_PHRASE <= len(sentence) <= LONGEST_PHRASE:
                continue
            key = fold(sentence)
            counts[key] += 1
            first_written.setdefault(key, sentence)
    return [first_written[key] for key, n in counts.most_common() if n >= least][:most]
