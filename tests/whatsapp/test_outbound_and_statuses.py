"""Sending to WhatsApp through a fake Graph API on loopback: request bodies in Meta's format,
retries, per-recipient backoff, permanent failures, and statuses that only move forward."""

from __future__ import annotations

import json

import pytest

from mostrador.inbox.models import Message

from .conftest import arrive, fixture, post_webhook, run_jobs, seller

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conv_id(wa_inbox, agent_api):
    return arrive("text", agent_api)["id"]


def send(agent_api, conv_id, body):
    response = agent_api.post(f"/conversations/{conv_id}/messages", body)
    assert response.status_code == 201, response.json_body
    return response.json_body


def message(agent_api, conv_id, message_id):
    return next(m for m in agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"] if m["id"] == message_id)


def status_webhook(name, wamid):
    body = json.loads(json.dumps(fixture(name)).replace("WAMID_OUT", wamid))
    assert post_webhook(body).status_code == 200


def test_text_reply_quotes_and_is_sent_once(graph, agent_api, conv_id):
    first = agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][0]
    sent = send(agent_api, conv_id, {"text": "Sí, tenemos. ¿Patente?", "reply_to_id": first["id"]})
    assert sent["status"] == "queued"
    run_jobs()
    run_jobs()
    [body] = graph.sends()
    assert body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "56912345678",
        "type": "text",
        "text": {"body": "Sí, tenemos. ¿Patente?", "preview_url": False},
        "context": {"message_id": first["external_id"]},
        "biz_opaque_callback_data": f"mst:{sent['id']}",
    }
    assert graph.requests[-1]["auth"] == "Bearer EAAG-test-token"
    after = message(agent_api, conv_id, sent["id"])
    assert after["status"] == "sent" and after["external_id"] == "wamid.SENT1"


def test_template_interactive_and_media_bodies(graph, agent_api, conv_id):
    send(agent_api, conv_id, {"template": {"name": "pedido_listo", "language": "es", "params": ["#4411"]}})
    send(agent_api, conv_id, {"text": "¿Qué necesitas?", "interactive": {"buttons": [{"id": "cotizar", "title": "Cotizar"}, {"id": "estado", "title": "Estado pedido"}]}})
    send(agent_api, conv_id, {"text": "Elige", "interactive": {"button": "Ver", "sections": [{"title": "Frenos", "rows": [{"id": "pastillas", "title": "Pastillas"}]}]}})
    send(agent_api, conv_id, {"text": "Catálogo", "media": {"type": "document", "link": "https://example.test/catalogo.pdf", "filename": "catalogo.pdf"}})
    run_jobs()
    template, buttons, listing, document = graph.sends()
    assert template["template"] == {
        "name": "pedido_listo",
        "language": {"code": "es"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "#4411"}]}],
    }
    assert buttons["interactive"]["type"] == "button"
    assert buttons["interactive"]["action"]["buttons"][1] == {"type": "reply", "reply": {"id": "estado", "title": "Estado pedido"}}
    assert listing["interactive"]["action"] == {"button": "Ver", "sections": [{"title": "Frenos", "rows": [{"id": "pastillas", "title": "Pastillas"}]}]}
    assert document["document"] == {"link": "https://example.test/catalogo.pdf", "caption": "Catálogo", "filename": "catalogo.pdf"}


def test_a_single_untitled_section_is_sent_without_a_title(graph, agent_api, conv_id):
    send(agent_api, conv_id, {"text": "Elige", "interactive": {"button": "Ver", "sections": [{"rows": [{"id": "a", "title": "Pastillas"}]}]}})
    run_jobs()
    [listing] = graph.sends()
    assert listing["interactive"]["action"]["sections"] == [{"rows": [{"id": "a", "title": "Pastillas"}]}]


