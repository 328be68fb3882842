"""Text expansion's rules: which of a seller's sentences are phrases worth offering."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules.expansion import frequent_phrases, sentences
from mostrador.rules.search_words import fold


def test_sentences_sent_twice_are_phrases_most_frequent_first():
    replies = [
        "Hola Jorge. Te confirmo el stock mañana a primera hora.",
        "Hola Marta! Te confirmo el stock mañana a primera hora.",
        "te confirmo el STOCK mañana a primera hora.",
        "Gracias por escribirnos, ya te atiendo.",
        "Gracias por escribirnos, ya te atiendo.\nSaludos",
        "Un mensaje que solo envié una vez.",
    ]
    assert frequent_phrases(replies) == ["Te confirmo el stock mañana a primera hora.", "Gracias por escribirnos, ya te atiendo."]
    # A sentence repeated within one reply counts once; short ones are not phrases.
    assert frequent_phrases(["Ok. Ok. Ok.", "Ok."]) == []


@given(st.lists(st.sampled_from(["Te confirmo el stock mañana.", "Gracias por escribirnos!", "¿Para qué año es tu auto?", "Hola"]), max_size=12))
def test_a_phrase_is_a_sentence_sent_at_least_twice_and_the_commonest_come_first(replies):
    found = frequent_phrases(replies)
    counts = [sum(fold(p) in {fold(s) for s in sentences(r)} for r in replies) for p in found]
    assert all(n >= 2 for n in counts)
    assert counts == sorted(counts, reverse=True)
    assert all(len(p) >= 12 for p in found)
