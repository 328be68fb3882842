"""A small client of Telegram's Bot API: `POST {api_base_url}/bot<token>/<method>`, answered
with `{"ok": true, "result": …}` or `{"ok": false, "error_code", "description", "parameters"}`."""

from __future__ import annotations

import httpx

from mostrador.connectors.base import read_capped
from mostrador.core import outbound

DEFAULT_API_BASE_URL = "https://api.telegram.org"
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


class BotApiError(Exception):
    """A call Telegram refused, or that never reached it (`code` 0)."""

    def __init__(self, code: int, description: str, retry_after: float | None = None):
        super().__init__(f"{code}: {description}")
        self.code, self.description, self.retry_after = code, description, retry_after

    @property
    def transient(self) -> bool:
        """Worth trying again: flood control, Telegram's own trouble, or no answer at all."""
        return self.code in (0, 429) or self.code >= 500


class BotApi:
    def __init__(self, base_url: str, token: str):
        self.base_url = (base_url or DEFAULT_API_BASE_URL).rstrip("/")
        self.token = token

    def call(self, method: str, payload: dict | None = None, files: dict | None = None):
        url = f"{self.base_url}/bot{self.token}/{method}"
        try:
            if files:
                # Multipart: nested fields (reply_markup…) travel as JSON strings, as the API asks.
                response = outbound.post(url, data=payload or {}, files=files, timeout=TIMEOUT)
            else:
                response = outbound.post(url, json=payload or {}, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            raise BotApiError(0, f"network: {exc}") from None
        try:
            answer = response.json()
        except ValueError:
            raise BotApiError(response.status_code or 0, "the answer is not JSON") from None
        if not isinstance(answer, dict) or not answer.get("ok"):
            answer = answer if isinstance(answer, dict) else {}
            parameters = answer.get("parameters") if isinstance(answer.get("parameters"), dict) else {}
            retry_after = parameters.get("retry_after")
            raise BotApiError(
                int(answer.get("error_code") or response.status_code),
                str(answer.get("description") or "refused"),
                float(retry_after) if isinstance(retry_after, (int, float)) else None,
            )
        return answer.get("result")

    def download(self, file_path: str, max_bytes: int) -> bytes:
        url = f"{self.base_url}/file/bot{self.token}/{file_path}"
        try:
            with outbound.client(timeout=TIMEOUT) as http, http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise BotApiError(response.status_code, "file download refused")
                return read_capped(response, max_bytes)
        except httpx.HTTPError as exc:
            raise BotApiError(0, f"network: {exc}") from None
