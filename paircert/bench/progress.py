"""A one-line progress bar for the terminal, silent when stdout is not a terminal (CI, pipes)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]

WIDTH = 30


class Progress:
    """Shows the elapsed share of a benchmark's time budget and the phase it is in."""

    def __init__(self, budget_s: float, *, stream: TextIO | None = None) -> None:
        self.budget_s = budget_s
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = self.stream.isatty()
        self._started = time.monotonic()
        self._phase = ""

    def phase(self, name: str) -> None:
        self._phase = name
        self.tick()

    def tick(self) -> None:
        if not self.enabled:
            return
        share = min(1.0, (time.monotonic() - self._started) / self.budget_s) if self.budget_s > 0 else 1.0
        filled = round(share * WIDTH)
        self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%} {self._phase:<40.40}")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
