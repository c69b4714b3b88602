"""One producer, many subscribers: how a peer serves every session from a single encoder.

A :class:`FanOut` runs its producer only while someone listens: the first subscriber starts it,
the last one leaving stops it (within one frame interval), and :meth:`FanOut.close` ends it for
good. Each subscriber has a bounded queue; a subscriber that falls behind loses frames and then
waits for the next key frame, so it never hands its decoder a broken picture and never makes the
producer wait. A new subscriber starts at a key frame too, and may ask the producer for one.

Producing (encoding) runs on one worker thread owned by the fan-out, so the event loop keeps
serving RTSP while a frame encodes, and the producer's open/produce/close calls never overlap.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from paircert.rtsp.rtp import RtpPacket

__all__ = ["FanOut", "FanOutStats", "MediaFrame", "Producer"]


@dataclass(frozen=True)
class MediaFrame:
    """One produced frame, already packetised once for every subscriber."""

    index: int
    capture_time: float
    keyframe: bool
    packets: tuple[RtpPacket, ...]

    @property
    def size(self) -> int:
        return sum(len(p.payload) for p in self.packets)


class Producer(Protocol):
    """Makes frames; called from the fan-out's worker thread only, one call at a time."""

    def open(self) -> None: ...

    def produce(self, index: int, capture_time: float, force_keyframe: bool) -> MediaFrame: ...

    def close(self) -> None: ...


@dataclass
class FanOutStats:
    """What the producer cost: how often it started, how many frames, how long producing took."""

    producers_started: int = 0
    frames_produced: int = 0
    produce_seconds: float = 0.0
    subscribers_peak: int = 0
    frames_dropped: int = 0
    frame_sizes: deque[int] = field(default_factory=lambda: deque(maxlen=256))

    @property
    def mean_produce_ms(self) -> float:
        return 1000 * self.produce_seconds / self.frames_produced if self.frames_produced else 0.0


@dataclass(eq=False)
class _Subscriber:
    max_frames: int
    frames: deque[MediaFrame] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    waiting_for_key: bool = True
    dropped: int = 0
    ended: bool = False


class FanOut:
    """Runs ``factory()``'s producer every ``interval`` seconds while anyone subscribes.

    ``threaded`` runs the producer on the worker thread (encoders); a cheap producer may run
    inline. ``keyframe_on_join`` asks the producer for a key frame when a subscriber joins, so a
    late subscriber waits one frame instead of up to one GOP.
    """

    def __init__(
        self,
        factory: Callable[[], Producer],
        *,
        interval: float,
        queue_frames: int = 8,
        threaded: bool = True,
        keyframe_on_join: bool = True,
        name: str = "paircert-media",
    ) -> None:
        if interval <= 0 or queue_frames < 1:
            raise ValueError("a fan-out needs a positive interval and room for one frame")
        self.interval = interval
        self.queue_frames = queue_frames
        self.keyframe_on_join = keyframe_on_join
        self.stats = FanOutStats()
        self._factory = factory
        self._threaded = threaded
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) if threaded else None
        self._subscribers: set[_Subscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._want_key = False
        self._closed = False
        self.error: str | None = None

    @property
    def running(self) -> bool:
        """True while a producer runs (it stops within one interval after the last subscriber)."""
        return any(not task.done() for task in self._tasks)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def frames(self) -> AsyncIterator[MediaFrame]:
        """Frames from the next key frame on, until the fan-out closes or the caller stops."""
        if self._closed:
            return
        subscriber = _Subscriber(self.queue_frames)
        self._subscribers.add(subscriber)
        self.stats.subscribers_peak = max(self.stats.subscribers_peak, len(self._subscribers))
        self._want_key = self._want_key or self.keyframe_on_join
        if self._task is None:
            self._task = asyncio.create_task(self._run())
            self._tasks.add(self._task)
            self._task.add_done_callback(self._tasks.discard)
        try:
            while True:
                while not subscriber.frames:
                    if subscriber.ended:
                        return
                    subscriber.ready.clear()
                    await subscriber.ready.wait()
                yield subscriber.frames.popleft()
        finally:
            self._subscribers.discard(subscriber)

    def _publish(self, frame: MediaFrame) -> None:
        for subscriber in self._subscribers:
            if subscriber.waiting_for_key:
                if not frame.keyframe:
                    continue
                subscriber.waiting_for_key = False
            if len(subscriber.frames) >= subscriber.max_frames:
                subscriber.dropped += 1
                self.stats.frames_dropped += 1
                subscriber.waiting_for_key = True  # what follows would not decode without this frame
                continue
            subscriber.frames.append(frame)
            subscriber.ready.set()

    async def _call(self, function: Callable[..., object], *args: object) -> object:
        if self._executor is None:
            return function(*args)
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        producer = self._factory()
        opened = False
        try:
            await self._call(producer.open)
            opened = True
            self.stats.producers_started += 1
            next_at = loop.time()
            index = 0
            while True:
                if not self._subscribers or self._closed:
                    self._task = None  # decided in the same step: a new subscriber starts a new producer
                    return
                force, self._want_key = self._want_key, False
                capture = time.time()
                started = time.perf_counter()
                frame = await self._call(producer.produce, index, capture, force)
                assert isinstance(frame, MediaFrame)
                self.stats.produce_seconds += time.perf_counter() - started
                self.stats.frames_produced += 1
                self.stats.frame_sizes.append(frame.size)
                index += 1
                self._publish(frame)
                next_at += self.interval
                delay = next_at - loop.time()
                if delay < -self.interval:  # fell behind (a busy machine): keep the pace, never burst
                    next_at, delay = loop.time(), 0.0
                await asyncio.sleep(max(0.0, delay))
        except Exception as exc:  # a broken producer ends the streams, and says why, instead of hanging them
            self.error = f"{type(exc).__name__}: {exc}"
            for subscriber in self._subscribers:
                subscriber.ended = True
                subscriber.ready.set()
        finally:
            if self._task is asyncio.current_task():
                self._task = None
            if opened:
                if self._executor is not None:  # queued behind any produce still running: never overlaps it
                    self._executor.submit(producer.close)
                else:
                    producer.close()

    async def close(self) -> None:
        """End every subscription and the producer, and wait (bounded) for the worker thread."""
        self._closed = True
        for subscriber in self._subscribers:
            subscriber.ended = True
            subscriber.ready.set()
        tasks = list(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=2.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=True)  # at most one produce and one close still to run: milliseconds
