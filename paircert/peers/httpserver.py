"""A small asyncio HTTP/1.1 server for the peers' VAPIX side and the control endpoint.

h11 parses (sans-I/O, like the RTSP core); :class:`paircert.listener.Listener` accepts, refuses,
does TLS and closes, as it does for the RTSP server. This module owns the HTTP exchange and the
record of each request: TLS version and server name, method, target, what the handler noted.
Bodies are bounded, connections serve a bounded number of requests, and every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import h11

from paircert.listener import Listener

__all__ = ["HttpFaults", "HttpRecord", "HttpRequest", "HttpResponse", "HttpServer"]

MAX_BODY = 64 * 1024
MAX_REQUESTS_PER_CONNECTION = 1000
_READ_SIZE = 64 * 1024
LINGER_SECONDS = 2.0
LINGER_BYTES = 8 * 1024 * 1024


@dataclass
class HttpFaults:
    """``refuse`` resets every new connection; ``reject_credentials`` answers 401 to right ones too."""

    refuse: bool = False
    reject_credentials: bool = False


@dataclass
class HttpRecord:
    """One request as the peer saw it. Never holds a credential, only the scheme and the verdict."""

    peer: str
    scheme: str
    tls_version: str | None = None
    server_name: str | None = None
    method: str | None = None
    target: str | None = None
    auth_scheme: str | None = None
    authenticated: bool = False
    cgi_method: str | None = None
    status: int | None = None
    user_agent: str | None = None
    closed_reason: str | None = None


@dataclass
class HttpRequest:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    record: HttpRecord

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]


class HttpServer:
    """Serves ``handler`` on ``host:port`` (HTTPS with ``ssl_context``), recording every request."""

    def __init__(
        self,
        handler: Handler,
        *,
        host: str,
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        faults: HttpFaults | None = None,
        idle_timeout: float = 30.0,
        handshake_timeout: float = 10.0,
        max_records: int = 256,
    ) -> None:
        self.handler = handler
        self.host = host
        self.ssl_context = ssl_context
        self.faults = faults or HttpFaults()
        self.idle_timeout = idle_timeout
        self.records: deque[HttpRecord] = deque(maxlen=max_records)
        self._listener = Listener(
            self._serve,
            note=self._note,
            host=host,
            port=port,
            ssl_context=ssl_context,
            refuse=lambda: self.faults.refuse,
            unserved=self.records.append,
            handshake_timeout=handshake_timeout,
        )

    @property
    def port(self) -> int:
        return self._listener.port

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    async def start(self) -> None:
        await self._listener.start()

    async def close(self) -> None:
        await self._listener.close()

    def _note(self, peer: str) -> HttpRecord:
        """The connection's record; each request gets its own copy, so this one is kept only when
        the connection never reached HTTP (refused, failed handshake)."""
        return HttpRecord(peer=peer, scheme="https" if self.ssl_context else "http")

    async def _next_event(self, conn: h11.Connection, reader: asyncio.StreamReader) -> Any:
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            data = await asyncio.wait_for(reader.read(_READ_SIZE), self.idle_timeout)
            conn.receive_data(data)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, base: HttpRecord) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=16 * 1024)
        for _ in range(MAX_REQUESTS_PER_CONNECTION):
            try:
                event = await self._next_event(conn, reader)
                if not isinstance(event, h11.Request):
                    return  # closed, or a protocol error h11 reports as ConnectionClosed/PAUSED
                record = HttpRecord(base.peer, base.scheme, base.tls_version, base.server_name)
                record.method = event.method.decode("ascii", "replace")
                record.target = event.target.decode("ascii", "replace")
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
                record.user_agent = headers.get("user-agent")
                self.records.append(record)
                body = bytearray()
                while True:
                    part = await self._next_event(conn, reader)
                    if isinstance(part, h11.Data):
                        body += part.data
                        if len(body) > MAX_BODY:
                            response = HttpResponse(413, b'{"error":"payload too large"}')
                            break
                    elif isinstance(part, h11.EndOfMessage):
                        response = await self.handler(
                            HttpRequest(record.method, record.target, headers, bytes(body), record)
                        )
                        break
                    else:
                        return
                record.status = response.status
                await self._send(conn, writer, response, close=response.status == 413)
                if response.status == 413:
                    await self._linger(reader)
                    return
                if conn.our_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
            except h11.RemoteProtocolError:
                await self._send(conn, writer, HttpResponse(400, b'{"error":"bad request"}'), close=True)
                return
            except (TimeoutError, OSError, ssl.SSLError, h11.LocalProtocolError):
                return

    async def _linger(self, reader: asyncio.StreamReader) -> None:
        """Drop what the client still sends before closing, so the close does not reset the answer
        out of its receive buffer (the staged tear-down of RFC 9112 §9.6); bounded in bytes and time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LINGER_SECONDS
        discarded = 0
        while discarded < LINGER_BYTES and (remaining := deadline - loop.time()) > 0:
            data = await asyncio.wait_for(reader.read(_READ_SIZE), remaining)
            if not data:
                return
            discarded += len(data)

    async def _send(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, response: HttpResponse, *, close: bool = False
    ) -> None:
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            *response.headers,
        ]
        if close:
            headers.append(("Connection", "close"))
        try:
            data = conn.send(h11.Response(status_code=response.status, headers=headers))
            data = (
                (data or b"")
                + (conn.send(h11.Data(data=response.body)) or b"")
                + (conn.send(h11.EndOfMessage()) or b"")
            )
        except h11.LocalProtocolError:
            return
        writer.write(data)
        await asyncio.wait_for(writer.drain(), self.idle_timeout)
