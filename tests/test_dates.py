"""Dates in the pages: a month's abbreviation is written as each language writes it, in the
organisation's time zone."""

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

# 02:00 UTC on 1 December is still 30 November in Santiago.
LATE_IN_NOVEMBER = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(("lang", "shown"), [("es", "30 nov 2026 23:00"), ("en", "30 Nov 2026 23:00")])
def test_a_short_date_is_cased_as_the_language_writes_it_and_in_local_time(lang, shown):
    page = engines["django"].from_string('{% load mostrador %}{{ when|short_date:"j M Y H:i" }}')
    with translation.override(lang), timezone.override("America/Santiago"):
        assert page.render({"when": LATE_IN_NOVEMBER}) == shown
