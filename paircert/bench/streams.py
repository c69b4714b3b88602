"""Receiving one stream for a benchmark: frames with their capture and arrival times, and RTP loss.

The stream is pulled by the one RTSP client (:class:`paircert.rtsp.client.RtspClient`). A frame
ends at the RTP marker; its capture time is the ONVIF replay extension's NTP time (which the
peers stamp when they produce the frame and a re-serving device keeps), its arrival the moment the
client read its last packet. Both come from this machine's clock, so no clock sync is needed.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field

from paircert.rtsp.client import RtspClient
from paircert.rtsp.errors import MalformedPacket, ProtocolError
from paircert.rtsp.rtp import RtpPacket, ntp_to_unix

from .stats import LossCounter

__all__ = ["FrameArrival", "StreamReader", "stop_readers"]

_FRAME_NUMBER = re.compile(rb'FrameNumber="(\d+)"')  # in the document's head: the frame's first packet
FIXED_HEADER = 12
MARKER = 0x80


@dataclass(frozen=True)
class FrameArrival:
    """One whole frame: ``ntp`` identifies it on every path that carries it."""

    ntp: int
    capture: float
    arrived: float
    size: int
    number: int | None = None

    @property
    def latency_ms(self) -> float:
        return (self.arrived - self.capture) * 1000


@dataclass
class StreamReader:
    """Pulls ``url`` until stopped, recording frames (bounded by ``max_frames``) and RTP loss.

    ``numbered`` reads each frame's ``pc:FrameNumber`` (radar metadata), which counts frames the
    way the source numbered them, whatever the path between did to the RTP sequence numbers.
    """

    url: str
    username: str
    password: str = field(repr=False)
    numbered: bool = False
    max_frames: int = 200_000
    timeout: float = 10.0
    frames: list[FrameArrival] = field(default_factory=list)
    loss: LossCounter = field(default_factory=LossCounter)
    connected_at: float | None = None
    error: str | None = None
    client_dropped: int = 0

    @property
    def first_frame_at(self) -> float | None:
        return self.frames[0].arrived if self.frames else None

    def restart_window(self) -> None:
        """Forget what came so far: the next window counts from here."""
        self.frames = []
        self.loss = LossCounter()

    async def run(self) -> None:
        """Receive until cancelled or the stream ends; an error ends it with ``error`` set."""
        client = RtspClient(self.url, username=self.username, password=self.password, timeout=self.timeout)
        try:
            await client.connect()
            sdp = await client.describe()
            if not sdp.media:
                self.error = "the stream's SDP has no media"
                return
            channel, _ = await client.setup(sdp.media[0].control or "*")
            await client.play()
            self.connected_at = time.time()
            await self._receive(client, channel)
            self.error = "the server ended the stream"
        except (OSError, TimeoutError, ProtocolError) as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.client_dropped = client.dropped
            await client.close()

    async def _receive(self, client: RtspClient, channel: int) -> None:
        """Parse a frame's first packet in full (capture time, frame number); of the others only
        the fixed header, which is all that loss and frame boundaries need. The reader shares
        the machine with what it measures, so it takes as little of it as it can."""
        first: RtpPacket | None = None
        size = 0
        async for received in client.packets(channel, idle_timeout=self.timeout):
            data = received.payload
            if len(data) < FIXED_HEADER:
                raise MalformedPacket(f"RTP packet of {len(data)} bytes is shorter than its header")
            self.loss.add(int.from_bytes(data[2:4], "big"))
            if first is None:
                first = RtpPacket.parse(data)
                size = len(first.payload)
            else:
                size += len(data) - first.header_size
            if not data[1] & MARKER:
                continue
            replay = first.onvif_replay
            if replay is not None and len(self.frames) < self.max_frames:
                number = None
                if self.numbered:
                    match = _FRAME_NUMBER.search(first.payload)
                    number = int(match.group(1)) if match else None
                self.frames.append(FrameArrival(replay.ntp, ntp_to_unix(replay.ntp), received.arrived, size, number))
            first = None

    async def wait_for_frames(self, count: int, timeout: float) -> bool:
        """True once ``count`` frames came, False after ``timeout`` seconds or when the stream ended."""
        deadline = time.monotonic() + timeout
        while len(self.frames) < count:
            if time.monotonic() > deadline or self.error is not None:
                return False
            await asyncio.sleep(0.01)
        return True


async def stop_readers(tasks: list[asyncio.Task[None]], timeout: float = 5.0) -> None:
    """Cancel reading tasks and wait for them a bounded time (a stuck close never holds a benchmark)."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)
