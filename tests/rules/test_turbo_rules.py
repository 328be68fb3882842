"""Priority rules as properties: the highest matching rule wins, keywords are whole words with
accents and capitals ignored."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules import turbo

words = st.sampled_from(["urgente", "hoy", "flota", "garantía", "repuesto"])
rules = st.lists(st.builds(turbo.Rule, kind=st.just("keyword"), value=words, priority=st.sampled_from([1, 2]),
                           reason=st.sampled_from(["a", "b", "c"])), max_size=6)


@given(rules=rules, said=st.lists(words, max_size=5))
def test_the_highest_matching_rule_raises_the_priority(rules, said):
    text = " ".join(said).upper()
    found = turbo.raised(rules, text, [], {})
    matching = [r for r in rules if r.value in said]
    if not matching:
        assert found is None
    else:
        top = max(r.priority for r in matching)
        assert found == (top, next(r.reason for r in matching if r.priority == top))


def test_keywords_are_whole_words_accents_ignored():
    rule = turbo.Rule("keyword", "urgente", 2, "Urgente")
    assert turbo.matches(rule, "¡Es URGÉNTE, por favor!", [], {})
    assert not turbo.matches(rule, "no es urgentemente", [], {})
    assert turbo.matches(turbo.Rule("tag", "VIP", 1, "VIP"), "", ["vip"], {})
    assert turbo.matches(turbo.Rule("field", "Taller", 1, "Taller", field="segmento"), "", [], {"segmento": "taller"})
    assert not turbo.matches(turbo.Rule("field", "Taller", 1, "Taller", field="segmento"), "", [], {})
