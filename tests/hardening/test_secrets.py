"""The secret key is never one published with the code, can be rotated, and a credential sealed
under a lost key is reported, not silently treated as unset."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from mostrador.core.secret_box import SecretUnreadable, seal, unseal
from mostrador.inbox.actions.inboxes import create_inbox

ROOT = Path(__file__).resolve().parents[2]


def key_in(data_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MOSTRADOR_SECRET_KEY"}
    env.update(MOSTRADOR_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="mostrador.settings")
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SECRET_KEY)"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def test_without_a_key_each_installation_makes_its_own_and_keeps_it(tmp_path):
    first = key_in(tmp_path / "a")
    assert len(first) >= 50 and "insecure" not in first
    assert key_in(tmp_path / "a") == first  # kept
    assert key_in(tmp_path / "b") != first  # never shared
    assert oct((tmp_path / "a" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_an_old_key_in_the_fallbacks_still_opens_what_it_sealed(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 40
    sealed = seal("EAAG-token")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key-" + "y" * 40, []
    with pytest.raises(SecretUnreadable):
        unseal(sealed)
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 40]
    assert unseal(sealed) == "EAAG-token"


@pytest.mark.django_db
def test_a_credential_sealed_under_a_lost_key_is_reported_by_inbox(settings, admin, caplog):
    settings.SECRET_KEY = "old-key-" + "x" * 40
    inbox = create_inbox("WhatsApp Sur", "whatsapp", {"phone_number_id": "123", "access_token": "EAAG"})
    settings.SECRET_KEY = "new-key-" + "y" * 40
    with caplog.at_level(logging.ERROR):
        assert inbox.secret("access_token") == ""
    assert "WhatsApp Sur" in caplog.text and "access_token" in caplog.text
    assert inbox.unreadable_secrets == ["access_token"]
    browser = Client()
    browser.force_login(admin)
    assert "data-testid=\"secret-unreadable\"" in browser.get(f"/channels/{inbox.pk}/").content.decode()
