"""Response bodies for the three API families the emulator serves, and which path is which.

DCA (``/config/...``) answers ``{"status": ..., "data"|"error": ...}``; the radar CGI answers the
VAPIX JSON envelope with its own error table; the other JSON CGIs (device info, API discovery)
use the plain VAPIX envelope. Middleware that knows only a path (auth, the catch-all) asks
:func:`error_response` so that even a 401 or a 500 comes in the envelope of the API concerned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from starlette.responses import Response

from ..vapix.paths import RADAR_PATHS

__all__ = [
    "JSON",
    "RADAR_PATHS",
    "RADAR_TRANSPORT",
    "UNSET",
    "ApiError",
    "Family",
    "cgi_error",
    "dca_error",
    "dca_success",
    "error_response",
    "family_of",
    "json_response",
    "radar_envelope",
]

JSON = "application/json"

Family = Literal["dca", "radar", "cgi"]

UNSET: Any = object()

# Transport-level radar errors: HTTP status -> (code, message), from the radar error table.
RADAR_TRANSPORT: dict[int, tuple[int, str]] = {
    400: (2101, "Invalid JSON."),
    401: (2106, "Authentication failed."),
    403: (2105, "Authorization failed."),
    405: (2107, "Transport level error."),
    411: (2107, "Transport level error."),
    413: (2107, "Transport level error."),
    500: (1100, "Internal error."),
}

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


def radar_envelope(
    api_version: str,
    *,
    context: Any = UNSET,
    method: Any = UNSET,
    data: Any = UNSET,
    error: tuple[int, str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": api_version}
    if context is not UNSET:
        body["context"] = context
    if method is not UNSET:
        body["method"] = method
    if error is not None:
        body["error"] = {"code": error[0], "message": error[1]}
    else:
        body["data"] = {} if data is UNSET else data
    return body


def cgi_error(
    api_version: str, code: int, message: str, *, context: Any = UNSET, method: Any = UNSET
) -> dict[str, Any]:
    return radar_envelope(api_version, context=context, method=method, error=(code, message))


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
    code, message = RADAR_TRANSPORT.get(status, (2107, "Transport level error."))
    version = radar_version if family == "radar" else "1.0"
    return json_response(radar_envelope(version, error=(code, message)), status, headers)
