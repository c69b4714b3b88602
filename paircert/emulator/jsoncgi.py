"""The Starlette shell around the one JSON-CGI dispatcher (:mod:`paircert.vapix.cgi`).

It reads the body through the one reader, lets the dispatcher check the envelope, awaits the named
handler and turns the dispatcher's :class:`CgiResult` into a Starlette response. The radar
pairing CGI, basic device info and API discovery all come through here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..vapix.cgi import Authorize, CgiCall, CgiError, CgiResult, JsonCgi, message, supported_versions
from .body import BodyError, read_body
from .faults import NO_FAULTS, FaultSet

__all__ = ["Handler", "cgi_response", "read_cgi_body", "serve_json_cgi"]

Handler = Callable[[CgiCall], Awaitable[Any]]

# Envelope faults of a JSON CGI, applied to the dispatcher's answer: fault name -> (was, answered).
_CODE_FAULTS = {
    "radar-unknown-method-as-2103": (2102, 2103),
    "radar-missing-param-as-2104": (2103, 2104),
    "radar-invalid-value-as-2103": (2104, 2103),
    "radar-forbidden-as-401": (2105, 2106),
}
_STATUS_FAULTS = {
    "radar-invalid-json-as-200": (400, 200),
    "radar-http-method-as-400": (405, 400),
    "radar-length-required-as-400": (411, 400),
    "radar-too-large-as-400": (413, 400),
    "radar-forbidden-as-401": (403, 401),
}
_REQUEST_FAULTS = (
    "radar-version-major-ignored",
    "radar-version-malformed-accepted",
    "radar-versions-need-apiversion",
    "radar-params-list-accepted",
)
_ANSWER_FAULTS = (
    "radar-method-not-echoed",
    "radar-context-dropped",
    "radar-context-dropped-on-error",
    "radar-context-null",
    "radar-version-minor-dropped",
    "radar-errors-with-status-400",
    "radar-error-without-message",
    "radar-content-type-text",
    *_CODE_FAULTS,
    *_STATUS_FAULTS,
)


def cgi_response(result: CgiResult) -> Response:
    response = Response(result.body, status_code=result.status, media_type=result.content_type)
    for name, value in result.headers:
        response.raw_headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
    return response


async def read_cgi_body(request: Request, cgi: JsonCgi) -> bytes | BodyError:
    """The body for the dispatcher, or the reader's refusal; a JSON CGI reads only a POST's body."""
    if request.method != "POST":
        return b""
    try:
        return await read_body(request, cgi.limits)
    except BodyError as error:
        return error


async def serve_json_cgi(
    request: Request,
    cgi: JsonCgi,
    handlers: Mapping[str, Handler],
    *,
    authorize: Authorize | None = None,
    faults: FaultSet = NO_FAULTS,
) -> Response:
    """One exchange: body, envelope checks, the handler, the answer envelope (``faults``: the
    seeded envelope deviations, which act on the request before and on the answer after)."""
    body = await read_cgi_body(request, cgi)
    if isinstance(body, bytes) and any(faults.active(name) for name in _REQUEST_FAULTS):
        body = _deviate_request(body, cgi, faults)
    result = await _exchange(request.method, body, cgi, handlers, authorize)
    if any(faults.active(name) for name in _ANSWER_FAULTS):
        result = _deviate_answer(result, faults)
    return cgi_response(result)


async def _exchange(
    http_method: str,
    body: bytes | BodyError,
    cgi: JsonCgi,
    handlers: Mapping[str, Handler],
    authorize: Authorize | None,
) -> CgiResult:
    outcome = cgi.receive(http_method, body, authorize=authorize)
    if isinstance(outcome, CgiResult):
        return outcome
    try:
        data = await handlers[outcome.method](outcome)
    except CgiError as error:
        return cgi.failure(outcome, error)
    return cgi.success(outcome, data)


def _deviate_request(raw: bytes, cgi: JsonCgi, faults: FaultSet) -> bytes:
    """The request as a device with the request faults reads it (anything not a JSON object is left)."""
    try:
        request = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(request, dict):
        return raw
    version = request.get("apiVersion")
    if isinstance(version, str):
        try:
            supported = set(supported_versions([version])) <= set(cgi.versions)
            ignored = not supported and faults.active("radar-version-major-ignored")
        except ValueError:
            ignored = faults.active("radar-version-malformed-accepted")
        if ignored:
            request["apiVersion"] = cgi.default_version
    elif version is None and request.get("method") == "getSupportedVersions":
        if faults.active("radar-versions-need-apiversion"):
            request["apiVersion"] = "0.0"
    params = request.get("params")
    if isinstance(params, list) and faults.active("radar-params-list-accepted"):
        request["params"] = next((item for item in params if isinstance(item, dict)), {})
    return json.dumps(request).encode("utf-8")


def _deviate_answer(result: CgiResult, faults: FaultSet) -> CgiResult:
    """The answer as a device with the answer faults sends it."""
    try:
        body = json.loads(result.body)
    except ValueError:
        return result
    status = result.status
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        for fault, (was, answered) in _CODE_FAULTS.items():
            if error.get("code") == was and faults.active(fault):
                error.update(code=answered, message=message(answered))
        if faults.active("radar-error-without-message"):
            error.pop("message", None)
        if status == 200 and faults.active("radar-errors-with-status-400"):
            status = 400
        if faults.active("radar-context-dropped-on-error"):
            body.pop("context", None)
    for fault, (was, answered) in _STATUS_FAULTS.items():
        if status == was and faults.active(fault):
            status = answered
    if isinstance(body, dict):
        if faults.active("radar-method-not-echoed"):
            body.pop("method", None)
        if faults.active("radar-context-dropped"):
            body.pop("context", None)
        elif faults.active("radar-context-null"):
            body.setdefault("context", None)
        if faults.active("radar-version-minor-dropped") and isinstance(body.get("apiVersion"), str):
            body["apiVersion"] = body["apiVersion"].partition(".")[0]
    content_type = "text/plain" if faults.active("radar-content-type-text") else result.content_type
    content = json.dumps(body, separators=(",", ":")).encode("utf-8")
    return dataclasses.replace(result, status=status, body=content, content_type=content_type)
