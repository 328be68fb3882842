from __future__ import annotations

import logging
import uuid

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import hub, relay

log = logging.getLogger(__name__)


class TabListener:
    """What a capability hears of a browser tab's socket (teamwork keeps presence with it).
    Subclass and register in `listeners`; every method is awaited in the socket's task."""

    async def opened(self, user, tab: str) -> None:
        pass

    async def closed(self, user, tab: str) -> None:
        pass

    async def said(self, user, tab: str, content: dict) -> None:
        pass


listeners: list[TabListener] = []

# A browser says little (ping, idle, active); anything longer is not ours to parse.
MAX_FRAME = 4096

# Where `server_send` leaves the ASGI server's own send in a socket's scope.
SERVER_SEND = "mostrador.server_send"


def server_send(inner):
    """Keeps the server's send in the scope, for the hub's frames (`EventsConsumer._send_frame`).

    A frame passes through Channels' consumer and session middleware on its way out, which look at
    the session on every send to save it when a response starts (a frame never is one). With a
    thousand tabs those layers took about 6% of the event loop's thread, the loop that also
    answers webhooks."""

    async def app(scope, receive, send):
        return await inner({**scope, SERVER_SEND: send}, receive, send)

    return app


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Streams "something changed" events for what the signed-in user may see (inbox.policy),
    their own notifications, and news about colleagues (who is online). The socket joins this
    process's hub (hub.py), which sends it frames; it has no channel of its own."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.tab = uuid.uuid4().hex
        self.hub = hub.here()
        self.receiver = hub.Receiver(user.pk, await self.hub.view_for(user), self._send_frame)
        self.hub.add(self.receiver)
        if relay.enabled():
            await relay.joined(self.hub)
        await self.accept()
        self.receiver.release()
        self.opened = True
        await self._tell("opened")

    async def _send_frame(self, text: str) -> None:
        """How the hub writes a frame: straight to the server (`server_send`, in asgi.py's stack)."""
        await self.scope[SERVER_SEND]({"type": "websocket.send", "text": text})

    async def disconnect(self, code):
        if hasattr(self, "receiver"):
            self.hub.remove(self.receiver)
            if relay.enabled():
                await relay.left(self.hub)
        if getattr(self, "opened", False):
            await self._tell("closed")

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Frames that are not a JSON object are ignored: a browser (or anyone) sending nonsense
        must not take the socket down."""
        if text_data is None or len(text_data) > MAX_FRAME:
            return
        try:
            content = await self.decode_json(text_data)
        except (ValueError, RecursionError):
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and hasattr(self, "user"):
            await self._tell("said", content)
            if content.get("type") == "watch":
                # The page shows this list now: frames carry its changed rows from here on.
                self.receiver.watching = hub.rows.watch(content.get("list"), content.get("lang")) if hub.rows is not None else None
                if content.get("page") is True:
                    # The socket has just opened: the page asks for its list as it is now.
                    self.hub.first_page(self.receiver)
            if content.get("type") == "ping":
                # A browser checking its socket is alive. The answer also says that everything it
                # sent before has been handled, and it comes after every event this process had
                # received by then.
                await self.hub.settled()
                self.receiver.push(hub.PONG)

    async def _tell(self, what: str, *args) -> None:
        for listener in listeners:
            try:
                await getattr(listener, what)(self.user, self.tab, *args)
            except Exception:  # noqa: BLE001 - a listener's failure must not cut the socket
                log.exception("tab listener %r failed on %s", listener, what)
