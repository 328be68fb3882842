"""A free loopback port, for any server a test starts of its own (the browser tests' server, a
private PostgreSQL or Redis)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
