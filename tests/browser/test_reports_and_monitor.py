"""A supervisor's live monitor moves as chats arrive and are answered, and transfers a waiting
chat with one click; the Reportes page draws its charts and applies the wait curve's target."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.sync_api import expect

from mostrador.accounts.models import Role, User
from mostrador.inbox.models import Conversation, Inbox
from tests.browser.conftest import _tokens, customer_writes, login


def as_integration(base: str, method: str, path: str, body: dict | None = None) -> dict:
    response = httpx.request(method, f"{base}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {_tokens[base]}"})
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_the_monitor_moves_live_and_transfers_in_one_click(live_url, shop, page, agent):
    supervisor = User.objects.create_user("sup@example.test", "secret-pass-1", name="Sofía Supervisora", role=Role.SUPERVISOR)
    bruno = User.objects.create_user("bruno@example.test", "secret-pass-1", name="Bruno Díaz", role=Role.AGENT)
    shop.members.add(bruno)
    login(page, live_url, supervisor.email)
    page.goto(f"{live_url}/reports/monitor/")
    expect(page.locator("html")).to_have_attribute("data-live", "1")
    pending = page.locator("[data-testid=monitor-pending] .card-value")
    expect(pending).to_have_text("0")

    customer_writes(live_url, shop, "cliente-1", "¿Tienen el foco del Yaris?")
    expect(pending).to_have_text("1", timeout=3000)
    waits = page.locator("[data-testid=longest-waits] tbody tr")
    expect(waits).to_have_count(1)
    expect(waits.first).to_contain_text("cliente-1")
    # The wait ticks on its own between refreshes.
    expect(waits.first.locator("[data-wait]")).to_contain_text(" s")

    customer_writes(live_url, shop, "cliente-2", "hola")
    expect(pending).to_have_text("2", timeout=3000)

    # One click: the oldest wait goes to Bruno, and his open count moves.
    first = Conversation.objects.get(contact__name="cliente-1")
    page.locator(f"tr[data-conversation='{first.pk}'] [data-testid=monitor-transfer]").select_option(f"u{bruno.pk}")
    bruno_row = page.locator(f"[data-testid=monitor-agents] tr[data-agent='{bruno.pk}']")
    expect(bruno_row.locator("[data-testid=agent-open]")).to_have_text("1", timeout=3000)
    expect(page.locator(f"tr[data-conversation='{first.pk}']")).to_contain_text("Bruno Díaz")
    first.refresh_from_db()
    assert first.assignee_id == bruno.pk

    # Answered: it leaves the monitor's Pendientes at once.
    as_integration(live_url, "POST", f"/conversations/{first.pk}/messages", {"text": "Sí, lo tenemos"})
    expect(pending).to_have_text("1", timeout=3000)
    expect(waits).to_have_count(1)
    expect(waits.first).to_contain_text("cliente-2")


def test_reports_page_draws_charts_and_applies_the_suggested_wait_target(live_url, shop, page, admin):
    import time_machine
    from django.utils import timezone

    from tests.conftest import Api, customer_says, token_for

    # Yesterday (made in this process, with the clock moved): three customers answered within a second carried on; three answered after a
    # minute never wrote again.
    api = Api(token_for(admin))
    start = timezone.now() - timedelta(days=1)
    for n, (wait, comes_back) in enumerate([(0.5, True)] * 3 + [(70, False)] * 3):
        with time_machine.travel(start + timedelta(minutes=5 * n), tick=False) as clock:
            conv = Conversation.objects.get(pk=customer_says(shop.pk, "hola", who=f"c{n}")["conversation_id"])
            clock.shift(wait)
            assert api.post(f"/conversations/{conv.pk}/messages", {"text": "Hola"}).status_code in (200, 201)
            if comes_back:
                clock.shift(1)
                customer_says(shop.pk, "otra cosa", who=f"c{n}")
                clock.shift(1)
                api.post(f"/conversations/{conv.pk}/messages", {"text": "Claro"})
            clock.shift(5)
            assert api.post(f"/conversations/{conv.pk}/resolve").status_code == 200

    login(page, live_url, admin.email)
    page.goto(f"{live_url}/reports/?range=7d&inbox={shop.pk}")
    expect(page.locator("[data-testid=card-cases_closed] .card-value")).to_have_text("6")
    # Every chart is drawn (Chart.js sizes each canvas it draws on).
    for chart in ("chart-daily", "chart-closed", "chart-curve", "chart-routes", "chart-csat", "chart-handled"):
        box = page.locator(f"#{chart}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, chart
    suggestion = page.locator("[data-testid=wait-suggestion]")
    expect(suggestion).to_contain_text("1 min")
    curve = page.locator("[data-testid=curve-table] tbody tr")
    expect(curve).to_have_count(2)
    expect(curve.nth(1)).to_contain_text("100")

    page.locator("[data-testid=apply-wait-target]").click()
    page.wait_for_load_state("networkidle")
    assert Inbox.objects.get(pk=shop.pk).setting("wait_target_seconds") == 60
    expect(page.locator("[data-testid=wait-suggestion]")).to_contain_text("1 min")

    # The CSV link gives the table's numbers.
    href = page.locator("[data-testid=csv-wait-curve]").get_attribute("href")
    body = page.request.get(f"{live_url}{href}").text()
    assert body.splitlines()[0] == "wait_from,wait_to,cases,no_continuation_share"
    assert body.splitlines()[1:] == ["0,1,3,0.0", "60,90,3,1.0"]
