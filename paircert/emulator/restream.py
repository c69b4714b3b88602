"""Re-serving what the links receive: the paired camera's video and the radar's metadata frames.

A link publishes every RTP packet it receives into a :class:`Feed`; the emulator's own RTSP
servers (plain and TLS, Digest with the emulator's users) take their media from the
:class:`Relay`, which routes a URL to a feed:

- ``/axis-media/media.amp?camera=2``: the paired camera's video track, with the camera's own SDP
  (parameter sets included); 404 until a camera link has described one;
- ``/axis-media/media.amp?...&video=0&analytics=polygon``: the device's metadata stream, which
  carries the radar's frames while the radar link brings them ("just like a built-in radar").

Packets are forwarded, not re-encoded: payload, RTP timestamp and header extension (the ONVIF
replay capture time) are kept; SSRC, sequence numbers and payload type are rewritten so a viewer
sees one continuous stream across upstream reconnects. Each viewer has a bounded queue of whole
frames; a viewer that falls behind loses whole frames, never the link's pace.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import ssl
from collections import deque
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

from ..rtsp.rtp import RtpPacket
from ..rtsp.sdp import MediaDescription, SessionDescription, metadata_media
from ..rtsp.server import RtspServer
from ..vapix.paths import MEDIA_PATH
from .auth import REALM
from .certs import TlsFiles
from .config import EmulatorConfig

__all__ = ["CONTROL", "MEDIA_PATH", "Feed", "Relay", "start_rtsp_servers"]

CONTROL = "trackID=1"
VIEWER_FRAMES = 64
MAX_PACKETS_PER_FRAME = 4096


class _Viewer:
    """One re-served session's queue: whole frames, bounded in count, oldest kept."""

    def __init__(self, *, started: bool, max_frames: int) -> None:
        self.started = started  # False until the first frame boundary: never hand out half a frame
        self.max_frames = max_frames
        self.dropped = 0
        self._current: list[RtpPacket] = []
        self._frames: deque[list[RtpPacket]] = deque()
        self._ended = False
        self._ready = asyncio.Event()

    def push(self, packet: RtpPacket) -> None:
        if not self.started:
            self.started = packet.marker
            return
        self._current.append(packet)
        if packet.marker or len(self._current) >= MAX_PACKETS_PER_FRAME:
            if len(self._frames) < self.max_frames:
                self._frames.append(self._current)
                self._ready.set()
            else:
                self.dropped += 1
            self._current = []

    def end(self) -> None:
        self._ended = True
        self._ready.set()

    async def frames(self) -> AsyncIterator[list[RtpPacket]]:
        """Frames until ended; each wait ends with the session that consumes it (the server's)."""
        while True:
            while not self._frames and not self._ended:
                self._ready.clear()
                await self._ready.wait()
            if not self._frames:
                return
            yield self._frames.popleft()


class Feed:
    """One upstream track and its viewers. ``media`` is what DESCRIBE shows (None: 404)."""

    def __init__(self, media: MediaDescription | None = None, *, max_frames: int = VIEWER_FRAMES) -> None:
        self._default = media
        self.media = media
        self.max_frames = max_frames
        self.ssrc = secrets.randbits(32)
        self.published = 0
        self._viewers: set[_Viewer] = set()
        self._at_boundary = True

    @property
    def viewers(self) -> int:
        return len(self._viewers)

    def describe(self, upstream: MediaDescription) -> None:
        """Take the upstream track's description (codec, parameter sets), under our control name."""
        attributes = [(name, value) for name, value in upstream.attributes if name != "control"]
        self.media = dataclasses.replace(upstream, attributes=[*attributes, ("control", CONTROL)])

    def publish(self, packet: RtpPacket) -> None:
        for viewer in self._viewers:
            viewer.push(packet)
        self._at_boundary = packet.marker
        self.published += 1

    def reset(self) -> None:
        """The upstream is gone for good (pairing removed): end every viewer, forget the SDP."""
        self.media = self._default
        for viewer in self._viewers:
            viewer.end()
        self._viewers.clear()

    async def packets(self) -> AsyncIterator[RtpPacket]:
        viewer = _Viewer(started=self._at_boundary, max_frames=self.max_frames)
        self._viewers.add(viewer)
        sequence = secrets.randbits(16)
        try:
            async for frame in viewer.frames():
                media = self.media
                payload_type = media.payload_type if media is not None else None
                for packet in frame:
                    yield dataclasses.replace(
                        packet,
                        ssrc=self.ssrc,
                        sequence_number=sequence,
                        payload_type=payload_type if payload_type is not None else packet.payload_type,
                        csrc=(),
                    )
                    sequence = (sequence + 1) & 0xFFFF
        finally:
            self._viewers.discard(viewer)


async def _nothing() -> AsyncIterator[RtpPacket]:
    return
    yield  # pragma: no cover  (makes this an async generator)


class Relay:
    """The emulator's RTSP media source: routes a URL to the camera or the radar feed."""

    def __init__(self) -> None:
        self.camera = Feed()
        self.radar = Feed(metadata_media(CONTROL))

    def route(self, url: str) -> Feed | None:
        parts = urlsplit(url)
        if parts.path != MEDIA_PATH:
            return None
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if query.get("analytics") == "polygon" and query.get("video") == "0":
            return self.radar
        if query.get("camera") == "2":
            return self.camera
        return None

    def describe(self, url: str) -> str | None:
        feed = self.route(url)
        if feed is None or feed.media is None:
            return None
        return SessionDescription(name="paircert emulator", media=[feed.media]).serialize()

    def packets(self, url: str, control: str) -> AsyncIterator[RtpPacket]:
        feed = self.route(url)
        if feed is None or control != CONTROL:
            return _nothing()
        return feed.packets()


def _server_context(tls: TlsFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(tls.certfile), str(tls.keyfile))
    return context


async def start_rtsp_servers(config: EmulatorConfig, relay: Relay, tls: TlsFiles) -> list[RtspServer]:
    """The plain and the TLS RTSP server, started (closed again if the second one fails)."""
    users = {user.name: user.password for user in config.users}
    algorithms = config.digest_algorithms
    servers = [
        RtspServer(
            relay, host=config.host, port=config.rtsp_port, users=users, realm=REALM, digest_algorithms=algorithms
        ),
        RtspServer(
            relay,
            host=config.host,
            port=config.rtsps_port,
            users=users,
            realm=REALM,
            digest_algorithms=algorithms,
            ssl_context=_server_context(tls),
        ),
    ]
    started: list[RtspServer] = []
    try:
        for server in servers:
            await server.start()
            started.append(server)
    except BaseException:
        for server in started:
            await server.close()
        raise
    return servers
