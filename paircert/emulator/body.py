"""The emulator's side of the one body reader: pull the ASGI body stream through its limits.

The checks themselves (length, media type, encoding, nesting) live in :mod:`paircert.vapix.body`,
shared with the peers; this module only does the reading, in chunks, never holding more than the
limit allows. A body without ``Content-Length`` is refused (411): the radar error table has a
code for it, and the DCA side follows the same rule to keep one reader.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import ClientDisconnect, Request

from ..vapix.body import (
    BODY_LIMIT,
    BodyBuffer,
    BodyError,
    BodyLimits,
    check_declared_length,
    check_media_type,
    parse_json,
)

__all__ = ["BODY_LIMIT", "BodyError", "BodyLimits", "parse_json", "read_body", "read_json"]


async def read_body(request: Request, limit: int | BodyLimits = BODY_LIMIT) -> bytes:
    """The body's bytes, or BodyError (411, 413) as soon as the declared or received size says so
    (400 when the client leaves half way)."""
    limits = limit if isinstance(limit, BodyLimits) else BodyLimits(max_bytes=limit)
    check_declared_length(limits, request.headers.get("content-length"))
    buffer = BodyBuffer(limits)
    try:
        async for chunk in request.stream():
            buffer.feed(chunk)
    except ClientDisconnect:  # the answer goes nowhere, but the handler must still end cleanly
        raise BodyError(400, "the client left before the body ended") from None
    return buffer.value()


async def read_json(request: Request, limits: BodyLimits) -> Any:
    """Media type, length, then strict JSON; every refusal is a BodyError with its HTTP status."""
    check_media_type(limits, request.headers.get("content-type"))
    return parse_json(await read_body(request, limits), limits)
