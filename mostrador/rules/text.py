"""Text as customers type it: accents, capitals and punctuation vary, meaning does not.

Pure Python, shared by the routes bot, its validators, the FAQ matcher, priority rules and text
expansion. (Search folds with `search_words.fold`, which must agree with the databases' indexes.)
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9ñ]+")

# Words that carry no meaning when matching a question to an FAQ entry.
STOPWORDS = frozenset(
    """a al algo como con cual cuales cuando de del donde el en es esta estan este esto hay la las
    le les lo los me mi mis muy no o para pero por que quiero se si sin su sus te tiene tienen tu
    un una uno unos y ya yo hola buenas buenos dias tardes noches favor gracias necesito saber
    the a an and are is of to for in on at do does what when where how can i you my me
    """.split()
)


def fold(text: str) -> str:
    """Lower case without accents ("Dirección" → "direccion"); ñ is a letter of its own."""
    text = text.lower().replace("ñ", "\0")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return text.replace("\0", "ñ")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """A deliberately crude stem: plurals and gender fold together ("focos" ~ "foco", "derecha" ~
    "derecho"). Good enough to match short customer questions; no dictionary needed offline."""
    for suffix in ("es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] in "aeo":
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The meaningful stems of a text, in order, without repeats."""
    seen: dict[str, None] = {}
    for w in words(text):
        if w not in STOPWORDS and (len(w) > 1 or w.isdigit()):
            seen.setdefault(stem(w), None)
    return list(seen)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `text` as whole words, ignoring case, accents and plurals."""
    haystack = [stem(w) for w in words(text)]
    needle = [stem(w) for w in words(phrase)]
    if not needle:
        return False
    return any(haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1))


def _same_term(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short)


def coverage(query: list[str], document: list[str]) -> float:
    """The share of a question's terms that a document speaks of: 1.0 means every meaningful
    word the customer used is in the entry. This is the FAQ's confidence."""
    if not query:
        return 0.0
    return sum(any(_same_term(q, d) for d in document) for q in query) / len(query)
