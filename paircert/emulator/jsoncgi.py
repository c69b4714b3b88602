"""The plain VAPIX JSON CGI shape shared by the device info and API discovery endpoints.

These two are not under test; they exist because clients find the radar API through API discovery
and learn a peer's identity through basic device info. They use the general VAPIX JSON error
table (the same codes the radar table lists) and answer API-level errors with HTTP 200.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .body import BodyError, parse_json, read_body
from .envelopes import RADAR_TRANSPORT, UNSET, json_response, radar_envelope

__all__ = ["CgiCall", "CgiError", "serve_json_cgi"]

_VERSION = re.compile(r"^([0-9]+)\.([0-9]+)$")


class CgiError(Exception):
    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class CgiCall:
    method: str
    params: dict[str, Any]
    request: Request


Handler = Callable[[CgiCall], Awaitable[Any]]


async def serve_json_cgi(request: Request, version: str, methods: dict[str, Handler]) -> Response:
    """Parse the envelope, check the version's major, and run the named handler."""
    if request.method != "POST":
        return json_response(radar_envelope(version, error=RADAR_TRANSPORT[405]), 405, {"Allow": "POST"})
    try:
        body = parse_json(await read_body(request))
    except BodyError as exc:
        return json_response(radar_envelope(version, error=RADAR_TRANSPORT[exc.status]), exc.status)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        return json_response(radar_envelope(version, error=RADAR_TRANSPORT[400]), 400)
    context = body.get("context", UNSET)
    method = body.get("method", UNSET)
    echo_method = method if isinstance(method, str) else UNSET
    requested = body.get("apiVersion")
    answer_version = requested if isinstance(requested, str) and _VERSION.match(requested) else version
    try:
        if not isinstance(method, str) or method not in methods:
            raise CgiError(2102, "Method not supported.")
        if requested is None and method != "getSupportedVersions":
            raise CgiError(2103, "Required parameter missing.")
        if requested is not None:
            match = _VERSION.match(requested) if isinstance(requested, str) else None
            if match is None:
                raise CgiError(2104, "Invalid parameter value specified.")
            if match.group(1) != version.split(".")[0]:
                raise CgiError(2100, "API version not supported.")
            answer_version = f"{match.group(1)}.{version.split('.')[1]}"
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise CgiError(2104, "Invalid parameter value specified.")
        data = await methods[method](CgiCall(method, params, request))
    except CgiError as error:
        envelope = radar_envelope(
            answer_version, context=context, method=echo_method, error=(error.code, error.message)
        )
        return json_response(envelope, error.status)
    if isinstance(data, Response):
        return data
    return json_response(radar_envelope(answer_version, context=context, method=echo_method, data=data))
