from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import events

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
# WebSocket close code 1013: the server cannot serve the socket just now.
TRY_AGAIN_LATER = 1013


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Streams "something changed" events for what the signed-in user may see (inbox.policy),
    their own notifications, and news about colleagues (who is online)."""

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except Exception:  # noqa: BLE001 - the channel layer (Redis) failed under an open socket
            log.warning("the realtime layer failed under an open socket; closing it", exc_info=True)
            # A close frame saying "try again later", not a dropped connection: the page
            # reconnects with backoff, and once the layer is back it joins its groups again
            # and fetches what it missed.
            try:
                await send({"type": "websocket.close", "code": TRY_AGAIN_LATER})
            except Exception:  # noqa: BLE001 - the browser may be gone already
                log.debug("could not send the close frame", exc_info=True)
            if getattr(self, "opened", False):
                self.opened = False
                await self._tell("closed")

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        groups, self.own_only = await self._groups_for(user)
        self.groups_joined = []
        try:
            for group in groups:
                await self.channel_layer.group_add(group, self.channel_name)
                self.groups_joined.append(group)
        except Exception:  # noqa: BLE001 - the layer (Redis) is down or restarting
            log.warning("could not join the realtime groups; the browser will try again", exc_info=True)
            # A proper close ("try again later"), not a failed handshake: the page reconnects
            # with backoff and fetches what it missed.
            await self.accept()
            await self.close(code=TRY_AGAIN_LATER)
            return
        await self.accept()
        self.opened = True
        await self._tell("opened")

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # noqa: BLE001 - a membership the layer lost with its restart
                log.warning("could not leave realtime group %s", group, exc_info=True)
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
            if content.get("type") == "ping":
                # A browser checking its socket is alive; the answer also says everything it
                # sent before has been handled.
                await self.send_json([{"type": "pong"}])

    async def _tell(self, what: str, *args) -> None:
        for listener in listeners:
            try:
                await getattr(listener, what)(self.user, self.channel_name, *args)
            except Exception:  # noqa: BLE001 - a listener's failure must not cut the socket
                log.exception("tab listener %r failed on %s", listener, what)

    async def mostrador_events(self, message):
        # One frame per committed transaction: a JSON array of its events, in order. Each
        # connection joins either the all-inboxes group or its inbox groups, never both, so every
        # event reaches it exactly once.
        batch = message["events"]
        if any(e.get("type") == events.ACCESS_CHANGED for e in batch):
            await self._regroup()
        if self.own_only and any(e.get("inbox_id") in self.own_only for e in batch):
            batch = await self._visible(batch)
        if batch:
            await self.send_json(batch)

    async def _regroup(self) -> None:
        """Join the groups the person's access now calls for, and leave the others."""
        groups, self.own_only = await self._groups_for(self.user)
        for group in set(self.groups_joined) - set(groups):
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in set(groups) - set(self.groups_joined):
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups

    @database_sync_to_async
    def _visible(self, batch: list[dict]) -> list[dict]:
        """In inboxes where this agent sees only their own chats and the unassigned ones, the
        events of other people's chats are left out."""
        from mostrador.inbox.models import Conversation

        ids = {e["conversation_id"] for e in batch if e.get("inbox_id") in self.own_only and "conversation_id" in e}
        hidden = set(
            Conversation.objects.filter(pk__in=ids, assignee__isnull=False)
            .exclude(assignee_id=self.user.pk)
            .values_list("pk", flat=True)
        )
        return [e for e in batch if e.get("conversation_id") not in hidden or e.get("inbox_id") not in self.own_only]

    @database_sync_to_async
    def _groups_for(self, user) -> tuple[list[str], frozenset[int]]:
        from mostrador.inbox.policy import scope_of

        scope = scope_of(user)
        personal = [events.user_group(user.pk), events.EVERYONE_GROUP]
        if scope.everything:
            return [events.ALL_INBOXES_GROUP, *personal], frozenset()
        return [*(events.inbox_group(pk) for pk in sorted(scope.inbox_ids)), *personal], scope.own_only
