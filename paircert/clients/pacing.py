"""One request-rate limit per run, shared by every client that speaks to the target.

A device in service has other clients; ``--max-rps`` keeps the suite from crowding them out. The
limit holds across the httpx clients and the ``requests`` sessions of every identity at once, so
it lives in one :class:`Pacer` that each transport asks before it sends. The window is
pyrate-limiter's (the limiter schemathesis itself uses): thread-safe, and a waiting thread sleeps
with its lock released, so no thread spins.
"""

from __future__ import annotations

import math

import httpx
from pyrate_limiter import Limiter, Rate

__all__ = ["Pacer", "PacingTimeout"]

_BUCKET = "paircert-target"


class PacingTimeout(httpx.PoolTimeout):
    """No send slot came free in time: the request was never sent (a wait is bounded, not endless)."""


class Pacer:
    """At most ``rate`` requests in any window of ``burst / rate`` seconds (``burst`` is the whole
    part of the rate, at least 1: 5 per second, or 1 per 2 s for 0.5)."""

    def __init__(self, rate: float) -> None:
        if not (rate > 0 and math.isfinite(rate)):
            raise ValueError(f"a request rate must be a positive number, got {rate!r}")
        self.rate = rate
        self.burst = max(1, math.floor(rate))
        self.window_ms = max(1, round(1000 * self.burst / rate))
        self._limiter = Limiter(Rate(self.burst, self.window_ms))

    def __repr__(self) -> str:
        return f"Pacer(rate={self.rate:g}/s, burst={self.burst})"

    def wait(self, timeout: float) -> None:
        """Block until the next request may go; raise :class:`PacingTimeout` after ``timeout`` s."""
        if not self._limiter.try_acquire(_BUCKET, timeout=max(timeout, 0.0)):
            raise PacingTimeout(f"no send slot within {timeout:g} s at --max-rps {self.rate:g}")
