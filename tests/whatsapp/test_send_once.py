"""A send whose answer was lost is not sent twice when WhatsApp took it: every send carries our
message id in biz_opaque_callback_data, WhatsApp's statuses bring it back, and a send whose
outcome is unknown waits for that word before going again. Sends to one customer keep their
order even though several go out at once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mostrador.inbox.jobs import deliver_message
from mostrador.inbox.models import Message

from .conftest import arrive, fixture, post_webhook, run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def status(wamid: str, callback: str, name: str = "status_sent") -> None:
    body = json.loads(json.dumps(fixture(name)).replace("WAMID_OUT", wamid))
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] = callback
    assert post_webhook(body).status_code == 200


def test_every_send_carries_our_message_id(graph, agent_api, wa_inbox):
    conv = arrive("text", agent_api)
    sent = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Hola"}).json_body
    run_jobs()
    assert graph.sends()[-1]["biz_opaque_callback_data"] == f"mst:{sent['id']}"


def test_a_lost_answer_is_reconciled_by_the_status_and_never_resent(graph, agent_api, wa_inbox):
    conv = arrive("text", agent_api)
    graph.drop_answers = 1
    sent = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "Le reservo el repuesto"}).json_body
    run_jobs()
    assert Message.objects.get(pk=sent["id"]).status == "queued"  # no answer: outcome unknown
    taken = graph.sends()
    assert len(taken) == 1
    status("wamid.SENT1", taken[0]["biz_opaque_callback_data"])
    run_jobs()
    message = Message.objects.get(pk=sent["id"])
    assert (message.status, message.external_id) == ("sent", "wamid.SENT1")
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):
        run_jobs()
    assert len(graph.sends()) == 1, "sent twice"


def test_with_no_word_from_whatsapp_it_is_sent_again_after_the_window(graph, agent_api, wa_inbox):
    conv = arrive("text", agent_api)
    graph.drop_answers = 1
    sent = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "¿Sigue interesado?"}).json_body
    run_jobs()
    assert len(graph.sends()) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=20), tick=True):
        run_jobs()
    assert len(graph.sends()) == 2
    assert Message.objects.get(pk=sent["id"]).status == "sent"


def test_one_customers_sends_go_out_in_order(graph, agent_api, wa_inbox):
    conv = arrive("text", agent_api)
    first = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "uno"}).json_body
    second = agent_api.post(f"/conversations/{conv['id']}/messages", {"text": "dos"}).json_body
    # A second lane picks the later send first: it waits for the earlier one.
    assert deliver_message.call(second["id"]) == "after_earlier"
    assert deliver_message.call(first["id"]) == "sent"
    assert deliver_message.call(second["id"]) == "sent"
    assert [b["text"]["body"] for b in graph.sends()] == ["uno", "dos"]
