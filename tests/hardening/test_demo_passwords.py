"""The demo's published passwords: fine on this machine; from anywhere else, whoever signs in
with one chooses their own before anything else. Every password set on a page meets Django's
validators."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from mostrador.accounts.models import User
from mostrador.core.demo import PASSWORD, load_demo

pytestmark = pytest.mark.django_db

SELLER = "ana@demo.mostrador.app"


@pytest.fixture
def demo(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "ventas.example.com"]
    load_demo()


def signed_in(host: str) -> Client:
    browser = Client(HTTP_HOST=host)
    assert browser.post("/login/", {"username": SELLER, "password": PASSWORD}).status_code == 302
    return browser


def test_from_another_machine_the_demo_password_must_be_changed_first(demo):
    browser = signed_in("ventas.example.com")
    for page in ("/", "/c/1", "/quotes/", "/channels/"):
        answer = browser.get(page)
        assert answer.status_code == 302 and answer["Location"].startswith("/account/password/"), page
    form = browser.get("/account/password/").content.decode()
    assert 'data-testid="demo-password-warning"' in form
    changed = browser.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "Repuestos-del-Sur-77", "new_password2": "Repuestos-del-Sur-77"},
    )
    assert changed.status_code == 302
    assert browser.get("/").status_code == 200  # still signed in, and free to work
    assert not User.objects.get(email=SELLER).uses_demo_password


def test_on_this_machine_the_demo_just_works(demo):
    assert signed_in("127.0.0.1:8000").get("/").status_code == 200
    assert signed_in("localhost").get("/").status_code == 200


@pytest.mark.parametrize("weak", ["12345678", "password", "anarojas", "corto"])
def test_weak_new_passwords_are_refused(demo, weak):
    browser = signed_in("ventas.example.com")
    answer = browser.post("/account/password/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert answer.status_code == 422 and 'data-testid="password-error"' in answer.content.decode()
    assert User.objects.get(email=SELLER).check_password(PASSWORD)


def test_the_same_password_again_is_not_a_change(demo):
    browser = signed_in("ventas.example.com")
    answer = browser.post("/account/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert answer.status_code == 422
    assert browser.get("/").status_code == 302


def test_the_command_line_names_a_weak_password(capsys):
    call_command("user", "create", "--email", "x@example.test", "--name", "X", "--role", "agent", "--password", "12345")
    assert "weak password" in capsys.readouterr().err
    assert User.objects.get(email="x@example.test").check_password("12345")
