"""A small client for the parts of Meta's Graph API the WhatsApp channel uses."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from mostrador.connectors.base import read_capped
from mostrador.core import outbound

DEFAULT_GRAPH_API_URL = "https://graph.facebook.com/v23.0"
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


@dataclass
class GraphError(Exception):
    """An answer from the Graph API that is not a success, or no answer at all (status 0)."""

    http_status: int
    code: str
    message: str
    details: str = ""

    def __str__(self) -> str:
        return f"{self.code or self.http_status}: {self.details or self.message}"


class GraphClient:
    def __init__(self, base_url: str, access_token: str):
        self.base_url = (base_url or DEFAULT_GRAPH_API_URL).rstrip("/")
        self.headers = {"Authorization": f"Bearer {access_token}"}

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs) -> dict:
        try:
            with outbound.client(timeout=TIMEOUT, headers=self.headers) as http:
                response = http.request(method, self._url(path), **kwargs)
        except httpx.HTTPError as exc:
            raise GraphError(0, "network", type(exc).__name__, str(exc)) from exc
        return self._answer(response)

    @staticmethod
    def _answer(response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success and isinstance(data, dict):
            return data
        error = (data or {}).get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):
            raise GraphError(
                response.status_code,
                str(error.get("code", "")),
                str(error.get("message", "")),
                str((error.get("error_data") or {}).get("details") or ""),
            )
        # Not Graph's error shape: only the status is passed on (sellers read message errors;
        # whatever else answered is not theirs to read).
        raise GraphError(response.status_code, "", response.reason_phrase or f"HTTP {response.status_code}")

    def download(self, url: str, max_bytes: int) -> bytes:
        """Media bytes from the short-lived URL the media lookup gave, with the same token."""
        try:
            with outbound.client(timeout=TIMEOUT, headers=self.headers, follow_redirects=True) as http:
                with http.stream("GET", self._url(url)) as response:
                    if not response.is_success:
                        response.read()
                        self._answer(response)
                    return read_capped(response, max_bytes)
        except httpx.HTTPError as exc:
            raise GraphError(0, "network", type(exc).__name__, str(exc)) from exc
