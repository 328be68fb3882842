"""An outside system's endpoint on loopback that takes a POST and then hangs before answering:
how a provider looks from our side when it stops responding."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class HangingEndpoint:
    """Counts POSTs; the ones it hangs on (all, or only the first) wait for `release` (at most
    30 s) before answering 200. `marker`, when given, is written as a hang begins."""

    def __init__(self, release: threading.Event, *, only_first: bool = False, marker: Path | None = None):
        self.requests = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                endpoint.requests += 1
                if not only_first or endpoint.requests == 1:
                    if marker is not None:
                        marker.write_text("hanging")
                    release.wait(30)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
