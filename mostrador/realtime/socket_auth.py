"""Who a socket belongs to: Channels' session and auth middleware, with the person read on any of
the event loop's executor threads.

Channels reads the session and the person with `database_sync_to_async`'s default, which runs
every such call of the process on one shared thread, one after another. After a restart every open
tab reconnects at once: a thousand sockets queued there behind each other, and the last waited
about 30 s to be let in. The reads only look (and drop a session whose password changed), so
they need no order between sockets."""

from __future__ import annotations

from channels.auth import AuthMiddleware, get_user
from channels.db import database_sync_to_async
from channels.sessions import CookieMiddleware, SessionMiddleware

# The function Channels wraps, called on a thread of the executor instead of the shared one.
_user_of = database_sync_to_async(get_user.func, thread_sensitive=False)


class SocketAuthMiddleware(AuthMiddleware):
    async def resolve_scope(self, scope):
        scope["user"]._wrapped = await _user_of(scope)


def socket_auth(inner):
    """Channels' AuthMiddlewareStack, with the person read off the shared thread."""
    return CookieMiddleware(SessionMiddleware(SocketAuthMiddleware(inner)))
