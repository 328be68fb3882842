"""Filling a saved answer's variables and choosing its variant, as properties."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules import canned

names = st.sampled_from(["contact.name", "contact.first_name", "agent.name", "inbox.name", "fields.patente", "fields.vin"])
plain = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20)


@given(parts=st.lists(st.tuples(plain, names), max_size=6), tail=plain,
       values=st.dictionaries(names, st.one_of(st.just(""), st.just("  "), st.text(alphabet="abcXYZ ñá", min_size=1, max_size=10))))
def test_every_variable_is_filled_or_left_as_written_and_named(parts, tail, values):
    text = "".join(f"{before}{{{{{name}}}}}" for before, name in parts) + tail
    filled = canned.fill(text, values)
    known = {name for name, value in values.items() if value.strip()}
    expected_missing = []
    for _, name in parts:
        if name not in known and name not in expected_missing:
            expected_missing.append(name)
    assert list(filled.missing) == expected_missing
    # What is left of the variables is exactly the missing ones, as written.
    assert sorted(set(canned.variables_in(filled.text))) == sorted(set(expected_missing))
    for name in known:
        if any(n == name for _, n in parts):
            assert values[name] in filled.text


def test_spaces_and_capitals_inside_the_braces_are_the_same_variable():
    filled = canned.fill("Hola {{ Contact.First_Name }} y {{agent.name}}", {"contact.first_name": "Javiera", "agent.name": "Ana"})
    assert filled.text == "Hola Javiera y Ana" and filled.missing == ()


@given(st.lists(st.tuples(st.sampled_from(canned.SCOPES), st.sampled_from(["", "es", "en", "pt", "pt-BR", "es-CL"])), min_size=1, max_size=8),
       st.sampled_from(["", "es", "pt-BR", "en-US", "de"]))
def test_the_most_specific_scope_wins_then_the_closest_language(variants, language):
    candidates = [canned.Candidate(i, scope, tag) for i, (scope, tag) in enumerate(variants)]
    chosen = canned.best(candidates, language, "es")
    top = min(canned.SCOPES.index(scope) for scope, _ in variants)
    assert canned.SCOPES.index(chosen.scope) == top
    same_scope = [c for c in candidates if c.scope == chosen.scope]
    exact = [c for c in same_scope if language and c.language.lower() == language.lower()]
    if exact:
        assert chosen.language.lower() == language.lower()
    elif language and any(c.language and c.language.split("-")[0] == language.split("-")[0] for c in same_scope):
        assert chosen.language.split("-")[0] == language.split("-")[0]
    elif any(not c.language for c in same_scope):
        assert chosen.language == ""
