"""The asyncio RTSP client shell: connect (TCP or TLS), request with auth retry, receive media.

The peers, the emulator and the benchmarks pull streams through this one client. Every wait is
bounded by ``timeout``; the background reader ends when the connection does, and per-channel
buffers are bounded (the oldest packet goes when a consumer falls behind).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

from paircert.auth import ClientAuth
from paircert.rtsp.connection import NEED_DATA, Connection, ConnectionClosed, InterleavedFrame, Role
from paircert.rtsp.errors import MalformedPacket, ProtocolError, RemoteProtocolError
from paircert.rtsp.headers import TransportSpec, parse_transports
from paircert.rtsp.message import Headers, Request, Response
from paircert.rtsp.rtcp import RtcpPacket, parse_compound
from paircert.rtsp.rtp import RtpPacket
from paircert.rtsp.sdp import SessionDescription
from paircert.tasks import cancel_and_wait

__all__ = ["Received", "RequestFailed", "RtspClient"]

DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322}
USER_AGENT = "paircert-rtsp/0.1"


class RequestFailed(Exception):
    """The server answered a request with a non-2xx status (401 after the auth retry included)."""

    def __init__(self, method: str, response: Response) -> None:
        super().__init__(f"{method} answered {response.status} {response.reason}")
        self.method = method
        self.response = response


@dataclass(frozen=True)
class Received:
    """One interleaved payload and its arrival time (Unix seconds, comparable with NTP capture time)."""

    channel: int
    payload: bytes
    arrived: float

    def rtp(self) -> RtpPacket:
        return RtpPacket.parse(self.payload)

    def rtcp(self) -> list[RtcpPacket]:
        return parse_compound(self.payload)


def _join(base: str, control: str) -> str:
    """Resolve an SDP ``a=control`` against the Content-Base (RFC 2326 §C.1.1)."""
    if "://" in control:
        return control
    if control == "*":
        return base
    return base if base.endswith("/") and not control else base.rstrip("/") + "/" + control


class RtspClient:
    """One RTSP connection to ``url`` (``rtsp://`` or ``rtsps://``).

    For ``rtsps`` the certificate is verified against ``ca_file`` (or the system store) and
    ``server_hostname`` (default: the URL's host) unless ``verify`` is False; ``ssl_context``
    overrides all of that.
    """

    def __init__(
        self,
        url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        verify: bool = True,
        ca_file: str | None = None,
        server_hostname: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
        channel_buffer: int = 4096,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"not an rtsp:// or rtsps:// URL: {url!r}")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port or DEFAULT_PORTS[parts.scheme]
        self.tls = parts.scheme == "rtsps"
        self.timeout = timeout
        self.conn = Connection(Role.CLIENT)
        self.content_base = url
        self.channels: dict[str, tuple[int, int]] = {}
        self.dropped = 0
        self._auth = ClientAuth(username, password or "") if username is not None else None
        self._server_hostname = server_hostname or self.host
        self._ssl = ssl_context if ssl_context is not None or not self.tls else self._context(verify, ca_file)
        self._channel_buffer = channel_buffer
        self._queues: dict[int, asyncio.Queue[Received | None]] = {}
        self._waiting: dict[int, asyncio.Future[Response]] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._keepalive: asyncio.Task[None] | None = None
        self.error: ProtocolError | None = None
        self._ended = False

    @staticmethod
    def _context(verify: bool, ca_file: str | None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=ca_file)
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    @property
    def auth_scheme(self) -> str | None:
        return None if self._auth is None else self._auth.scheme

    @property
    def tls_version(self) -> str | None:
        ssl_object = self._writer.get_extra_info("ssl_object") if self._writer is not None else None
        return None if ssl_object is None else ssl_object.version()

    async def connect(self) -> None:
        """Open the connection (and the TLS handshake); raises OSError/ssl errors/TimeoutError."""
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(
                self.host,
                self.port,
                ssl=self._ssl,
                server_hostname=self._server_hostname if self._ssl is not None else None,
                ssl_handshake_timeout=self.timeout if self._ssl is not None else None,
            ),
            self.timeout,
        )
        self._read_task = asyncio.create_task(self._read_loop())

    async def close(self) -> None:
        """Stop keep-alives, close the connection, then the reader; safe to call twice."""
        if self._keepalive is not None:
            await cancel_and_wait([self._keepalive])
            self._keepalive = None
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()
            try:
                await asyncio.wait_for(writer.wait_closed(), 1.0)
            except (OSError, ssl.SSLError, TimeoutError):
                writer.transport.abort()
        if self._read_task is not None:
            await cancel_and_wait([self._read_task])
            self._read_task = None
        self._finish(ConnectionError("client closed"))

    async def __aenter__(self) -> RtspClient:
        await self.connect()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- requests ----------------------------------------------------------------------------

    async def request(
        self, method: str, url: str | None = None, headers: Iterable[tuple[str, str]] = (), body: bytes = b""
    ) -> Response:
        """Send one request and return its answer, answering at most one fresh 401 challenge
        (and one more ``stale=true`` one)."""
        attempt = 0
        while True:
            request = Request(method, url or self.url, Headers(headers), body)
            request.headers.set("User-Agent", USER_AGENT)
            authorization = self._auth.authorization(method, request.uri) if self._auth else None
            if authorization is not None:
                request.headers.set("Authorization", authorization)
            response = await self._exchange(request)
            if self._auth is None or not self._auth.retry(
                response.status, response.headers.get_all("WWW-Authenticate"), attempt
            ):
                return response
            attempt += 1

    async def _exchange(self, request: Request) -> Response:
        if self._writer is None or self._read_task is None or self._read_task.done():
            raise ConnectionError(f"connection is closed ({self.error or 'no error'})")
        data = self.conn.send(request)
        assert request.cseq is not None  # send() always assigns one
        future: asyncio.Future[Response] = asyncio.get_running_loop().create_future()
        self._waiting[request.cseq] = future
        try:
            self._writer.write(data)
            await asyncio.wait_for(self._writer.drain(), self.timeout)
            return await asyncio.wait_for(future, self.timeout)
        finally:
            self._waiting.pop(request.cseq, None)

    async def _checked(self, method: str, url: str | None = None, headers: Iterable[tuple[str, str]] = ()) -> Response:
        response = await self.request(method, url, headers)
        if not response.ok:
            raise RequestFailed(method, response)
        return response

    async def options(self) -> Response:
        return await self._checked("OPTIONS")

    async def describe(self) -> SessionDescription:
        """DESCRIBE the URL; remembers the Content-Base that SETUP resolves controls against."""
        response = await self._checked("DESCRIBE", headers=[("Accept", "application/sdp")])
        self.content_base = response.headers.get("Content-Base") or response.headers.get("Content-Location") or self.url
        try:
            return SessionDescription.parse(response.body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise MalformedPacket("SDP is not UTF-8") from exc

    async def setup(self, control: str) -> tuple[int, int]:
        """SETUP one track over TCP interleaving; returns the RTP/RTCP channels the server chose."""
        wanted = (2 * len(self.channels), 2 * len(self.channels) + 1)
        response = await self._checked(
            "SETUP", _join(self.content_base, control), [("Transport", str(TransportSpec(interleaved=wanted)))]
        )
        answered = parse_transports(response.headers.get("Transport", ""))
        channels = answered[0].interleaved if answered and answered[0].interleaved else wanted
        self.channels[control] = channels
        if self._keepalive is None:
            interval = (self.conn.session.timeout or 60) / 2
            self._keepalive = asyncio.create_task(self._keep_alive(interval))
        return channels

    async def play(self) -> Response:
        return await self._checked("PLAY", headers=[("Range", "npt=0.000-")])

    async def teardown(self) -> Response:
        if self._keepalive is not None:
            await cancel_and_wait([self._keepalive])
            self._keepalive = None
        self.channels = {}
        return await self._checked("TEARDOWN")

    async def _keep_alive(self, interval: float) -> None:
        """GET_PARAMETER at half the session timeout, until the session or connection ends."""
        while self.conn.session.session_id is not None:
            await asyncio.sleep(interval)
            try:
                await self.request("GET_PARAMETER")
            except (OSError, TimeoutError, ProtocolError):
                return

    # -- receiving ---------------------------------------------------------------------------

    def _queue(self, channel: int) -> asyncio.Queue[Received | None]:
        if channel not in self._queues:
            self._queues[channel] = asyncio.Queue(self._channel_buffer)
            if self._ended:
                self._queues[channel].put_nowait(None)
        return self._queues[channel]

    def _deliver(self, channel: int, item: Received | None) -> None:
        queue = self._queue(channel)
        if queue.full():
            queue.get_nowait()
            self.dropped += item is not None
        queue.put_nowait(item)

    async def packets(self, channel: int, *, idle_timeout: float | None = None) -> AsyncIterator[Received]:
        """Payloads received on ``channel`` until the connection ends; TimeoutError when nothing
        arrives for ``idle_timeout`` (default: the client timeout)."""
        queue = self._queue(channel)
        while True:
            item = await asyncio.wait_for(queue.get(), idle_timeout or self.timeout)
            if item is None:
                queue.put_nowait(None)  # every later iterator ends too
                return
            yield item

    async def _read_loop(self) -> None:
        assert self._reader is not None
        error: BaseException = ConnectionError("server closed the connection")
        try:
            while True:
                data = await self._reader.read(64 * 1024)
                self.conn.receive_data(data)
                if not self._dispatch():
                    return
        except RemoteProtocolError as exc:
            self.error = error = exc
        except (OSError, ssl.SSLError) as exc:
            error = exc
        finally:
            self._finish(error)

    def _dispatch(self) -> bool:
        """Route every complete event; False once the server has closed."""
        while True:
            event = self.conn.next_event()
            if event is NEED_DATA:
                return True
            if isinstance(event, ConnectionClosed):
                return False
            if isinstance(event, InterleavedFrame):
                self._deliver(event.channel, Received(event.channel, event.payload, time.time()))
            elif isinstance(event, Response):
                future = self._waiting.get(event.cseq or -1)
                if future is not None and not future.done():
                    future.set_result(event)
            elif self._writer is not None:  # a server-to-client request: not offered by paircert
                self._writer.write(self.conn.send(event.respond(501)))

    def _finish(self, error: BaseException) -> None:
        """Fail the requests in flight and end every packet iterator (once)."""
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(error)
        if not self._ended:
            self._ended = True
            for channel in list(self._queues):
                self._deliver(channel, None)
