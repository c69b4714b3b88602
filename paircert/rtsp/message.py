"""RTSP request and response objects, their head syntax, and case-insensitive headers.

Parsing and serialising live together so the same rules (token characters, CRLF, folding) apply
in both directions. The connection core owns framing (bodies, interleaved data); this module only
turns one message head into an object and back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import overload

from paircert.rtsp.errors import LocalProtocolError, RemoteProtocolError

__all__ = ["Headers", "Request", "Response", "parse_head", "serialize_head"]

VERSION = "RTSP/1.0"
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_REQUEST_LINE = re.compile(r"([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (RTSP/\d+\.\d+)")
_STATUS_LINE = re.compile(r"(RTSP/\d+\.\d+) (\d{3})(?: (.*))?")
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")

REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    454: "Session Not Found",
    455: "Method Not Valid in This State",
    459: "Aggregate Operation Not Allowed",
    461: "Unsupported Transport",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "RTSP Version Not Supported",
}


class Headers:
    """Ordered multi-valued headers; lookups ignore case, the original spelling is kept on the wire."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: list[tuple[str, str]] = []
        for name, value in items:
            self.add(name, value)

    def add(self, name: str, value: str) -> None:
        if not _TOKEN.fullmatch(name):
            raise LocalProtocolError(f"illegal header name {name!r}")
        if _FORBIDDEN_IN_VALUE.search(value):
            raise LocalProtocolError(f"illegal character in header {name!r}")
        self._items.append((name, value.strip()))

    def set(self, name: str, value: str) -> None:
        """Replace every value of ``name`` with one value."""
        self.remove(name)
        self.add(name, value)

    def remove(self, name: str) -> None:
        lower = name.lower()
        self._items = [(n, v) for n, v in self._items if n.lower() != lower]

    @overload
    def get(self, name: str) -> str | None: ...

    @overload
    def get(self, name: str, default: str) -> str: ...

    def get(self, name: str, default: str | None = None) -> str | None:
        lower = name.lower()
        return next((v for n, v in self._items if n.lower() == lower), default)

    def get_all(self, name: str) -> list[str]:
        lower = name.lower()
        return [v for n, v in self._items if n.lower() == lower]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Headers):
            return NotImplemented
        return [(n.lower(), v) for n, v in self._items] == [(n.lower(), v) for n, v in other._items]

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"

    def copy(self) -> Headers:
        return Headers(self._items)


_CSEQ_DIGITS = 18  # past this, int() costs more than any real CSeq; and Python caps it at 4,300 digits


def _cseq(headers: Headers) -> int | None:
    value = headers.get("CSeq")
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > _CSEQ_DIGITS:
        return None
    return int(value)


@dataclass
class Request:
    """One RTSP request. ``cseq`` is None until the connection assigns it or the peer sent it."""

    method: str
    uri: str
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    version: str = VERSION

    @property
    def cseq(self) -> int | None:
        return _cseq(self.headers)

    def respond(self, status: int, headers: Iterable[tuple[str, str]] = (), body: bytes = b"") -> Response:
        """A response to this request, carrying its CSeq (and Session, which RFC 2326 §12.37 asks for)."""
        response = Response(status, REASONS.get(status, "Unknown"), Headers(headers), body)
        cseq = self.headers.get("CSeq")
        if cseq is not None:
            response.headers.set("CSeq", cseq)
        session = self.headers.get("Session")
        if session is not None and "Session" not in response.headers:
            response.headers.add("Session", session)
        return response


@dataclass
class Response:
    """One RTSP response; ``ok`` means any 2xx status."""

    status: int
    reason: str = ""
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    version: str = VERSION

    @property
    def cseq(self) -> int | None:
        return _cseq(self.headers)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _split_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


def parse_head(raw: bytes) -> Request | Response:
    """Parse a start line and headers (without the blank line) sent by the peer.

    Raises :class:`RemoteProtocolError`: whatever is wrong here, the other side wrote it.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RemoteProtocolError("message head is not UTF-8") from exc
    lines = _split_lines(text)
    start, header_lines = lines[0], lines[1:]
    message: Request | Response
    if request := _REQUEST_LINE.fullmatch(start):
        method, uri, version = request.groups()
        message = Request(method, uri, version=version)
    elif status := _STATUS_LINE.fullmatch(start):
        version, code, reason = status.groups()
        message = Response(int(code), reason or "", version=version)
    else:
        raise RemoteProtocolError(f"malformed start line {start[:80]!r}")
    if not message.version.startswith("RTSP/1."):
        raise RemoteProtocolError(f"unsupported version {message.version}", error_status_hint=505)
    pairs: list[tuple[str, str]] = []
    for line in header_lines:
        if line[:1] in (" ", "\t"):
            if not pairs:
                raise RemoteProtocolError("continuation line before any header")
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            raise RemoteProtocolError(f"malformed header line {line[:80]!r}")
        if "\r" in value or "\x00" in value:
            raise RemoteProtocolError(f"illegal character in header {name!r}")
        pairs.append((name, value.strip()))
    message.headers = Headers(pairs)
    return message


def serialize_head(message: Request | Response) -> bytes:
    """The start line, headers and blank line of a message we send."""
    if isinstance(message, Request):
        if not _TOKEN.fullmatch(message.method) or not message.uri or any(c.isspace() for c in message.uri):
            raise LocalProtocolError(f"malformed request line {message.method!r} {message.uri!r}")
        start = f"{message.method} {message.uri} {message.version}"
    else:
        if not 100 <= message.status <= 999 or _FORBIDDEN_IN_VALUE.search(message.reason):
            raise LocalProtocolError(f"malformed status line {message.status} {message.reason!r}")
        start = f"{message.version} {message.status} {message.reason or REASONS.get(message.status, 'Unknown')}"
    lines = [start, *(f"{name}: {value}" for name, value in message.headers), "", ""]
    return "\r\n".join(lines).encode("utf-8")
