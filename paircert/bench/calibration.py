"""Calibration: a known delay put in at the source must come out of the measurement.

The peer holds every frame back by D ms (its ``frame_delay_ms`` fault). If the latency the
benchmark measures does not rise by D within the tolerance on every path it reports, something
other than the path is in the figure (a clock, a queue, the measuring loop itself), and the
benchmark reports no latency figure at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Calibration", "CalibrationCheck"]

DEFAULT_DELAY_MS = 20.0
DEFAULT_TOLERANCE_MS = 1.0


@dataclass(frozen=True)
class CalibrationCheck:
    """One path's median latency without and with the delay (None: the path gave no frames)."""

    path: str
    baseline_ms: float | None
    delayed_ms: float | None

    @property
    def rise_ms(self) -> float | None:
        if self.baseline_ms is None or self.delayed_ms is None:
            return None
        return self.delayed_ms - self.baseline_ms


@dataclass(frozen=True)
class Calibration:
    delay_ms: float
    tolerance_ms: float
    checks: tuple[CalibrationCheck, ...]

    def error_ms(self, check: CalibrationCheck) -> float | None:
        rise = check.rise_ms
        return None if rise is None else rise - self.delay_ms

    @property
    def passed(self) -> bool:
        """Every path measured, and each rose by the delay within the tolerance."""
        errors = [self.error_ms(check) for check in self.checks]
        return bool(errors) and all(error is not None and abs(error) <= self.tolerance_ms for error in errors)

    def to_json(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "passed": self.passed,
            "delay_ms": self.delay_ms,
            "tolerance_ms": self.tolerance_ms,
            "paths": [
                {
                    "path": check.path,
                    "baseline_p50_ms": rounded(check.baseline_ms),
                    "delayed_p50_ms": rounded(check.delayed_ms),
                    "rise_ms": rounded(check.rise_ms),
                    "error_ms": rounded(self.error_ms(check)),
                }
                for check in self.checks
            ],
        }
