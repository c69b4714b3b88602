"""Response bodies for the three API families the emulator serves, and which path is which.

DCA (``/config/...``) answers ``{"status": ..., "data"|"error": ...}``; the radar CGI answers the
VAPIX JSON envelope of :mod:`paircert.vapix.cgi`, whose error table (the radar catalogue) the
other JSON CGIs (device info, API discovery) share. Middleware that knows only a path (auth, the catch-all) asks
:func:`error_response` so that even a 401 or a 500 comes in the envelope of the API concerned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from starlette.responses import Response

from ..vapix.cgi import UNSET, envelope, transport_code
from ..vapix.paths import RADAR_PATHS

__all__ = [
    "JSON",
    "RADAR_PATHS",
    "UNSET",
    "ApiError",
    "Family",
    "dca_error",
    "dca_success",
    "error_response",
    "family_of",
    "json_response",
]

JSON = "application/json"

Family = Literal["dca", "radar", "cgi"]

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
}


class ApiError(Exception):
    """Raised inside a handler; the API module renders it in its own envelope."""

    def __init__(self, status: int, code: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    @classmethod
    def framework(cls, status: int, message: str | None = None, headers: Mapping[str, str] | None = None) -> ApiError:
        """An error that is not an API code: the HTTP status doubles as ``error.code``."""
        return cls(status, status, message or _REASONS.get(status, "Error"), headers)


def json_response(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    content = json.dumps(body, separators=(",", ":")).encode("utf-8")
    return Response(content, status_code=status, headers=dict(headers or {}), media_type=JSON)


def dca_success(data: Any = UNSET, status: int = 200) -> Response:
    body: dict[str, Any] = {"status": "success"}
    if data is not UNSET:
        body["data"] = data
    return json_response(body, status)


def dca_error(status: int, code: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"status": "error", "error": {"code": code, "message": message}}, status, headers)


def family_of(path: str) -> Family:
    if path in RADAR_PATHS:
        return "radar"
    if path.startswith("/axis-cgi/"):
        return "cgi"
    return "dca"


def error_response(
    path: str,
    status: int,
    *,
    radar_version: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A transport-level error (401, 403, 404, 500, ...) in the envelope of the API behind ``path``."""
    family = family_of(path)
    if family == "dca":
        return dca_error(status, status, _REASONS.get(status, "Error"), headers)
    # The radar table is the general VAPIX JSON CGI table, so the other CGIs share it.
    version = radar_version if family == "radar" else "1.0"
    return json_response(envelope(version, error=transport_code(status)), status, headers)
