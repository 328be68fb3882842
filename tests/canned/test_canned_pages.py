"""The page to keep saved answers, and CSV out and in (all rows or none)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mostrador.accounts.models import Role, Team
from mostrador.canned.models import CannedResponse
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def browser(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    return client


def test_a_seller_keeps_her_own_answers_from_the_page(agent):
    page = browser(agent)
    answer = page.post("/canned/", {"shortcode": "/Envio", "text": "Despachamos a todo Chile, {{contact.first_name}}.", "scope": "personal"})
    assert answer.status_code == 302
    [kept] = CannedResponse.objects.all()
    assert (kept.shortcode, kept.owner_id, kept.scope) == ("envio", agent.pk, "personal")
    shown = page.get("/canned/").content.decode()
    assert "/envio" in shown and "Despachamos a todo Chile" in shown
    # Sharing with everyone is refused to a seller, and her text comes back to fix.
    refused = page.post("/canned/", {"shortcode": "todos", "text": "Hola a todos", "scope": "everyone"}).content.decode()
    assert "Solo administradores y supervisores" in refused and "Hola a todos" in refused
    page.post(f"/canned/{kept.pk}/", {"shortcode": "envio", "text": "Despacho en 48 h", "scope": "personal"})
    assert CannedResponse.objects.get().text == "Despacho en 48 h"
    page.post(f"/canned/{kept.pk}/delete")
    assert not CannedResponse.objects.exists()


def test_csv_out_and_in_round_trip_and_a_bad_row_writes_nothing(admin):
    Team.objects.create(name="Ventas")
    page = browser(admin)
    for body in ({"shortcode": "saludo", "text": "Hola {{contact.first_name}}", "scope": "everyone"},
                 {"shortcode": "saludo", "text": "Hi {{contact.first_name}}", "language": "en", "scope": "everyone"},
                 {"shortcode": "mio", "text": "Una línea,\ncon coma y \"comillas\"", "scope": "personal"}):
        assert page.post("/canned/", body).status_code == 302
    exported = page.get("/canned/export.csv").content.decode()
    assert exported.splitlines()[0] == "shortcode,language,text,scope,team,inbox"
    CannedResponse.objects.all().delete()
    back = page.post("/canned/import", {"file": SimpleUploadedFile("r.csv", exported.encode(), "text/csv")})
    assert back.status_code == 200 and "3 nuevas" in back.content.decode()
    assert sorted(CannedResponse.objects.values_list("shortcode", "language", "text")) == [
        ("mio", "", "Una línea,\ncon coma y \"comillas\""), ("saludo", "", "Hola {{contact.first_name}}"), ("saludo", "en", "Hi {{contact.first_name}}"),
    ]
    # Importing again replaces instead of duplicating; a row for an unknown team stops it all.
    bad = exported + "equipo,,Para el equipo,team,No existe,\n"
    refused = page.post("/canned/import", {"file": SimpleUploadedFile("r.csv", bad.encode(), "text/csv")})
    assert refused.status_code == 400 and "Línea 5" in refused.content.decode()
    assert CannedResponse.objects.count() == 3
    team_row = exported + "equipo,,Para el equipo,team,ventas,\n"
    done = page.post("/canned/import", {"file": SimpleUploadedFile("r.csv", team_row.encode(), "text/csv")}).content.decode()
    assert "1 nuevas, 3 reemplazadas" in done
    assert CannedResponse.objects.get(shortcode="equipo").team.name == "Ventas"


def test_the_picker_offers_one_filled_variant_per_shortcode_and_only_what_the_person_may_use(agent, inbox):
    from tests.conftest import customer_says

    other = make_user("otro@example.test", Role.AGENT, "Otro")
    conv = customer_says(inbox.pk, "hola", who="javiera-soto")["conversation_id"]
    CannedResponse(shortcode="saludo", text="Hola {{contact.first_name}}, soy {{agent.name}}").save()
    CannedResponse(shortcode="saludo", text="Hi {{contact.first_name}}", language="en").save()
    CannedResponse(shortcode="patente", text="¿Patente {{fields.patente}}?", owner=agent).save()
    CannedResponse(shortcode="secreto", text="de otro", owner=other).save()
    offers = browser(agent).get(f"/canned/ui/c/{conv}").json()["answers"]
    assert [(o["shortcode"], o["text"], o["missing"]) for o in offers] == [
        ("patente", "¿Patente {{fields.patente}}?", ["fields.patente"]),
        ("saludo", "Hola Javiera-Soto, soy Ana Rojas", []),
    ]
    assert browser(other).get(f"/canned/ui/c/{conv}").status_code == 404