@pytest.mark.parametrize(
    "interactive, says",
    [
        ({"buttons": [{"id": "a", "title": "Uno"}, {"id": "a", "title": "Dos"}]}, "own id"),
        ({"button": "Ver", "sections": [{"title": "A", "rows": [{"id": f"r{i}", "title": "x"} for i in range(6)]},
                                        {"title": "B", "rows": [{"id": f"s{i}", "title": "x"} for i in range(5)]}]}, "10 rows"),
        ({"button": "Ver", "sections": [{"rows": [{"id": "a", "title": "x"}]}, {"title": "B", "rows": [{"id": "b", "title": "y"}]}]}, "title"),
        ({"button": "Ver", "sections": [{"title": "A", "rows": [{"id": "a", "title": "x"}, {"id": "a", "title": "y"}]}]}, "own id"),
        ({"buttons": [{"id": f"b{i}", "title": f"Opción {i}"} for i in range(4)]}, "at most 3 buttons"),
        ({"buttons": [{"id": "a", "title": "Un título de veintiún c"}]}, "at most 20 characters"),
    ],
    ids=["repeated-button-id", "eleven-rows", "untitled-section-among-several", "repeated-row-id", "four-buttons", "long-title"],
)
def test_menus_whatsapp_would_refuse_are_refused_before_they_are_queued(graph, agent_api, conv_id, interactive, says):
    response = agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Elige", "interactive": interactive})
    assert response.status_code == 422 and says in response.json_body["detail"]
    run_jobs()
    assert graph.sends() == [] and not Message.objects.filter(direction="out").exists()


@pytest.mark.parametrize("code, http_status", [(130429, 400), (131000, 500), (1, 503)])
def test_transient_errors_are_retried_until_sent(graph, agent_api, conv_id, code, http_status):
    graph.fail_next(code, http_status)
    graph.fail_next(code, http_status)
    sent = send(agent_api, conv_id, {"text": "hola"})
    run_jobs(rounds=6)
    assert len(graph.sends(accepted=False)) == 3 and len(graph.sends()) == 1
    assert message(agent_api, conv_id, sent["id"])["status"] == "sent"


def test_network_errors_are_retried(graph, agent_api, conv_id, wa_inbox):
    from mostrador.inbox.actions.inboxes import update_inbox

    update_inbox(wa_inbox, raw_settings={"graph_api_url": "http://127.0.0.1:9/v23.0"})
    sent = send(agent_api, conv_id, {"text": "hola"})
    run_jobs(rounds=1)
    assert Message.objects.get(pk=sent["id"]).status == "queued"
    update_inbox(wa_inbox, raw_settings={"graph_api_url": graph.graph_api_url})
    run_jobs()
    assert message(agent_api, conv_id, sent["id"])["status"] == "sent"


def test_pair_rate_limit_holds_every_send_to_that_customer(graph, agent_api, conv_id):
    from mostrador.inbox.models import ContactIdentity

    graph.fail_next(131056)
    first = send(agent_api, conv_id, {"text": "uno"})
    run_jobs(rounds=1)
    assert ContactIdentity.objects.filter(send_not_before__isnull=False).exists()
    second = send(agent_api, conv_id, {"text": "dos"})
    run_jobs(rounds=1)  # still held: nothing reached the API for this customer
    assert [b["text"]["body"] for b in graph.sends(accepted=False)] == ["uno"]
    ContactIdentity.objects.update(send_not_before=None)
    run_jobs()
    assert sorted(b["text"]["body"] for b in graph.sends()) == ["dos", "uno"]
    assert {message(agent_api, conv_id, m["id"])["status"] for m in (first, second)} == {"sent"}


