"""Loopback servers for agent tests: an OpenAI-compatible Chat Completions endpoint and an
external agent's webhook receiver. Both record every request and answer from a script."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server:
    def __init__(self):
        self.requests: list[dict] = []
        self.script: list = []  # each item: a dict body (200), (status, body), or ("sleep", seconds, body)
        self.default = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                entry = {"path": self.path, "headers": dict(self.headers), "raw": raw}
                try:
                    entry["json"] = json.loads(raw)
                except ValueError:
                    entry["json"] = None
                fake.requests.append(entry)
                problem = fake.check(entry)
                step = (400, {"error": {"message": problem, "type": "invalid_request_error"}}) if problem else (
                    fake.script.pop(0) if fake.script else fake.default
                )
                status, body = 200, step
                if isinstance(step, tuple) and step[0] == "sleep":
                    time.sleep(step[1])
                    body = step[2]
                elif isinstance(step, tuple):
                    status, body = step
                data = json.dumps(body if body is not None else {}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def check(self, entry: dict) -> str | None:
        return None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def completion(content: str | None = None, tool_calls: list | None = None) -> dict:
    """A Chat Completions response as OpenAI documents it."""
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(tool_calls)
        ]
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


ROLES = {"system", "user", "assistant", "tool"}


class FakeLLM(_Server):
    """Refuses, as the real APIs do, bodies that break the Chat Completions format."""

    def check(self, entry: dict) -> str | None:
        body = entry["json"]
        if not isinstance(body, dict) or not body.get("model"):
            return "model is required"
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return "messages must be a non-empty array"
        asked = set()
        for m in messages:
            if m.get("role") not in ROLES:
                return f"invalid role {m.get('role')!r}"
            for call in m.get("tool_calls") or []:
                if call.get("type") != "function" or not isinstance(call["function"].get("arguments"), str):
                    return "tool_calls must be functions with string arguments"
                asked.add(call["id"])
            if m["role"] == "tool" and m.get("tool_call_id") not in asked:
                return "a tool message must answer a tool call of an earlier assistant message"
        for tool in body.get("tools") or []:
            if tool.get("type") != "function" or "parameters" not in tool.get("function", {}):
                return "tools must be functions with JSON-schema parameters"
        return None


class AgentReceiver(_Server):
    def events(self) -> list[dict]:
        return [r["json"] for r in self.requests if r["json"]]
