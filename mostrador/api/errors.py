"""Every API error is JSON `{"detail", "code"}` with a 4xx status; bad input never makes a 500."""

from __future__ import annotations

import json
import logging

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.http import Http404
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from mostrador.inbox.actions.actor import ActionConflict, ActionInvalid, ActionRefused
from mostrador.inbox.inbox_settings import InvalidSettings
from mostrador.inbox.queries import BadCursor

log = logging.getLogger(__name__)


class ApiError(HttpError):
    def __init__(self, status: int, detail: str, code: str):
        super().__init__(status, detail)
        self.code = code


def not_found(what: str = "Not found") -> ApiError:
    return ApiError(404, what, "not_found")


# Refusals that describe a conflict with the conversation's current state, not a permission.
_CONFLICT_CODES = {"not_resolved", "window_closed", "not_failed", "not_ai_turn"}
_BAD_INPUT_CODES = {"empty_message", "empty_note", "not_inbox_member"}


def _describe(errors: list[dict]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload"))
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    return "; ".join(parts) or "Invalid request"


class UnfitBody(ValueError):
    """JSON that parses but can never be a request: not an object, or text with NUL in it."""


class BodyParser(Parser):
    """JSON bodies are objects, and their text never holds NUL (PostgreSQL cannot store it, and
    no person types it). Too deep a nesting is not JSON we read."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise ValueError("too deeply nested") from None
        if not isinstance(data, dict):
            raise UnfitBody("The body must be a JSON object.")
        if b"\\u0000" in request.body and _holds_nul(data):
            raise UnfitBody("Text must not contain NUL characters.")
        return data


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def install(api: NinjaAPI) -> None:
    def reply(request, status: int, detail: str, code: str, **extra):
        return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)

    @api.exception_handler(ValidationError)
    def validation(request, exc: ValidationError):
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors]
        if any(e.get("type") == "json_invalid" or "parse" in str(e.get("msg", "")).lower() for e in errors):
            return reply(request, 400, "The body is not valid JSON.", "malformed_json")
        return reply(request, 422, _describe(errors), "invalid", errors=errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return reply(request, 401, "A valid bearer token is required.", "unauthorized")

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return reply(request, exc.status_code, exc.message, exc.code)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, UnfitBody):
            return reply(request, 422, str(exc.__cause__), "invalid")
        if exc.status_code == 400 and "parse" in exc.message.lower():
            return reply(request, 400, "The body is not valid JSON.", "malformed_json")
        return reply(request, exc.status_code, exc.message, "bad_request" if exc.status_code == 400 else "http_error")

    @api.exception_handler(ActionRefused)
    def refused(request, exc: ActionRefused):
        status = (
            409 if exc.code in _CONFLICT_CODES or isinstance(exc, ActionConflict)
            else 400 if exc.code in _BAD_INPUT_CODES
            else 422 if exc.code == "invalid" or isinstance(exc, ActionInvalid)
            else 403
        )
        # Programs read the API: its details stay in English, whatever the request's language.
        with translation.override("en"):
            detail = str(exc)
        return reply(request, status, detail, exc.code)

    @api.exception_handler(InvalidSettings)
    def bad_settings(request, exc):
        return reply(request, 422, str(exc), "invalid_settings")

    @api.exception_handler(BadCursor)
    def bad_cursor(request, exc):
        return reply(request, 400, str(exc), "bad_cursor")

    @api.exception_handler(Http404)
    def http404(request, exc):
        return reply(request, 404, "Not found", "not_found")

    @api.exception_handler(ObjectDoesNotExist)
    def missing(request, exc):
        return reply(request, 404, "Not found", "not_found")

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return reply(request, 413, "The body is too large.", "body_too_large")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("unhandled API error")
        return reply(request, 500, "Internal error", "internal_error")
