"""The memory of merged past days never changes a report's numbers: read cold, warm, with a day
changed in between, or with room for only one merge at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from mostrador.accounts.models import Role
from mostrador.cases import rollups
from mostrador.cases.models import Case
from mostrador.inbox.actions.inboxes import create_inbox
from tests.conftest import Api, customer_says, make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("America/Santiago"))


def served(api, inbox_id, who, at):
    with time_machine.travel(at, tick=False) as clock:
        conv = customer_says(inbox_id, "hola", who=who)["conversation_id"]
        clock.shift(timedelta(seconds=30))
        api.post(f"/conversations/{conv}/messages", {"text": "Hola"})
        clock.shift(timedelta(seconds=60))
        api.post(f"/conversations/{conv}/resolve")


def test_kept_merges_give_the_same_numbers_as_a_cold_read(settings, monkeypatch):
    settings.TIME_ZONE = "America/Santiago"
    sup = Api(token_for(make_user("sup@example.test", Role.SUPERVISOR, "Sofía")))
    sellers = [make_user(f"v{n}@example.test", Role.AGENT, f"V{n}") for n in range(3)]
    box = create_inbox("Tienda", "api", {})
    box.members.add(*sellers)
    apis = [Api(token_for(s)) for s in sellers]
    for day in range(3):
        for n, api in enumerate(apis[: day + 1]):
            served(api, box.pk, f"c{day}-{n}", DAY + timedelta(days=day, minutes=n))
    window = {"since": DAY.replace(hour=0).isoformat(), "until": (DAY.replace(hour=0) + timedelta(days=4)).isoformat()}

    with time_machine.travel(DAY + timedelta(days=3), tick=False):
        rollups._merged.clear()
        cold = [sup.get(path, **window).json_body for path in ("/reports/agents", "/reports/summary")]
        assert [row["cases_closed"] for row in cold[0]["items"]] == [3, 2, 1]
        assert [sup.get(path, **window).json_body for path in ("/reports/agents", "/reports/summary")] == cold
        monkeypatch.setattr(rollups, "MERGED_KEPT", 1)
        rollups._merged.clear()
        # Each read keeps merges that push out the ones it found at its start.
        for _ in range(3):
            assert sup.get("/reports/agents", **window).json_body == cold[0]
        assert sup.get("/reports/summary", **window).json_body == cold[1]
    # A past day changes: a case opened on the first day closes now, and its opening is counted
    # on that day's row. The kept merge of the past days is not used any more.
    with time_machine.travel(DAY + timedelta(hours=5), tick=False):
        late = customer_says(box.pk, "¿hola?", who="late")["conversation_id"]
    with time_machine.travel(DAY + timedelta(days=3, minutes=30), tick=False):
        apis[2].post(f"/conversations/{late}/messages", {"text": "Perdón la demora"})
        apis[2].post(f"/conversations/{late}/resolve")
    with time_machine.travel(DAY + timedelta(days=3, hours=1), tick=False):
        summary = sup.get("/reports/summary", **window).json_body
        assert (summary["cases_opened"], summary["cases_closed"]) == (cold[1]["cases_opened"] + 1, cold[1]["cases_closed"] + 1)
        past_days = sup.get("/reports/summary", since=window["since"], until=(DAY.replace(hour=0) + timedelta(days=1)).isoformat())
        assert past_days.json_body["cases_opened"] == 2
        # A rebuild writes every row anew (a repair, after cases were changed by hand): the kept
        # merges of the old rows are not used any more.
        call_command("reports", "rebuild")
        assert sup.get("/reports/summary", **window).json_body == summary
        Case.objects.filter(closed_at__lt=DAY.replace(hour=23)).delete()
        call_command("reports", "rebuild")  # the same rows, versions and days, by new ids
        repaired = sup.get("/reports/summary", **window).json_body
        assert repaired["cases_closed"] == summary["cases_closed"] - 1
