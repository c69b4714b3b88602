"""Moving one playing session's media from its source to the connection.

One pump task per track groups RTP packets into frames (the marker bit ends a frame) and offers
them to the session's bounded :class:`FrameQueue`; one writer task sends frames, applies the
delay/drop/stall fault switches, interleaves RTCP sender reports, and gives up on a reader that
does not take a frame within the stall deadline. Memory per session is therefore bounded by the
queue, one frame per track and the transport's write buffer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from paircert.rtsp.connection import Connection, InterleavedFrame
from paircert.rtsp.faults import Faults
from paircert.rtsp.framequeue import FrameQueue
from paircert.rtsp.record import ClientRecord
from paircert.rtsp.rtcp import SenderReport
from paircert.rtsp.rtp import RtpPacket, unix_to_ntp
from paircert.rtsp.source import MediaSource
from paircert.tasks import cancel_and_wait

__all__ = ["Player", "TrackBinding"]

MAX_PACKETS_PER_FRAME = 4096  # a source that never sets the marker still yields bounded frames


@dataclass(frozen=True)
class TrackBinding:
    """One SETUP: which track of which stream goes out on which interleaved channels."""

    url: str
    control: str
    channel: int
    clock_rate: int


@dataclass
class _SenderStats:
    """What a sender report needs: the last packet sent and when, and running counts."""

    last: RtpPacket | None = None
    sent_at: float = 0.0
    packets: int = 0
    octets: int = 0
    reported_at: float = float("-inf")

    def report(self, clock_rate: int, now: float) -> SenderReport | None:
        if self.last is None:
            return None
        replay = self.last.onvif_replay
        if replay is not None:  # the source's own capture clock: an exact RTP/NTP pair
            ntp, rtp = replay.ntp, self.last.timestamp
        else:
            ntp = unix_to_ntp(now)
            rtp = self.last.timestamp + round((now - self.sent_at) * clock_rate)
        return SenderReport(self.last.ssrc, ntp, rtp, self.packets & 0xFFFF_FFFF, self.octets & 0xFFFF_FFFF)


@dataclass(frozen=True)
class _Frame:
    track: int
    packets: tuple[RtpPacket, ...]
    wire: bytes


class Player:
    """Runs the pumps and the writer of one session until stopped or the reader fails.

    ``abort`` is called (once) when the connection must go: the drop fault or a stalled reader;
    the reason is written to the record.
    """

    def __init__(
        self,
        *,
        source: MediaSource,
        tracks: list[TrackBinding],
        conn: Connection,
        write: Callable[[bytes], None],
        drain: Callable[[], Awaitable[None]],
        abort: Callable[[], None],
        faults: Faults,
        record: ClientRecord,
        queue_frames: int,
        queue_bytes: int,
        stall_timeout: float,
        report_interval: float = 2.0,
    ) -> None:
        self._source = source
        self._tracks = tracks
        self._conn = conn
        self._write = write
        self._drain = drain
        self._abort = abort
        self._faults = faults
        self._record = record
        self.queue: FrameQueue[_Frame] = FrameQueue(max_frames=queue_frames, max_bytes=queue_bytes)
        self._stall_timeout = stall_timeout
        self._report_interval = report_interval
        self._stats = [_SenderStats() for _ in tracks]
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._pump(i)) for i in range(len(self._tracks))]
        self._tasks.append(asyncio.create_task(self._send_frames()))

    async def stop(self) -> None:
        await cancel_and_wait(self._tasks)
        self._tasks = []

    async def _pump(self, index: int) -> None:
        track = self._tracks[index]
        frame: list[RtpPacket] = []
        async for packet in self._source.packets(track.url, track.control):
            frame.append(packet)
            if packet.marker or len(frame) >= MAX_PACKETS_PER_FRAME:
                wire = b"".join(self._conn.send(InterleavedFrame(track.channel, p.serialize())) for p in frame)
                if not self.queue.offer(_Frame(index, tuple(frame), wire), len(wire)):
                    self._record.frames_dropped = self.queue.dropped
                self._record.max_queue_depth = self.queue.high_water
                frame = []

    async def _send_frames(self) -> None:
        faults, record = self._faults, self._record
        while True:
            frame: _Frame = await self.queue.get()
            if faults.drop_after_frames is not None and record.frames_sent >= faults.drop_after_frames:
                self._fail("dropped after frames (fault)")
                return
            if faults.stall_after_frames is not None and record.frames_sent >= faults.stall_after_frames:
                record.closed_reason = "stalled (fault)"
                return
            if faults.frame_delay_ms > 0:
                await asyncio.sleep(faults.frame_delay_ms / 1000)
            self._write(frame.wire)
            self._account(frame)
            try:
                await asyncio.wait_for(self._drain(), self._stall_timeout)
            except TimeoutError:
                self._fail("stalled reader")
                return
            except ConnectionError:
                return
            record.frames_sent += 1

    def _account(self, frame: _Frame) -> None:
        stats, track = self._stats[frame.track], self._tracks[frame.track]
        now = time.time()
        for packet in frame.packets:
            stats.packets += 1
            stats.octets += len(packet.payload)
        stats.last, stats.sent_at = frame.packets[-1], now
        if now - stats.reported_at >= self._report_interval:
            report = stats.report(track.clock_rate, now)
            if report is not None:
                self._write(self._conn.send(InterleavedFrame(track.channel + 1, report.serialize())))
                stats.reported_at = now

    def _fail(self, reason: str) -> None:
        self._record.closed_reason = reason
        self._abort()