def test_permanent_error_fails_with_a_reason_and_can_be_retried(graph, agent_api, conv_id, agent):
    graph.fail_next(131047, message="Re-engagement message")
    sent = send(agent_api, conv_id, {"text": "hola"})
    run_jobs()
    failed = message(agent_api, conv_id, sent["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "131047"
    assert len(graph.sends(accepted=False)) == 1 and graph.sends() == []
    client = seller(agent)
    page = client.get(f"/ui/c/{conv_id}", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Han pasado más de 24 horas" in page
    page = client.get(f"/ui/c/{conv_id}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "More than 24 hours have passed" in page
    retried = agent_api.post(f"/conversations/{conv_id}/messages/{sent['id']}/retry")
    assert retried.status_code == 200 and retried.json_body["status"] == "queued"
    run_jobs()
    assert message(agent_api, conv_id, sent["id"])["status"] == "sent"
    assert agent_api.post(f"/conversations/{conv_id}/messages/{sent['id']}/retry").json_body["code"] == "not_failed"


def test_a_retry_after_a_reported_failure_follows_the_new_attempt(graph, agent_api, conv_id, agent):
    sent = send(agent_api, conv_id, {"text": "hola"})
    run_jobs()
    first_wamid = message(agent_api, conv_id, sent["id"])["external_id"]
    status_webhook("status_failed_131026", first_wamid)
    run_jobs()
    assert message(agent_api, conv_id, sent["id"])["status"] == "failed"

    assert agent_api.post(f"/conversations/{conv_id}/messages/{sent['id']}/retry").status_code == 200
    # A late report about the first attempt does not touch the retry.
    status_webhook("status_failed_131026", first_wamid)
    run_jobs()
    retried = message(agent_api, conv_id, sent["id"])
    assert retried["status"] == "sent" and retried["external_id"] not in (None, first_wamid)
    assert len(graph.sends()) == 2
    # The new attempt's reports reach the message.
    status_webhook("status_delivered", retried["external_id"])
    run_jobs()
    assert message(agent_api, conv_id, sent["id"])["status"] == "delivered"


def test_statuses_only_move_forward(graph, agent_api, conv_id):
    sent = send(agent_api, conv_id, {"text": "hola"})
    run_jobs()
    wamid = message(agent_api, conv_id, sent["id"])["external_id"]
    status_webhook("status_read", wamid)
    status_webhook("status_delivered", wamid)  # late
    status_webhook("status_sent", wamid)  # later still
    run_jobs()
    assert message(agent_api, conv_id, sent["id"])["status"] == "read"


def test_failed_status_from_the_webhook_shows_on_the_message(graph, agent_api, conv_id):
    sent = send(agent_api, conv_id, {"text": "hola"})
    run_jobs()
    wamid = message(agent_api, conv_id, sent["id"])["external_id"]
    status_webhook("status_failed_131026", wamid)
    run_jobs()
    failed = message(agent_api, conv_id, sent["id"])
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "131026", "message": "Message Undeliverable."}


def test_a_status_that_overtakes_its_send_is_applied_later(graph, agent_api, conv_id):
    sent = send(agent_api, conv_id, {"text": "hola"})
    status_webhook("status_delivered", "wamid.SENT1")  # Meta's webhook beat our own bookkeeping
    run_jobs()
    assert message(agent_api, conv_id, sent["id"])["status"] == "delivered"


def test_a_burst_of_statuses_that_overtake_their_sends_is_looked_at_again_in_one_job(graph, agent_api, conv_id):
    from django_tasks_db.models import DBTaskResult

    from mostrador.intake.jobs import STATUS_ATTEMPTS, drain_all
    from mostrador.intake.models import InboundLog

    sent = [send(agent_api, conv_id, {"text": f"hola {n}"}) for n in range(3)]
    # Meta's statuses beat our own bookkeeping of all three, and one is of a message sent from
    # the business's phone, which will never match.
    for wamid in ("wamid.SENT1", "wamid.SENT2", "wamid.SENT3", "wamid.FROM_THE_PHONE"):
        status_webhook("status_delivered", wamid)
    assert drain_all() == 4
    looks = DBTaskResult.objects.filter(task_path__endswith="look_at_statuses_again")
    assert looks.count() == 1
    run_jobs()
    assert [message(agent_api, conv_id, m["id"])["status"] for m in sent] == ["delivered"] * 3
    # The one that never matches is looked at a few times, then left alone.
    stray = next(e for e in InboundLog.objects.filter(channel="whatsapp") if b"FROM_THE_PHONE" in bytes(e.body))
    assert (stray.state, stray.attempts) == ("processed", STATUS_ATTEMPTS)
    assert not looks.filter(status="READY").exists()
