"""The summary on return in the words of the inbox's LLM agent: asked with what happened since
the seller last looked, shown in place of the list; when the model fails, the list stays."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.test import Client

from tests.conftest import customer_says

from .fakes import completion

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 2, 13, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def no_summaries_kept():
    """Summaries are kept in the cache; ids start over in each test's database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def returned(agent, llm, llm_inbox, settings):
    """The seller looked at a chat, went away two hours while the customer wrote; her pane now.
    Yields her client and the pane's address for the written summary, with the clock held."""
    settings.MOSTRADOR_CATCHUP_AFTER_SECONDS = 3600
    seller = Client(HTTP_ACCEPT_LANGUAGE="es")
    seller.force_login(agent)
    with time_machine.travel(T0, tick=False) as clock:
        llm.default = completion("ignored")
        conv = customer_says(llm_inbox.pk, "Hola, necesito un foco", who="javiera")["conversation_id"]
        seller.post(f"/ui/c/{conv}/seen")
        clock.shift(timedelta(hours=2))
        customer_says(llm_inbox.pk, "Es para un Yaris 2016, el trasero derecho", who="javiera")
        clock.shift(timedelta(minutes=5))
        pane = seller.get(f"/ui/c/{conv}").content.decode()
        written_url = pane.split('hx-get="/catchup/', 1)[1].split('"', 1)[0]
        yield seller, "/catchup/" + written_url.replace("&amp;", "&")


def test_the_inbox_model_writes_the_summary(llm, returned):
    seller, url = returned
    llm.requests.clear()
    llm.script = [completion("Javiera busca el foco trasero derecho de un Yaris 2016; falta cotizarlo.")]
    answer = seller.get(url)
    assert answer.status_code == 200
    assert "Javiera busca el foco trasero derecho de un Yaris 2016" in answer.content.decode()
    [request] = llm.requests
    sent = request["json"]
    assert "tools" not in sent and sent["model"] == "gpt-test"
    assert "'es'" in sent["messages"][0]["content"]
    assert "Customer: Es para un Yaris 2016, el trasero derecho" in sent["messages"][1]["content"]
    assert "Customer: Hola, necesito un foco" not in sent["messages"][1]["content"]  # before she looked
    # Asked again (a refresh): the same summary, without asking the model again.
    assert "Yaris 2016" in seller.get(url).content.decode()
    assert len(llm.requests) == 1


def test_when_the_model_fails_the_list_stays(llm, returned):
    seller, url = returned
    llm.script = [(500, {"error": {"message": "overloaded"}})]
    assert seller.get(url).status_code == 204
    assert seller.get(url.replace("since=", "since=9")).status_code == 404  # not a moment it offered
    other = Client()
    assert other.get(url).status_code == 302
