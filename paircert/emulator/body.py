"""Reading a request body with a hard size limit, in chunks, never buffering more than allowed.

Both JSON APIs read bodies through here, so no client can make the emulator hold an unbounded
body in memory. A body without ``Content-Length`` is refused (411): the radar error table has a
code for it, and the DCA side follows the same rule to keep one reader.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

__all__ = ["BODY_LIMIT", "BodyError", "parse_json", "read_body"]

BODY_LIMIT = 64 * 1024


class BodyError(Exception):
    """The body cannot be accepted; ``status`` is 411 or 413."""

    def __init__(self, status: int) -> None:
        super().__init__(f"request body refused with {status}")
        self.status = status


async def read_body(request: Request, limit: int = BODY_LIMIT) -> bytes:
    declared = request.headers.get("content-length")
    if declared is None:
        raise BodyError(411)
    try:
        length = int(declared)
    except ValueError:
        raise BodyError(411) from None
    if length > limit:
        raise BodyError(413)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BodyError(413)
        chunks.append(chunk)
    return b"".join(chunks)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259)")


def parse_json(raw: bytes | str) -> Any:
    """``json.loads`` without Python's extensions: NaN, Infinity and -Infinity are invalid JSON."""
    return json.loads(raw, parse_constant=_not_json)
