"""The asyncio RTSP server shell: timeouts and fault switches around the core, on the one listener.

Everything RTSP-specific is decided by :class:`~paircert.rtsp.connection.Connection` and the
session machine; this module reads and writes bytes, answers the methods paircert serves
(OPTIONS, DESCRIBE, SETUP with TCP interleaving only, PLAY, GET_PARAMETER, TEARDOWN), checks
credentials with :mod:`paircert.auth`, and records what each client did. One session per
connection, as FFmpeg, GStreamer and Axis devices use it.
"""

from __future__ import annotations

import asyncio
import math
import secrets
import ssl
from collections import deque
from collections.abc import Mapping, Sequence
from types import TracebackType

from paircert.auth import ServerAuth
from paircert.listener import Listener
from paircert.rtsp.connection import NEED_DATA, Connection, ConnectionClosed, Role
from paircert.rtsp.errors import MalformedPacket, RemoteProtocolError
from paircert.rtsp.faults import Faults
from paircert.rtsp.headers import TransportSpec, parse_transports
from paircert.rtsp.message import REASONS, Request, Response, serialize_head
from paircert.rtsp.record import ClientRecord
from paircert.rtsp.sdp import SessionDescription
from paircert.rtsp.source import MediaSource
from paircert.rtsp.streaming import Player, TrackBinding

__all__ = ["RtspServer"]

PUBLIC = "OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN"
_READ_SIZE = 64 * 1024


class RtspServer:
    """An RTSP (or, with ``ssl_context``, RTSP over TLS) server for one media source.

    ``users`` maps user names to passwords; None serves without authentication. ``schemes``
    lists what the 401 offers, in order: ``digest`` (with ``digest_algorithms``; MD5 by default,
    as FFmpeg and GStreamer expect) and/or ``basic``. ``faults`` may be changed while the server
    runs; ``records`` keeps the most recent connections.
    """

    def __init__(
        self,
        source: MediaSource,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        users: Mapping[str, str] | None = None,
        schemes: Sequence[str] = ("digest",),
        realm: str = "paircert",
        digest_algorithms: Sequence[str] = ("MD5",),
        session_timeout: float = 60.0,
        stall_timeout: float = 5.0,
        handshake_timeout: float = 10.0,
        queue_frames: int = 32,
        queue_bytes: int = 4 * 1024 * 1024,
        faults: Faults | None = None,
        max_records: int = 256,
    ) -> None:
        self.source = source
        self.host = host
        self.ssl_context = ssl_context
        auth = ServerAuth(realm, users or {}, schemes=schemes, algorithms=digest_algorithms)
        self.auth = auth if users is not None else None
        self.session_timeout = session_timeout
        self.stall_timeout = stall_timeout
        self.handshake_timeout = handshake_timeout
        self.queue_frames = queue_frames
        self.queue_bytes = queue_bytes
        self.faults = faults or Faults()
        self.records: deque[ClientRecord] = deque(maxlen=max_records)
        self._port = port
        self._listener: Listener[ClientRecord] | None = None

    @property
    def port(self) -> int:
        return self._listener.port if self._listener is not None else self._port

    def url(self, path: str = "/axis-media/media.amp") -> str:
        scheme = "rtsps" if self.ssl_context is not None else "rtsp"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}{path}"

    async def start(self) -> None:
        self._listener = Listener(
            self._serve,
            note=self._note,
            host=self.host,
            port=self._port,
            ssl_context=self.ssl_context,
            refuse=lambda: self.faults.refuse,
            handshake_timeout=self.handshake_timeout,
        )
        await self._listener.start()

    async def close(self) -> None:
        """Stop listening, end every connection, and wait (bounded) for their tasks."""
        if self._listener is not None:
            self._port = self._listener.port
            await self._listener.close()
            self._listener = None

    async def __aenter__(self) -> RtspServer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _note(self, peer: str) -> ClientRecord:
        record = ClientRecord(peer=peer)
        self.records.append(record)
        return record

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: ClientRecord) -> None:
        await _ServerSession(self, reader, writer, record).run()


