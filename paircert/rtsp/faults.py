"""Fault switches of the RTSP server shell.

Peers misbehave through these switches and never through a second, lenient protocol
implementation: the bytes they do send are always produced by the one core. The switches are read
at the moment they matter, so a test may flip them while a session runs.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Faults"]


@dataclass
class Faults:
    """``refuse`` resets every new connection before a byte is exchanged; ``reject_credentials``
    answers 401 to right credentials too; ``drop_after_frames`` closes the connection after that
    many frames; ``stall_after_frames`` keeps the session open but sends no more frames;
    ``frame_delay_ms`` holds every frame back by that long."""

    refuse: bool = False
    reject_credentials: bool = False
    drop_after_frames: int | None = None
    stall_after_frames: int | None = None
    frame_delay_ms: float = 0.0
