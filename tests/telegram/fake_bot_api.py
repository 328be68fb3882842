"""A fake of Telegram's Bot API on loopback, for tests: `POST /bot<token>/<method>` with JSON or
multipart bodies, answered as Telegram does (`{"ok", "result"}` or `{"ok": false, "error_code",
"description", "parameters"}`), and `GET /file/bot<token>/<path>` for downloads. It records every
call, checks the fields Telegram requires, and answers with scripted errors when told to."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "123456789:AAH-test_token"
FILE_BYTES = b"\xff\xd8\xff\xe0fake-jpeg-bytes"
# Fields each method needs, as the Bot API documents them.
REQUIRED = {
    "setWebhook": {"url"},
    "sendMessage": {"chat_id", "text"},
    "sendPhoto": {"chat_id", "photo"},
    "sendDocument": {"chat_id", "document"},
    "sendVoice": {"chat_id", "voice"},
    "sendAudio": {"chat_id", "audio"},
    "sendVideo": {"chat_id", "video"},
    "sendSticker": {"chat_id", "sticker"},
    "answerCallbackQuery": {"callback_query_id"},
    "getFile": {"file_id"},
}


class FakeBotApi:
    def __init__(self):
        self.calls: list[dict] = []
        self.failures: list[tuple[int, str, dict]] = []  # (error_code, description, parameters) for sends
        self.next_message_id = 500
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status, body, content_type="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, code, description, parameters=None):
                body = {"ok": False, "error_code": code, "description": description}
                if parameters:
                    body["parameters"] = parameters
                return self._reply(code, body)

            def do_GET(self):
                if self.path == f"/file/bot{TOKEN}/photos/file_7.jpg":
                    return self._reply(200, FILE_BYTES, "image/jpeg")
                return self._error(404, "Not Found")

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                token, _, method = self.path.lstrip("/").partition("/")
                ctype = self.headers.get("Content-Type") or ""
                fields = json.loads(raw) if "json" in ctype and raw else _multipart_fields(raw, ctype)
                fake.calls.append({"method": method, "token": token, "fields": fields, "multipart": "multipart" in ctype})
                if token != f"bot{TOKEN}":
                    return self._error(401, "Unauthorized")
                missing = REQUIRED.get(method, set()) - set(fields)
                if method not in REQUIRED:
                    return self._error(404, "Not Found: method not found")
                if missing:
                    return self._error(400, f"Bad Request: {sorted(missing)[0]} is empty")
                if method.startswith("send"):
                    if fake.failures:
                        code, description, parameters = fake.failures.pop(0)
                        return self._error(code, description, parameters)
                    markup = fields.get("reply_markup")
                    if isinstance(markup, str):
                        markup = json.loads(markup)
                    for row in (markup or {}).get("inline_keyboard", []):
                        for button in row:
                            if not 1 <= len(button.get("callback_data", "").encode()) <= 64:
                                return self._error(400, "Bad Request: BUTTON_DATA_INVALID")
                    fake.next_message_id += 1
                    return self._reply(200, {"ok": True, "result": {
                        "message_id": fake.next_message_id, "date": 1767000000,
                        "chat": {"id": int(fields["chat_id"]), "type": "private"}, "text": fields.get("text", ""),
                    }})
                if method == "getFile":
                    return self._reply(200, {"ok": True, "result": {
                        "file_id": fields["file_id"], "file_unique_id": "u7", "file_size": len(FILE_BYTES),
                        "file_path": "photos/file_7.jpg",
                    }})
                return self._reply(200, {"ok": True, "result": True})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def sent(self, method: str | None = None) -> list[dict]:
        return [c for c in self.calls if method is None or c["method"] == method]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _multipart_fields(raw: bytes, ctype: str) -> dict:
    """The names of a multipart body's parts, with the text of those that are not files."""
    boundary = ctype.split("boundary=")[-1].encode()
    fields = {}
    for part in raw.split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        if b'name="' not in head:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        fields[name] = "<file>" if b"filename=" in head else body.rstrip(b"\r\n").decode()
    return fields
