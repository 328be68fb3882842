from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import events


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Streams "something changed" events for the inboxes the signed-in user may see."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await self._groups_for(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def mostrador_events(self, message):
        # One frame per committed transaction: a JSON array of its events, in order. Each
        # connection joins either the all-inboxes group or its inbox groups, never both, so every
        # event reaches it exactly once.
        await self.send_json(message["events"])

    @database_sync_to_async
    def _groups_for(self, user) -> list[str]:
        if user.sees_every_inbox:
            return [events.ALL_INBOXES_GROUP]
        return [events.inbox_group(pk) for pk in user.inboxes.values_list("pk", flat=True)]
