"""The emulator's side of the one body reader: its limits, and the ASGI body stream pulled through them.

The checks themselves (length, media type, encoding, nesting, lone surrogates) live in
:mod:`paircert.vapix.body`, shared with the peers; this module decides the limits from the
emulator's :class:`~.choices.Choices` and faults, and does the reading, in chunks, never holding
more than the limit allows.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import ClientDisconnect, Request

from ..vapix.body import (
    BodyBuffer,
    BodyError,
    BodyLimits,
    check_declared_length,
    check_media_type,
    parse_json,
)
from .choices import Choices
from .faults import FaultSet

__all__ = [
    "BodyError",
    "BodyLimits",
    "body_limits",
    "parse_json",
    "read_body",
    "read_json",
]

_FAULT_BODY_LIMIT = 256  # the body-limit-256 fault


def body_limits(choices: Choices, faults: FaultSet, media_types: tuple[str, ...] | None = None) -> BodyLimits:
    """What the camera pairing API and the radar CGI accept, by the device's choices and faults."""
    return BodyLimits(
        max_bytes=_FAULT_BODY_LIMIT if faults.active("body-limit-256") else choices.body_limit,
        max_depth=choices.max_json_depth,
        require_length=choices.length_required,
        media_types=media_types,
        lone_surrogates=choices.accepts_lone_surrogates,
    )


async def read_body(request: Request, limits: BodyLimits) -> bytes:
    """The body's bytes, or BodyError (411, 413) as soon as the declared or received size says so
    (400 when the client leaves half way)."""
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
