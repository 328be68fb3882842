"""What a search box's text asks for: the words to find (accents and case ignored, each a prefix
of a word in the text, so results come as the person types) and, when the text is a phone
number written in any format, its digits.

Both databases fold stored text the same way as `fold` does here: PostgreSQL with `translate`
over the table below (its indexes must be built from an expression the planner can match, and
`unaccent` is an extension a self-hosted database may not have), SQLite with its own tokenizer,
which removes the same accents. The table is built from Unicode's decompositions so the three
agree on every Latin letter.
"""

from __future__ import annotations

import re
import unicodedata

MOST_WORDS = 8
LONGEST_WORD = 60
FEWEST_PHONE_DIGITS = 4


def _latin_folds() -> tuple[str, str]:
    """Every accented Latin letter (upper and lower case) and the plain lower-case letter it is."""
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if char != base and base.isascii() and base.isalpha():
            accented.append(char)
            plain.append(base.lower())
    return "".join(accented), "".join(plain)


ACCENTED, PLAIN = _latin_folds()
_FOLD = str.maketrans(ACCENTED, PLAIN)
# A word: letters and digits. Everything else (spaces, punctuation, "_", "@", "-") separates.
_WORD = re.compile(r"[^\W_]+")
_PHONE = re.compile(r"\+?[\d\s().\-/]+")


def fold(text: str) -> str:
    """Lower case, without the accents of Latin letters ("Ñandú" → "nandu"), exactly as the
    indexes fold (so ñ is n here, unlike `rules.text.fold`). Accents go first: lower-casing some
    letters ("İ") would leave a combining mark the table does not know."""
    return text.translate(_FOLD).lower()


def words(query: str) -> list[str]:
    """The distinct words of the query, folded, in order; at most MOST_WORDS, each cut to
    LONGEST_WORD characters (a longer one is not a word anyone types)."""
    found: list[str] = []
    for word in _WORD.findall(fold(query)):
        word = word[:LONGEST_WORD]
        if word not in found:
            found.append(word)
    return found[:MOST_WORDS]


def phone_digits(query: str) -> str | None:
    """The digits of a query that is only a phone number as people write one ("+56 9 8123-4567",
    "(9) 8123 4567"), when there are enough of them to mean a number; otherwise None."""
    text = query.strip()
    if not _PHONE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= FEWEST_PHONE_DIGITS else None


def prefix_range(digits: str) -> tuple[str, str | None]:
    """The strings starting with these digits, as a range [low, high) of an ordinary index:
    "5698" → ("5698", "5699"), "5699" → ("5699", "57"); all nines have no upper end."""
    stem = digits.rstrip("9")
    if not stem:
        return digits, None
    return digits, stem[:-1] + str(int(stem[-1]) + 1)
