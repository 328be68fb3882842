"""The search query's rules: accents and case never matter, words are what the indexes hold,
and a phone prefix is exactly a range of digit strings."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules.search_words import ACCENTED, MOST_WORDS, PLAIN, fold, phone_digits, prefix_range, words

latin = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,¿?@" + ACCENTED), max_size=60)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


@given(latin)
def test_folding_ignores_accents_and_case(text):
    assert fold(text) == fold(strip_accents(text).upper()) == strip_accents(text).lower()
    assert fold(fold(text)) == fold(text)


@given(latin)
def test_words_are_letters_and_digits_only_distinct_and_bounded(text):
    found = words(text)
    assert len(found) <= MOST_WORDS and len(set(found)) == len(found)
    for word in found:
        assert word and word.isalnum() and word == fold(word)


def test_folding_ignores_accents_and_capitals():
    # As the "/" picker of saved answers folds in the browser (and as its rules once did here).
    assert fold("Cotización ÑANDÚ") == "cotizacion nandu"


def test_the_fold_table_pairs_every_accented_letter_with_its_plain_letter():
    assert len(ACCENTED) == len(PLAIN)
    assert {"á": "a", "Ñ": "n", "ü": "u", "Ç": "c", "Ő": "o"}.items() <= dict(zip(ACCENTED, PLAIN, strict=True)).items()
    assert words("¿Tienen PASTILLAS para el Yaris-2016? Peñalolén") == ["tienen", "pastillas", "para", "el", "yaris", "2016", "penalolen"]


@given(st.text(alphabet="0123456789", min_size=1, max_size=8), st.text(alphabet="0123456789", max_size=12))
def test_a_phone_prefix_is_exactly_a_range_of_digit_strings(prefix, other):
    low, high = prefix_range(prefix)
    inside = low <= other and (high is None or other < high)
    assert inside == other.startswith(prefix)
    assert low <= prefix + other and (high is None or prefix + other < high)


@given(st.from_regex(r"\+?[0-9]{4,12}", fullmatch=True), st.sampled_from([" ", "-", ".", ""]))
def test_a_phone_number_as_people_write_it_gives_its_digits(number, separator):
    written = separator.join([number[:3], number[3:6], number[6:]])
    assert phone_digits(written) == number.lstrip("+")
    digits = number.lstrip("+")
    assert phone_digits(f"({digits[:2]}) {digits[2:]}") == digits


def test_words_are_not_a_phone_number():
    assert phone_digits("patente GHTR45") is None
    assert phone_digits("123") is None
    assert phone_digits("2016") == "2016"
