"""`serve`'s sockets compress their frames only when the installation asks for it
(`MOSTRADOR_WS_COMPRESSION=1`): each socket's compressor costs memory and CPU for every frame."""

from __future__ import annotations

import subprocess

from websockets.sync.client import connect

from tests.faults.test_database_restart import ended, mostrador, until_health
from tests.faults.test_redis_restart import EMAIL, PASSWORD, signed_in
from tests.ports import free_port


def offered_extensions(db: str, extra_env: dict) -> str | None:
    """What a signed-in browser's socket agreed on with a fresh `serve` (its
    Sec-WebSocket-Extensions answer), or None."""
    port = free_port()
    web = mostrador(db, "serve", "--no-jobs", "--port", str(port), extra_env=extra_env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        until_health(base, 200, 120, "serve never became healthy")
        # Browsers always offer permessage-deflate; so does this client.
        with connect(base.replace("http", "ws") + "/ws/events", open_timeout=10,
                     additional_headers={"Cookie": signed_in(base), "Origin": base}) as ws:
            return ws.response.headers.get("Sec-WebSocket-Extensions")
    finally:
        ended(web)


def test_frames_go_uncompressed_unless_the_installation_asks(tmp_path):
    db = f"sqlite:///{tmp_path}/db.sqlite3"
    assert mostrador(db, "migrate", "-v0").wait(timeout=300) == 0
    assert mostrador(db, "user", "create", "--email", EMAIL, "--name", "Vendedora", "--role", "agent",
                     "--password", PASSWORD, stdout=subprocess.DEVNULL).wait(timeout=120) == 0
    assert offered_extensions(db, {}) is None
    assert "permessage-deflate" in offered_extensions(db, {"MOSTRADOR_WS_COMPRESSION": "1"})
