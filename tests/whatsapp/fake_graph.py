"""A fake of Meta's Graph API on loopback, for tests: it records every request, checks the send
bodies against the documented shape, and answers with scripted errors when told to."""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MEDIA_BYTES = b"\x89PNG\r\n\x1a\nfake-image-bytes"
TOKEN = "EAAG-test-token"


class FakeGraph:
    def __init__(self):
        self.requests: list[dict] = []
        self.failures: list[tuple[int, dict]] = []  # (http status, error object), used in order
        self.templates: list[dict] = []
        self.count = 0
        # Sends to take and then hang up on without answering (the answer is lost on the way).
        self.drop_answers = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body, content_type="application/json"):
                self.entry["status"] = status
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                entry = {"method": method, "path": self.path, "auth": self.headers.get("Authorization"), "raw": raw}
                try:
                    entry["json"] = json.loads(raw) if raw and "json" in (self.headers.get("Content-Type") or "") else None
                except ValueError:
                    entry["json"] = None
                fake.requests.append(entry)
                self.entry = entry
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._reply(401, {"error": {"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}})
                if fake.failures and method == "POST" and self.path.endswith("/messages"):
                    status, error = fake.failures.pop(0)
                    return self._reply(status, {"error": {"type": "OAuthException", "fbtrace_id": "A1", **error}})
                path = self.path.split("?")[0]
                if method == "POST" and path.endswith("/messages"):
                    body = entry["json"] or {}
                    if body.get("status") == "read":
                        return self._reply(200, {"success": True})
                    problem = check_send_body(body)
                    if problem:
                        return self._reply(400, {"error": {"message": problem, "type": "OAuthException", "code": 100}})
                    fake.count += 1
                    if fake.drop_answers:
                        fake.drop_answers -= 1
                        entry["status"] = 200  # taken: Meta has it and will send it
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return None
                    return self._reply(200, {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                        "messages": [{"id": f"wamid.SENT{fake.count}"}],
                    })
                if method == "GET" and path.endswith("/message_templates"):
                    return self._reply(200, {"data": fake.templates, "paging": {"cursors": {"before": "a", "after": "b"}}})
                if method == "GET" and path.startswith("/files/"):
                    return self._reply(200, MEDIA_BYTES, "image/png")
                m = re.match(r"^/v23\.0/(\d+)$", path)
                if method == "GET" and m:
                    return self._reply(200, {
                        "messaging_product": "whatsapp",
                        "url": f"{fake.url}/files/{m.group(1)}?ext=1&hash=x",
                        "mime_type": "image/png", "sha256": "abc", "file_size": str(len(MEDIA_BYTES)), "id": m.group(1),
                    })
                return self._reply(404, {"error": {"message": "Unknown path", "code": 100}})

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def graph_api_url(self) -> str:
        return f"{self.url}/v23.0"

    def sends(self, accepted: bool = True) -> list[dict]:
        """Message sends the fake accepted (or every attempt, with accepted=False)."""
        return [
            r["json"] for r in self.requests
            if r["method"] == "POST" and r["path"].endswith("/messages") and r["json"] and r["json"].get("status") != "read"
            and (not accepted or r.get("status") == 200)
        ]

    def fail_next(self, code: int, http_status: int = 400, message: str = "error"):
        self.failures.append((http_status, {"code": code, "message": message, "error_data": {"details": message}}))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def check_send_body(body: dict) -> str | None:
    """The documented shape of a Cloud API send."""
    if body.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if not (body.get("to") or body.get("recipient")):
        return "to is required"
    kind = body.get("type")
    if kind not in ("text", "image", "audio", "video", "document", "sticker", "template", "interactive", "location", "contacts", "reaction"):
        return f"bad type {kind}"
    if not isinstance(body.get(kind), dict):
        return f"{kind} object is required"
    if kind == "text" and not body["text"].get("body"):
        return "text.body is required"
    if kind == "template" and not (body["template"].get("name") and body["template"].get("language", {}).get("code")):
        return "template.name and template.language.code are required"
    return None
