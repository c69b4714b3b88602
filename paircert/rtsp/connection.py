"""The sans-I/O RTSP connection: bytes in, events out; events in, bytes out (after h11).

No socket is ever touched here, so the same object serves the client shell, the server shell, the
peers, the benchmarks and in-memory tests, and its behaviour is a pure function of the byte stream:
any split of the same bytes into ``receive_data`` calls yields the same events. What the peer got
wrong raises :class:`RemoteProtocolError`, what the caller got wrong :class:`LocalProtocolError`;
after a remote error the connection stays failed.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Literal

from paircert.rtsp.errors import LocalProtocolError, MalformedPacket, ProtocolError, RemoteProtocolError
from paircert.rtsp.headers import SessionHeader
from paircert.rtsp.message import Headers, Request, Response, parse_head, serialize_head
from paircert.rtsp.state import STATE_CHANGING, TRANSITIONS, SessionMachine

__all__ = ["NEED_DATA", "Connection", "ConnectionClosed", "Event", "InterleavedFrame", "Role"]

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_DOLLAR = 0x24
_LENGTH_DIGITS = 18  # Python's int() refuses strings past 4,300 digits with a ValueError


class Role(enum.Enum):
    CLIENT = "client"
    SERVER = "server"


class _Sentinel(enum.Enum):
    NEED_DATA = "NEED_DATA"


NEED_DATA: Literal[_Sentinel.NEED_DATA] = _Sentinel.NEED_DATA
"""Returned by :meth:`Connection.next_event` when the buffer holds no complete event."""


@dataclass(frozen=True)
class InterleavedFrame:
    """RTP or RTCP data sent over the RTSP connection (RFC 2326 §10.12): ``$``, channel, length."""

    channel: int
    payload: bytes


@dataclass(frozen=True)
class ConnectionClosed:
    """The peer closed its side (after a complete message), or we close ours when sent."""


Event = Request | Response | InterleavedFrame | ConnectionClosed


def _content_length(headers: Headers) -> int:
    values = {v.strip() for v in headers.get_all("Content-Length")}
    if not values:
        return 0
    value = next(iter(values))
    if len(values) > 1 or not (value.isascii() and value.isdigit()):
        raise RemoteProtocolError(f"bad Content-Length {sorted(values)[:2]!r}"[:200])
    if len(value) > _LENGTH_DIGITS:
        raise RemoteProtocolError(f"Content-Length of {len(value)} digits", error_status_hint=413)
    return int(value)


class Connection:
    """One side of an RTSP connection with its CSeq bookkeeping and session state.

    ``send(Request)`` fills in a missing ``CSeq`` (and, for a client, the ``Session`` header of the
    current session) on the request object itself, so the caller can read ``request.cseq`` to
    match the answer. Limits keep every buffer bounded: a head longer than ``max_header_bytes``,
    a body longer than ``max_body_bytes`` or more than ``max_pending`` unanswered requests from the
    peer is a remote protocol error.
    """

    def __init__(
        self,
        role: Role,
        *,
        max_header_bytes: int = 16 * 1024,
        max_body_bytes: int = 1024 * 1024,
        max_pending: int = 64,
    ) -> None:
        self.role = role
        self.session = SessionMachine()
        self.max_header_bytes = max_header_bytes
        self.max_body_bytes = max_body_bytes
        self.max_pending = max_pending
        self._buffer = bytearray()
        self._scan_from = 0
        self._eof = False
        self._error: ProtocolError | None = None
        self._our_closed = False
        self._next_cseq = 1
        self._ours: dict[int, str] = {}
        self._theirs: dict[int, str] = {}

    @property
    def awaiting(self) -> dict[int, str]:
        """Our requests still waiting for an answer, CSeq -> method."""
        return dict(self._ours)

    # -- receiving -------------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        """Feed bytes read from the peer; ``b""`` means the peer closed its side."""
        if self._eof:
            raise LocalProtocolError("receive_data after end of stream")
        if data:
            self._buffer += data
        else:
            self._eof = True

    def next_event(self) -> Event | Literal[_Sentinel.NEED_DATA]:
        """The next complete event, or NEED_DATA; raises RemoteProtocolError on bad input."""
        if self._error is not None:
            raise RemoteProtocolError(f"connection already failed: {self._error}")
        try:
            event = self._parse()
            if isinstance(event, Request | Response):
                self._received(event)
        except RemoteProtocolError as exc:
            self._error = exc
            raise
        return event

    def _need(self) -> Literal[_Sentinel.NEED_DATA]:
        if self._eof:
            raise RemoteProtocolError("peer closed the connection in the middle of a message")
        return NEED_DATA

    def _parse(self) -> Event | Literal[_Sentinel.NEED_DATA]:
        buf = self._buffer
        while buf[:2] == b"\r\n" or buf[:1] == b"\n":  # stray line ends between messages
            del buf[: 2 if buf[0] == 0x0D else 1]
        if not buf:
            return ConnectionClosed() if self._eof else NEED_DATA
        if buf[0] == _DOLLAR:
            if len(buf) < 4:
                return self._need()
            end = 4 + int.from_bytes(buf[2:4], "big")
            if len(buf) < end:
                return self._need()
            frame = InterleavedFrame(buf[1], bytes(buf[4:end]))
            del buf[:end]
            return frame
        if buf == b"\r":
            return self._need()
        match = _HEAD_END.search(buf, self._scan_from)
        if match is None:
            # A terminator still to come starts at len(buf) - 3 or later, so this test gives the
            # same verdict for every split of the stream.
            if len(buf) - 3 > self.max_header_bytes:
                raise RemoteProtocolError(f"message head longer than {self.max_header_bytes} bytes")
            self._scan_from = max(0, len(buf) - 3)
            return self._need()
        if match.start() > self.max_header_bytes:
            raise RemoteProtocolError(f"message head longer than {self.max_header_bytes} bytes")
        message = parse_head(bytes(buf[: match.start()]))
        length = _content_length(message.headers)
        if length > self.max_body_bytes:
            raise RemoteProtocolError(f"body of {length} bytes exceeds {self.max_body_bytes}", error_status_hint=413)
        end = match.end() + length
        if len(buf) < end:
            self._scan_from = match.start()
            return self._need()
        message.body = bytes(buf[match.end() : end])
        del buf[:end]
        self._scan_from = 0
        return message

    def _received(self, message: Request | Response) -> None:
        cseq = message.cseq
        if isinstance(message, Request):
            if cseq is None:
                raise RemoteProtocolError(f"{message.method} without a valid CSeq")
            if cseq in self._theirs:
                raise RemoteProtocolError(f"CSeq {cseq} reused before it was answered")
            if len(self._theirs) >= self.max_pending:
                raise RemoteProtocolError("too many unanswered requests", error_status_hint=503)
            self._theirs[cseq] = message.method
            return
        if cseq is None or cseq not in self._ours:
            raise RemoteProtocolError(f"response with CSeq {cseq} matches no request")
        method = self._ours.pop(cseq)
        if self.role is Role.CLIENT and message.ok:
            self._apply(method, message, RemoteProtocolError)

    def _apply(self, method: str, response: Response, error: type[ProtocolError]) -> None:
        """Move the session machine on a 2xx answer; ``error`` says whose fault a mismatch is."""
        value = response.headers.get("Session")
        try:
            session = SessionHeader.parse(value) if value else None
        except MalformedPacket as exc:
            raise error(f"bad Session header: {exc}") from exc
        if method == "SETUP" and session is None:
            raise error("SETUP answer without a Session header")
        known = self.session.session_id
        if session is not None and known is not None and session.session_id != known:
            raise error(f"answer names session {session.session_id!r}, not {known!r}")
        if method in STATE_CHANGING and (self.session.state, method) not in TRANSITIONS:
            raise error(f"2xx answer to {method} in state {self.session.state.value}")
        self.session.succeeded(method, session)

    # -- sending ---------------------------------------------------------------------------------

    def send(self, event: Event) -> bytes:
        """Bytes to write for ``event``; raises LocalProtocolError for anything RTSP forbids."""
        if self._our_closed:
            raise LocalProtocolError("send after ConnectionClosed")
        if isinstance(event, ConnectionClosed):
            self._our_closed = True
            return b""
        if isinstance(event, InterleavedFrame):
            if not 0 <= event.channel <= 255 or len(event.payload) > 0xFFFF:
                raise LocalProtocolError("interleaved frame channel or length out of range")
            return b"$" + bytes([event.channel]) + len(event.payload).to_bytes(2, "big") + event.payload
        if isinstance(event, Request):
            self._sending_request(event)
        else:
            self._sending_response(event)
        declared = event.headers.get_all("Content-Length")
        if declared and declared != [str(len(event.body))]:
            raise LocalProtocolError(f"Content-Length {declared} does not match a {len(event.body)}-byte body")
        if event.body and not declared:
            event.headers.add("Content-Length", str(len(event.body)))
        return serialize_head(event) + event.body

    def _sending_request(self, request: Request) -> None:
        if self.role is Role.CLIENT and not self.session.allows(request.method):
            raise LocalProtocolError(f"{request.method} is not valid in state {self.session.state.value}")
        if "CSeq" not in request.headers:
            request.headers.add("CSeq", str(self._next_cseq))
        cseq = request.cseq
        if cseq is None or cseq in self._ours:
            raise LocalProtocolError(f"CSeq {request.headers.get('CSeq')!r} is not a fresh number")
        self._next_cseq = max(self._next_cseq, cseq + 1)
        wants_session = request.method not in ("OPTIONS", "DESCRIBE")
        if self.role is Role.CLIENT and self.session.session_id and wants_session and "Session" not in request.headers:
            request.headers.add("Session", self.session.session_id)
        self._ours[cseq] = request.method

    def _sending_response(self, response: Response) -> None:
        cseq = response.cseq
        if cseq is None or cseq not in self._theirs:
            raise LocalProtocolError(f"response with CSeq {response.headers.get('CSeq')!r} answers no request")
        method = self._theirs.pop(cseq)
        if self.role is Role.SERVER and response.ok:
            self._apply(method, response, LocalProtocolError)
