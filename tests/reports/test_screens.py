"""The reports' screens through the session a browser has: who may open them, the high-load view's
lists, the page's CSV links and exports, and applying the suggested wait target."""

from __future__ import annotations

import pytest
from django.test import Client

from mostrador.accounts.models import Role
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.inbox.models import Inbox
from tests.conftest import customer_says, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_who_may_open_what(agent, admin, inbox):
    seller, boss = signed_in(agent), signed_in(admin)
    for path in ("/reports/", "/reports/monitor/", "/reports/ui/monitor", "/reports/csv/summary", "/reports/export/cases.csv"):
        assert seller.get(path).status_code == 403, path
        assert boss.get(path).status_code == 200, path
    assert seller.post(f"/reports/inboxes/{inbox.pk}/wait-target", {"seconds": "60"}).status_code == 403
    supervisor = signed_in(make_user("sup@example.test", Role.SUPERVISOR, "Sofía"))
    assert supervisor.get("/reports/").status_code == 200
    # Applying a target changes an inbox's settings: admins only.
    assert supervisor.post(f"/reports/inboxes/{inbox.pk}/wait-target", {"seconds": "60"}).status_code == 403
    answer = boss.post(f"/reports/inboxes/{inbox.pk}/wait-target", {"seconds": "45", "next": "/reports/?range=30d"})
    assert answer.status_code == 302 and answer["Location"] == "/reports/?range=30d"
    assert Inbox.objects.get(pk=inbox.pk).setting("wait_target_seconds") == 45
    assert boss.post(f"/reports/inboxes/{inbox.pk}/wait-target", {"seconds": "nope"}).status_code == 400


def test_high_load_view_lists_only_what_needs_someone_now(agent, inbox):
    hidden = create_inbox("Otra", "api", {})
    ai_box = create_inbox("Con IA", "api", {"ai_enabled": True, "ai_window_seconds": 300})
    ai_box.members.add(agent)
    customer_says(inbox.pk, "¿tienen el foco?", who="espera")
    answered = customer_says(inbox.pk, "hola", who="atendido")["conversation_id"]
    customer_says(ai_box.pk, "hola", who="con-ia")
    customer_says(hidden.pk, "no me ve", who="oculto")
    seller = signed_in(agent)
    seller.post(f"/ui/c/{answered}/reply", {"text": "Hola"})
    page = seller.get("/reports/now/").content.decode()
    assert "Espera" in page and "Con-Ia" in page
    assert "Atendido" not in page and "Oculto" not in page
    fragment = seller.get("/reports/ui/now", {"mine": "1"}).content.decode()
    assert "Espera" not in fragment  # nobody's yet, so not hers


def test_page_csv_and_export_through_the_session(admin, inbox):
    for n in range(3):
        customer_says(inbox.pk, f"mensaje {n}", who=f"c{n}")
    boss = signed_in(admin)
    summary = boss.get("/reports/csv/summary", {"since": "2020-01-01T00:00:00Z"})
    assert summary["Content-Type"].startswith("text/csv")
    assert "cases_opened,,,,,3" in summary.content.decode()
    export = boss.get("/reports/export/messages.csv", {"range": "today"})
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,conversation_id,inbox_id,created_at")
    assert [line.split(",")[9] for line in lines[1:]] == ["mensaje 0", "mensaje 1", "mensaje 2"]
    assert boss.get("/reports/csv/nothing").status_code == 404
    assert boss.get("/reports/csv/summary", {"since": "yesterday"}).status_code == 400
