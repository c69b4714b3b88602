"""The statistics every benchmark reports: latency percentiles, RFC 3550 jitter, RTP loss.

Loss is counted the way RFC 3550 §A.3 counts it: sequence numbers are extended past their 16-bit
wrap, the expected count is the span from the lowest to the highest extended number, and the loss
is what the span expected minus the distinct numbers that came. A duplicate is counted once and a
late packet still fills its gap, so reordering alone never shows as loss.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["LatencySummary", "LossCounter", "percentile", "rfc3550_jitter", "summarize"]

SEQ_MOD = 1 << 16
_HALF = SEQ_MOD // 2


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100), interpolated between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rfc3550_jitter(transits: Iterable[float]) -> float:
    """RFC 3550 §6.4.1 interarrival jitter of a run of transit times (same unit out as in)."""
    jitter = 0.0
    previous: float | None = None
    for transit in transits:
        if previous is not None:
            jitter += (abs(transit - previous) - jitter) / 16
        previous = transit
    return jitter


@dataclass(frozen=True)
class LatencySummary:
    """Percentiles, maximum and jitter of one path's latencies, in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float
    mean: float
    jitter: float

    def to_json(self) -> dict[str, float | int]:
        return {
            "count": self.count,
            "p50": round(self.p50, 3),
            "p95": round(self.p95, 3),
            "p99": round(self.p99, 3),
            "max": round(self.max, 3),
            "mean": round(self.mean, 3),
            "jitter": round(self.jitter, 3),
        }


def summarize(latencies_ms: Sequence[float]) -> LatencySummary:
    """Summary of latencies in arrival order (the order matters for the jitter only)."""
    if not latencies_ms:
        raise ValueError("no latencies to summarize")
    return LatencySummary(
        count=len(latencies_ms),
        p50=percentile(latencies_ms, 50),
        p95=percentile(latencies_ms, 95),
        p99=percentile(latencies_ms, 99),
        max=max(latencies_ms),
        mean=statistics.fmean(latencies_ms),
        jitter=rfc3550_jitter(latencies_ms),
    )


class LossCounter:
    """Counts RTP packets by sequence number, extended past the 16-bit wrap (RFC 3550 §A.1).

    A number is placed in the cycle that puts it nearest the highest seen so far, so a packet
    that arrives a little late after a wrap lands before it, not 65,536 numbers on.
    """

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._highest: int | None = None
        self.received = 0

    def add(self, sequence_number: int) -> None:
        if not 0 <= sequence_number < SEQ_MOD:
            raise ValueError(f"sequence number {sequence_number} is not 16-bit")
        self.received += 1
        if self._highest is None:
            extended = sequence_number
        else:
            delta = (sequence_number - self._highest) % SEQ_MOD
            extended = self._highest + delta if delta < _HALF else self._highest + delta - SEQ_MOD
        self._seen.add(extended)
        if self._highest is None or extended > self._highest:
            self._highest = extended

    @property
    def expected(self) -> int:
        return 0 if not self._seen else max(self._seen) - min(self._seen) + 1

    @property
    def lost(self) -> int:
        return self.expected - len(self._seen)

    @property
    def duplicates(self) -> int:
        return self.received - len(self._seen)

    @property
    def loss_ratio(self) -> float:
        return self.lost / self.expected if self.expected else 0.0

    def to_json(self) -> dict[str, float | int]:
        return {
            "expected": self.expected,
            "received": self.received,
            "lost": self.lost,
            "duplicates": self.duplicates,
            "loss_ratio": round(self.loss_ratio, 6),
        }
