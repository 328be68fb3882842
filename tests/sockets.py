"""Browser tabs' sockets for tests: a signed-in person's cookie, a socket, and a way to know the
server has handled everything sent so far (it answers a ping after what came before)."""

from __future__ import annotations

from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from mostrador.asgi import application


def cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def tab(cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, "/ws/events", headers=[(b"cookie", cookie), (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    )


async def until_pong(socket: WebsocketCommunicator) -> list:
    """Ping, and return every frame the server sent before its answer."""
    await socket.send_json_to({"type": "ping"})
    frames = []
    while (frame := await socket.receive_json_from(timeout=3)) != [{"type": "pong"}]:
        frames.append(frame)
    return frames


async def say(socket: WebsocketCommunicator, message: dict) -> None:
    """Send, then wait until the server has handled it."""
    await socket.send_json_to(message)
    await until_pong(socket)
