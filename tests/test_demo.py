"""`mostrador demo` loads a shop a newcomer can work in at once, and running it again changes
nothing (CONTRACT.md)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from mostrador.canned.models import CannedResponse
from mostrador.inbox.models import Conversation
from mostrador.quotes.models import Quote

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_has_chats_in_every_state_and_quotes_and_loads_once():
    out = io.StringIO()
    call_command("demo", base_url="http://127.0.0.1:8000", stdout=out)
    chats, quotes = Conversation.objects.count(), sorted(Quote.objects.values_list("stage", flat=True))
    assert chats >= 8
    assert quotes == ["to_quote", "to_quote", "won"]
    # Saved answers, so "/" in the reply box shows something on the first day.
    assert sorted(CannedResponse.objects.values_list("shortcode", flat=True)) == ["despacho", "horario", "patente", "saludo", "stock"]
    call_command("demo", base_url="http://127.0.0.1:8000", stdout=out)
    assert Conversation.objects.count() == chats and Quote.objects.count() == 3
