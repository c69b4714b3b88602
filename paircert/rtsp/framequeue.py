"""A bounded queue of whole frames between a media source and a slow connection.

Live media cannot wait for a slow reader, and a server must not buffer without bound for one: when
the queue is full the *incoming* frame is dropped whole (never part of a frame, which would hand
the decoder a broken picture), and the drop is counted so reports can show it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

__all__ = ["FrameQueue"]

T = TypeVar("T")


class FrameQueue(Generic[T]):
    """FIFO of frames bounded by count and by their total size in bytes."""

    def __init__(self, *, max_frames: int = 32, max_bytes: int = 4 * 1024 * 1024) -> None:
        if max_frames < 1 or max_bytes < 1:
            raise ValueError("a frame queue needs room for at least one frame")
        self.max_frames = max_frames
        self.max_bytes = max_bytes
        self.dropped = 0
        self.high_water = 0
        self._frames: deque[tuple[T, int]] = deque()
        self._bytes = 0
        self._ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self._frames)

    @property
    def queued_bytes(self) -> int:
        return self._bytes

    def offer(self, frame: T, size: int) -> bool:
        """Queue ``frame`` of ``size`` bytes unless that breaks a bound; False means it was dropped.

        A single frame larger than ``max_bytes`` still passes into an empty queue, so an
        oversized key frame slows the stream down instead of stopping it for good.
        """
        if len(self._frames) >= self.max_frames or (self._frames and self._bytes + size > self.max_bytes):
            self.dropped += 1
            return False
        self._frames.append((frame, size))
        self._bytes += size
        self.high_water = max(self.high_water, len(self._frames))
        self._ready.set()
        return True

    async def get(self) -> T:
        """The oldest frame, waiting until there is one (the caller's task bounds the wait)."""
        while not self._frames:
            self._ready.clear()
            await self._ready.wait()
        frame, size = self._frames.popleft()
        self._bytes -= size
        return frame
