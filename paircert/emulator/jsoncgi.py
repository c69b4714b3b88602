"""The Starlette shell around the one JSON-CGI dispatcher (:mod:`paircert.vapix.cgi`).

It reads the body through the one reader, lets the dispatcher check the envelope, awaits the named
handler and turns the dispatcher's :class:`CgiResult` into a Starlette response. The radar
pairing CGI, basic device info and API discovery all come through here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..vapix.cgi import Authorize, CgiCall, CgiError, CgiResult, JsonCgi
from .body import BodyError, read_body

__all__ = ["Handler", "cgi_response", "read_cgi_body", "serve_json_cgi"]

Handler = Callable[[CgiCall], Awaitable[Any]]


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
) -> Response:
    """One exchange: body, envelope checks, the handler, the answer envelope."""
    outcome = cgi.receive(request.method, await read_cgi_body(request, cgi), authorize=authorize)
    if isinstance(outcome, CgiResult):
        return cgi_response(outcome)
    try:
        data = await handlers[outcome.method](outcome)
    except CgiError as error:
        return cgi_response(cgi.failure(outcome, error))
    return cgi_response(cgi.success(outcome, data))
