"""One ASGI application for HTTP and WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mostrador.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

from mostrador.core.request_gate import gated  # noqa: E402

django_asgi_app = gated(get_asgi_application())

from mostrador.intake import webhook  # noqa: E402
from mostrador.realtime.consumers import server_send  # noqa: E402
from mostrador.realtime.routing import websocket_urlpatterns  # noqa: E402
from mostrador.realtime.socket_auth import socket_auth  # noqa: E402


async def http(scope, receive, send):
    # Channel notifications skip Django's middleware (see intake/webhook.py).
    if scope["method"] == "POST" and (target := webhook.split_path(scope["path"])):
        return await webhook.asgi_post(*target, scope, receive, send)
    return await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http,
        "websocket": AllowedHostsOriginValidator(server_send(socket_auth(URLRouter(websocket_urlpatterns)))),
    }
)
