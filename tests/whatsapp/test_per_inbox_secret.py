"""A notification is genuine only when signed with the app secret of the inbox it is for."""

from __future__ import annotations

import pytest

from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Message

from .conftest import PHONE_NUMBER_ID, fixture, post_webhook, run_jobs

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_SECRET = "another-shops-secret-456"


@pytest.fixture
def other_inbox(wa_inbox, graph):
    return create_inbox(
        "Otra tienda", "whatsapp",
        {"phone_number_id": "200000000000002", "app_secret": OTHER_SECRET, "graph_api_url": graph.graph_api_url, "access_token": "t"},
    )


def test_another_inboxes_secret_does_not_vouch_for_this_inboxs_customers(wa_inbox, other_inbox):
    body = fixture("text")
    assert body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] == PHONE_NUMBER_ID
    refused = post_webhook(body, secret=OTHER_SECRET)
    assert refused.status_code == 403 and refused.json()["code"] == "bad_signature"
    run_jobs()
    assert not Message.objects.exists()
    # Signed with its own inbox's secret, the same notification is taken.
    assert post_webhook(body).status_code == 200
    run_jobs()
    assert Message.objects.filter(inbox=wa_inbox).count() == 1
