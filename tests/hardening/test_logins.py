"""Guessing passwords meets a lockout; the right password still works for everyone else."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def attempt(client: Client, email: str, password: str):
    return client.post("/login/", {"username": email, "password": password})


def test_wrong_passwords_lock_the_account_from_that_address(agent, admin):
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        assert attempt(guesser, agent.email, "guess").status_code == 200  # the form again
    assert attempt(guesser, agent.email, "guess").status_code == 429  # the fifth locks
    locked = attempt(guesser, agent.email, "secret-pass-1")
    assert locked.status_code == 429 and "login-locked" in locked.content.decode()
    # The person themselves, elsewhere, and other accounts are not locked out.
    assert attempt(Client(REMOTE_ADDR="198.51.100.2"), agent.email, "secret-pass-1").status_code == 302
    assert attempt(Client(REMOTE_ADDR="203.0.113.7"), admin.email, "secret-pass-1").status_code == 302


def test_a_right_password_resets_the_count(agent):
    browser = Client(REMOTE_ADDR="203.0.113.8")
    for _ in range(4):
        attempt(browser, agent.email, "guess")
    assert attempt(browser, agent.email, "secret-pass-1").status_code == 302
    for _ in range(4):
        attempt(Client(REMOTE_ADDR="203.0.113.8"), agent.email, "guess")
    assert attempt(Client(REMOTE_ADDR="203.0.113.8"), agent.email, "secret-pass-1").status_code == 302