class _ServerSession:
    """One connection: read loop, request dispatch, and the session's player."""

    def __init__(
        self, server: RtspServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: ClientRecord
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.record = record
        self.conn = Connection(Role.SERVER)
        self.tracks: list[TrackBinding] = []
        self.player: Player | None = None
        self.loop = asyncio.get_running_loop()
        self.deadline = self.loop.time() + server.session_timeout
        self.closing = False

    async def run(self) -> None:
        try:
            while not self.closing:
                remaining = self.deadline - self.loop.time()
                if remaining <= 0:
                    self.record.closed_reason = self.record.closed_reason or "session timeout"
                    return
                try:
                    data = await asyncio.wait_for(self.reader.read(_READ_SIZE), remaining)
                except TimeoutError:
                    continue
                except (OSError, ssl.SSLError) as exc:
                    self.record.closed_reason = self.record.closed_reason or f"connection lost: {type(exc).__name__}"
                    return
                self.conn.receive_data(data)
                try:
                    await self._events()
                except RemoteProtocolError as exc:
                    self.record.protocol_error = str(exc)
                    status = exc.error_status_hint
                    self.writer.write(serialize_head(Response(status, REASONS.get(status, "Bad Request"))))
                    return
        finally:
            await self._stop_player()

    async def _events(self) -> None:
        while True:
            event = self.conn.next_event()
            if event is NEED_DATA:
                return
            if isinstance(event, ConnectionClosed):
                self.record.closed_reason = self.record.closed_reason or "client closed"
                self.closing = True
                return
            self.deadline = self.loop.time() + self.server.session_timeout  # RTCP counts as liveness
            if isinstance(event, Request):
                await self._handle(event)

    async def _reply(self, response: Response) -> None:
        self.writer.write(self.conn.send(response))
        try:
            await asyncio.wait_for(self.writer.drain(), self.server.stall_timeout)
        except TimeoutError:
            self.record.closed_reason = "stalled reader"
            self.writer.transport.abort()
            self.closing = True

    async def _handle(self, request: Request) -> None:
        self.record.saw(request.method)
        self.record.user_agent = request.headers.get("User-Agent") or self.record.user_agent
        handler = {
            "OPTIONS": self._options,
            "DESCRIBE": self._describe,
            "SETUP": self._setup,
            "PLAY": self._play,
            "GET_PARAMETER": self._get_parameter,
            "TEARDOWN": self._teardown,
        }.get(request.method)
        if handler is None:
            await self._reply(request.respond(501, [("Public", PUBLIC)]))
            return
        if request.method != "OPTIONS" and not await self._authorized(request):
            return
        refusal = self.conn.session.refusal(request.method, request.headers.get("Session"))
        if refusal is not None:
            await self._reply(request.respond(refusal))
            return
        await handler(request)

    async def _authorized(self, request: Request) -> bool:
        server = self.server
        if server.auth is None:
            return True
        header = request.headers.get("Authorization")
        result = server.auth.check(request.method, request.uri, header, reject=server.faults.reject_credentials)
        self.record.auth_scheme = result.scheme or self.record.auth_scheme
        self.record.authenticated = result.ok
        if result.ok:
            return True
        challenges = server.auth.challenges(result.stale)
        await self._reply(request.respond(401, [("WWW-Authenticate", c) for c in challenges]))
        return False

    async def _options(self, request: Request) -> None:
        await self._reply(request.respond(200, [("Public", PUBLIC)]))

    async def _get_parameter(self, request: Request) -> None:
        await self._reply(request.respond(200))

    async def _describe(self, request: Request) -> None:
        url = request.uri.rstrip("/")
        sdp = self.server.source.describe(url)
        if sdp is None:
            await self._reply(request.respond(404))
            return
        self.record.url = url
        headers = [("Content-Type", "application/sdp"), ("Content-Base", url + "/")]
        await self._reply(request.respond(200, headers, sdp.encode("utf-8")))

    async def _setup(self, request: Request) -> None:
        value = request.headers.get("Transport", "")
        self.record.transport = value
        try:
            spec = next((s for s in parse_transports(value) if s.is_tcp), None)
        except MalformedPacket:
            await self._reply(request.respond(400))
            return
        if spec is None:
            await self._reply(request.respond(461))
            return
        if self.player is not None:
            await self._reply(request.respond(455))
            return
        base, _, control = request.uri.rstrip("/").rpartition("/")
        sdp_text = self.server.source.describe(base)
        try:
            media = SessionDescription.parse(sdp_text).media_by_control(control) if sdp_text else None
        except MalformedPacket:  # the media source's SDP is broken: our fault, not the client's
            await self._reply(request.respond(500))
            return
        if media is None:
            await self._reply(request.respond(404))
            return
        if self.tracks and self.tracks[0].url != base:
            await self._reply(request.respond(459))
            return
        channel = self._channel(spec.interleaved, [t for t in self.tracks if t.control != control])
        rtpmap = media.rtpmap(media.payload_type)
        binding = TrackBinding(base, control, channel, rtpmap[1] if rtpmap else 90000)
        self.tracks = [t for t in self.tracks if t.control != control] + [binding]
        session_id = self.conn.session.session_id or secrets.token_hex(8)
        timeout = max(1, math.ceil(self.server.session_timeout))
        headers = [
            ("Transport", str(TransportSpec(interleaved=(channel, channel + 1)))),
            ("Session", f"{session_id};timeout={timeout}"),
        ]
        await self._reply(request.respond(200, headers))

    @staticmethod
    def _channel(requested: tuple[int, int] | None, others: list[TrackBinding]) -> int:
        """The client's channel pair when free, else the lowest free even pair."""
        used = {c for t in others for c in (t.channel, t.channel + 1)}
        if requested is not None and requested[0] % 2 == 0 and not {requested[0], requested[0] + 1} & used:
            return requested[0]
        return next(c for c in range(0, 255, 2) if not {c, c + 1} & used)

    async def _play(self, request: Request) -> None:
        await self._reply(request.respond(200, [("Range", "npt=0.000-")]))
        if self.player is not None or self.closing:
            return
        server = self.server
        self.player = Player(
            source=server.source,
            tracks=list(self.tracks),
            conn=self.conn,
            write=self.writer.write,
            drain=self.writer.drain,
            abort=self.writer.transport.abort,
            faults=server.faults,
            record=self.record,
            queue_frames=server.queue_frames,
            queue_bytes=server.queue_bytes,
            stall_timeout=server.stall_timeout,
        )
        self.player.start()

    async def _teardown(self, request: Request) -> None:
        await self._stop_player()
        self.tracks = []
        await self._reply(request.respond(200))

    async def _stop_player(self) -> None:
        if self.player is not None:
            await self.player.stop()
            self.player = None
