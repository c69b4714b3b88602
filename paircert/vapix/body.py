"""One reader for every JSON request body a simulated device accepts: size, media type, encoding, nesting.

Sans-I/O: a server shell (Starlette in the emulator, h11 in the peers) hands over the declared
length, the content type and the bytes it read, and gets back the parsed value or a
:class:`BodyError` carrying the HTTP status to answer. Python's ``json`` recurses once per
nesting level, so a 10 KB body of 2,000 brackets used to end in ``RecursionError`` and a 500; the
depth is now measured by a flat scan before the parser runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

__all__ = [
    "BODY_LIMIT",
    "DEPTH_LIMIT",
    "JSON_MEDIA_TYPE",
    "BodyBuffer",
    "BodyError",
    "BodyLimits",
    "check_body",
    "check_declared_length",
    "check_media_type",
    "nesting_depth",
    "parse_json",
    "read_json",
]

BODY_LIMIT = 64 * 1024
DEPTH_LIMIT = 64
JSON_MEDIA_TYPE = "application/json"

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(set(range(256)) - set(b"[]{}"))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_BOM = b"\xef\xbb\xbf"
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_LENGTH_DIGITS = 18


class BodyError(ValueError):
    """The body cannot be accepted; ``status`` is the HTTP status to answer (400, 411, 413 or 415)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class BodyLimits:
    """What a server accepts. ``media_types`` None accepts any Content-Type (the JSON CGIs do)."""

    max_bytes: int = BODY_LIMIT
    max_depth: int = DEPTH_LIMIT
    require_length: bool = True
    media_types: tuple[str, ...] | None = None
    lone_surrogates: bool = False
    """Accept a ``\\ud800`` escape without its pair: valid RFC 8259 syntax, but no Unicode text
    (I-JSON, RFC 7493 §2.1, forbids it) and nothing a device could store as UTF-8."""


def check_declared_length(limits: BodyLimits, content_length: str | None) -> int | None:
    """The declared length; 411 when it is missing (and required) or unreadable, 413 when too big."""
    if content_length is None:
        if limits.require_length:
            raise BodyError(411, "the request has no Content-Length")
        return None
    text = content_length.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_LENGTH_DIGITS:
        raise BodyError(411, "the Content-Length is not a number")
    length = int(text)
    if length > limits.max_bytes:
        raise BodyError(413, f"the body is longer than {limits.max_bytes} bytes")
    return length


def check_media_type(limits: BodyLimits, content_type: str | None) -> None:
    if limits.media_types is None:
        return
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type not in limits.media_types:
        raise BodyError(415, f"the body must be {' or '.join(limits.media_types)}")


class BodyBuffer:
    """Collects chunks as they arrive and refuses (413) the first one that passes the limit."""

    def __init__(self, limits: BodyLimits) -> None:
        self.limits = limits
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self.limits.max_bytes:
            raise BodyError(413, f"the body is longer than {self.limits.max_bytes} bytes")
        self._chunks.append(chunk)

    def value(self) -> bytes:
        return b"".join(self._chunks)


def nesting_depth(raw: bytes) -> int:
    """The deepest bracket nesting outside JSON strings, found without recursion.

    An unterminated string leaves its brackets counted: such a body is invalid JSON either way.
    """
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    return max(accumulate(_STEP[byte] for byte in brackets), default=0)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259)")


def parse_json(raw: bytes, limits: BodyLimits = BodyLimits()) -> Any:
    """Strict JSON (UTF-8, no NaN or Infinity, at most ``max_depth`` levels), or BodyError(400)."""
    if raw.startswith(_BOM):  # RFC 8259 §8.1 lets a parser ignore a byte order mark
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError(400, "the body is not UTF-8") from None
    if nesting_depth(raw) > limits.max_depth:
        raise BodyError(400, f"the body nests deeper than {limits.max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_not_json)
    except ValueError:  # JSONDecodeError, NaN/Infinity, and integers past Python's digit limit
        raise BodyError(400, "the body is not valid JSON") from None
    if not limits.lone_surrogates and "\\u" in text and _has_lone_surrogate(value):
        raise BodyError(400, "the body holds a lone UTF-16 surrogate")
    return value


def _has_lone_surrogate(value: Any) -> bool:
    """json.loads joins escaped pairs into one code point, so any surrogate left is unpaired."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def check_body(limits: BodyLimits, *, content_length: str | None, content_type: str | None, body: bytes) -> bytes:
    """The checks before parsing, for a body a shell already holds: media type, then length."""
    check_media_type(limits, content_type)
    check_declared_length(limits, content_length)
    if len(body) > limits.max_bytes:
        raise BodyError(413, f"the body is longer than {limits.max_bytes} bytes")
    return body


def read_json(limits: BodyLimits, *, content_length: str | None, content_type: str | None, body: bytes) -> Any:
    """Every check in order for a body a shell already holds, then the JSON."""
    held = check_body(limits, content_length=content_length, content_type=content_type, body=body)
    return parse_json(held, limits)
