"""The real link step: the reference link sequence of PROTOCOL-NOTES §3, for a camera or a radar.

1. Resolve the address through the dialer (loopback or the name table only; a name it does not
   know is ``address``, an address outside ``dial_allow`` is ``connect``, and neither sends a
   packet or a query).
2. ``basicdeviceinfo.cgi`` ``getAllProperties`` with the link's credentials (:mod:`.identify`).
3. RTSP (or RTSP over TLS) to the resolved IP literal, with the user's address as the TLS server
   name: DESCRIBE, SETUP of one track (the camera's video, the radar's metadata), PLAY. The link
   is up when the first whole frame (an RTP packet with the marker bit) arrives; from then on
   every packet is published to the re-serving feed.

Outcomes: a 401 after the Digest retry at step 2 or 3 is ``auth``; no connection, a failed
certificate check or any other refusal before PLAY is ``connect``; after PLAY, a stream that
brings no whole frame for :data:`FRAME_TIMEOUT` seconds or sends garbage is ``transfer``, and one
that ends returns normally (``lost``). Whenever the step ends with a session open it sends
TEARDOWN (bounded), so removing a pairing or deactivating the radar tears down on the wire.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Literal

from ..rtsp.client import Received, RequestFailed, RtspClient
from ..rtsp.errors import MalformedPacket, ProtocolError
from ..rtsp.sdp import MediaDescription, SessionDescription
from ..vapix.paths import MEDIA_PATH as CAMERA_PATH
from ..vapix.paths import RADAR_METADATA_PATH as RADAR_PATH
from .dialer import Dialer, DialRefused, IPAddress
from .faults import NO_FAULTS, FaultSet
from .identify import identify
from .links import LinkFailure, LinkStep, LinkTarget, PeerIdentity
from .restream import Feed

__all__ = ["CAMERA_PATH", "FRAME_TIMEOUT", "RADAR_PATH", "RTSP_TIMEOUT", "TEARDOWN_TIMEOUT", "stream_step"]

FRAME_TIMEOUT = 3.0
RTSP_TIMEOUT = 5.0
TEARDOWN_TIMEOUT = 1.0

MediaKind = Literal["video", "application"]
Established = Callable[[PeerIdentity | None], None]


def stream_step(
    dialer: Dialer,
    *,
    path: str,
    media: MediaKind,
    feed: Feed | None,
    trust_ca_file: Path | None,
    faults: FaultSet = NO_FAULTS,
) -> LinkStep:
    """A link step that pulls ``media`` from ``path`` on the peer and publishes it to ``feed``.

    With the ``paired-without-frames`` fault the link counts as up once PLAY is answered and never
    reads a frame."""

    async def step(target: LinkTarget, established: Established) -> None:
        try:
            ips = dialer.resolve(target.address)
        except DialRefused as exc:
            raise LinkFailure("address" if exc.unresolved else "connect", str(exc)) from None
        peer = await identify(target, ips, trust_ca_file)
        client = await _open(target, ips, path, trust_ca_file)
        try:
            track = await _play(client, media)
            if feed is not None:
                feed.describe(track)
            channel = client.channels[track.control or ""][0]
            if faults.active("paired-without-frames"):
                established(peer)
                await asyncio.Event().wait()
            await _receive(client, channel, feed, lambda: established(peer))
        finally:
            await _close(client)

    return step


def _url(ip: IPAddress, target: LinkTarget, path: str) -> str:
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"{'rtsps' if target.tls else 'rtsp'}://{host}:{target.port}{path}"


async def _open(target: LinkTarget, ips: Sequence[IPAddress], path: str, ca_file: Path | None) -> RtspClient:
    failures: list[str] = []
    for ip in ips:
        client = RtspClient(
            _url(ip, target, path),
            username=target.username,
            password=target.password,
            verify=target.verify,
            ca_file=str(ca_file) if ca_file is not None else None,
            server_hostname=target.server_name,
            timeout=RTSP_TIMEOUT,
        )
        try:
            await client.connect()
            return client
        except (OSError, TimeoutError) as exc:  # ssl errors are OSErrors
            failures.append(f"{ip}:{target.port}: {type(exc).__name__}")
            await client.close()
    raise LinkFailure("connect", "RTSP: " + "; ".join(failures))


def _pick(sdp: SessionDescription, kind: MediaKind) -> MediaDescription:
    for media in sdp.media:
        if media.media == kind and media.control:
            _ = media.payload_type  # raises MalformedPacket for a media line without one
            return media
    raise LinkFailure("connect", f"the peer's stream has no {kind} track")


async def _play(client: RtspClient, kind: MediaKind) -> MediaDescription:
    try:
        track = _pick(await client.describe(), kind)
        assert track.control is not None
        await client.setup(track.control)
        await client.play()
    except RequestFailed as exc:
        raise LinkFailure("auth" if exc.response.status == 401 else "connect", str(exc)) from None
    except (OSError, TimeoutError, ProtocolError, MalformedPacket) as exc:
        raise LinkFailure("connect", f"RTSP: {type(exc).__name__}: {exc}") from None
    return track


async def _receive(client: RtspClient, channel: int, feed: Feed | None, on_first_frame: Callable[[], None]) -> None:
    """Forward packets until the stream ends; LinkFailure ``transfer`` after a frameless gap."""
    loop = asyncio.get_running_loop()
    packets = client.packets(channel, idle_timeout=2 * FRAME_TIMEOUT).__aiter__()

    async def next_packet() -> Received:
        return await packets.__anext__()

    last_frame = loop.time()
    up = False
    try:
        while True:
            remaining = last_frame + FRAME_TIMEOUT - loop.time()
            try:
                received = await asyncio.wait_for(next_packet(), max(remaining, 0.0))
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise LinkFailure("transfer", f"no frame for {FRAME_TIMEOUT:g} s") from None
            try:
                packet = received.rtp()
            except MalformedPacket as exc:
                raise LinkFailure("transfer", f"not RTP: {exc}") from None
            if feed is not None:
                feed.publish(packet)
            if packet.marker:
                last_frame = loop.time()
                if not up:
                    up = True
                    on_first_frame()
    finally:
        await _aclose(packets)


async def _aclose(packets: AsyncIterator[Received]) -> None:
    aclose = getattr(packets, "aclose", None)
    if aclose is not None:
        with contextlib.suppress(RuntimeError, TimeoutError):
            await asyncio.wait_for(aclose(), TEARDOWN_TIMEOUT)


async def _close(client: RtspClient) -> None:
    """TEARDOWN when a session is open (bounded, errors ignored), then close the connection."""
    if client.conn.session.session_id is not None:
        with contextlib.suppress(OSError, TimeoutError, ProtocolError, RequestFailed, ssl.SSLError):
            await asyncio.wait_for(client.teardown(), TEARDOWN_TIMEOUT)
    await client.close()
