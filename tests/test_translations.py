"""Every UI string is translatable, and the Spanish and English catalogs are complete and compiled."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "mostrador" / "locale"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_catalog_is_complete_and_compiled(lang):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.msgstr or "fuzzy" in e.flags)]
    assert untranslated == []
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))
    # Keyed by context too: one English word may need two Spanish ones ("Pendientes" / "Pendiente").
    assert {(e.msgctxt, e.msgid): e.msgstr for e in mo} == {
        (e.msgctxt, e.msgid): e.msgstr for e in po if not e.obsolete and e.msgid
    }


def test_spanish_vocabulary_matches_the_design():
    po = polib.pofile(str(LOCALE / "es" / "LC_MESSAGES" / "django.po"))
    words = {e.msgid: e.msgstr for e in po if not e.msgctxt}
    assert words["Pending"] == "Pendientes"
    assert words["With AI"] == "Con IA"
    assert words["Awaiting customer"] == "Esperando cliente"
    assert words["Mark resolved"] == "Marcar resuelto"
    assert words["Internal note"] == "Nota interna"
