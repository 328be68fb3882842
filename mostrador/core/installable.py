"""Mostrador as an installable web app: its manifest, and a service worker that keeps the app's
shell (styles, scripts, icons) for a fast start and an offline notice. It never stores
customers' data: pages, lists, chats, media and the API always come from the server."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The ranges of the emoji font that hold the icons: every page preloads them (base.html, through
# the `icon_fonts` context) and the shell keeps them.
ICON_FONTS = [f"vendor/noto-emoji/files/noto-emoji-{n}-400-normal.woff2" for n in (2, 3, 9)]

SHELL = [
    "mostrador/app.css",
    "mostrador/app.js",
    "vendor/htmx/htmx.min.js",
    "mostrador/icons/icon-192.png",
    "mostrador/icons/icon-512.png",
    "vendor/noto-emoji/400.css",
    *ICON_FONTS,
]

# Bumped when what the worker does changes; the shell's own files are keyed by their URLs.
WORKER_VERSION = "2"


@require_GET
def manifest(request):
    return JsonResponse({
        "name": "Mostrador",
        "short_name": "Mostrador",
        "description": _("Your team's shared inbox for WhatsApp and other chats"),
        "start_url": "/?tab=pending",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f0f2f5",
        "theme_color": "#0b7a5f",
        "icons": [
            {"src": static(f"mostrador/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for size in (192, 512)
        ],
    }, content_type="application/manifest+json")


@require_GET
def service_worker(request):
    from mostrador.inbox import hooks

    shell = [static(path) for path in SHELL]
    # Capabilities' own handlers (a push, a click on a notification), loaded by the worker.
    imports = [static(path) for path in hooks.worker_scripts.collect()]
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        offline = {"title": _("No connection"), "body": _("Mostrador needs the network to show your chats. It will come back as soon as you are online.")}
    script = f"""// Mostrador's service worker (version {WORKER_VERSION}): the app's shell from the cache, everything
// else from the network. Customers' data (pages, lists, chats, media, the API) is never stored.
const SHELL = {json.dumps(shell)};
const CACHE = "mostrador-shell-" + {json.dumps(WORKER_VERSION)} + "-" + SHELL.join("|").length;
const OFFLINE = {json.dumps(offline)};
importScripts(...{json.dumps(imports)});

self.addEventListener("install", (event) => {{
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
}});
self.addEventListener("activate", (event) => {{
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
}});
self.addEventListener("fetch", (event) => {{
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin === location.origin && SHELL.includes(url.pathname)) {{
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }}
  if (request.mode === "navigate") {{
    event.respondWith(fetch(request).catch(() => new Response(
      "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>Mostrador</title>" +
      "<body style='font-family:system-ui;margin:2em;color:#111b21'><h1>" + OFFLINE.title + "</h1><p>" + OFFLINE.body + "</p>",
      {{ headers: {{ "Content-Type": "text/html; charset=utf-8" }} }})));
  }}
}});
"""
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
