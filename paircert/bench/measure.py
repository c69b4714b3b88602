"""One benchmark, measured and written: the part ``paircert bench`` and ``paircert run --bench`` share.

Given a rig that is up, :func:`measure` runs the benchmark within its time budget, writes its SVG
plots and its result document (validated against ``schemas/bench/result.json``) and returns what
it wrote. A benchmark whose precondition does not hold (the device already has a pairing, no
peer can be hosted) is a document with the reason in ``blocked``, not an exception.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paircert.plugin.peering import PeersUnavailable

from .api import DEFAULT_CONCURRENCY, run_api
from .generated import run_generated
from .latency import LatencyBudget, run_latency
from .pairing import BenchBlocked
from .progress import Progress
from .radar import DEFAULT_LATENCY_LIMIT_MS, run_radar
from .report import BenchResult, Kind, document, write
from .rig import Rig

__all__ = ["BENCHMARKS", "Measured", "Settings", "measure"]

SWITCH_INTERVAL = 0.0005
"""The device, the peers and the readers share this process: a busy thread may otherwise hold the
others off for CPython's default 5 ms, which would show up as latency that no network adds."""

BENCHMARKS: dict[Kind, tuple[str, float]] = {
    "latency": ("stream latency added by the device over the direct peer path, with calibration", 30.0),
    "radar": ("highest zero-loss radar metadata rate through the device and directly", 50.0),
    "api": ("request latency and throughput per operation against a bare HTTP app", 30.0),
    "generated": ("generated cases per second of the suite against a bare schemathesis run", 60.0),
}
"""What each benchmark measures and its default time budget in seconds."""


@dataclass(frozen=True)
class Settings:
    """A benchmark's knobs; ``duration`` None is the benchmark's default budget."""

    duration: float | None = None
    latency_limit_ms: float = DEFAULT_LATENCY_LIMIT_MS
    concurrency: int = DEFAULT_CONCURRENCY

    def budget(self, kind: Kind) -> float:
        return self.duration if self.duration is not None else BENCHMARKS[kind][1]


Runner = Callable[[Rig, Settings, float, Progress], BenchResult]
RUNNERS: dict[Kind, Runner] = {
    "latency": lambda rig, settings, budget, progress: run_latency(rig, LatencyBudget(budget), progress),
    "radar": lambda rig, settings, budget, progress: run_radar(
        rig, budget, progress, latency_limit_ms=settings.latency_limit_ms
    ),
    "api": lambda rig, settings, budget, progress: run_api(rig, budget, progress, concurrency=settings.concurrency),
    "generated": lambda rig, settings, budget, progress: run_generated(rig, budget, progress),
}


@dataclass(frozen=True)
class Measured:
    """What one benchmark wrote: its result document, where it lies, and its plots."""

    kind: Kind
    doc: dict[str, Any]
    path: Path
    plots: list[Path]
    result: BenchResult | None


@contextmanager
def _switch_interval(seconds: float) -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def measure(kind: Kind, rig: Rig, settings: Settings, *, out: Path, json_path: Path | None = None) -> Measured:
    """Run ``kind`` on ``rig`` and write its plots into ``out`` and its result to ``json_path``
    (default ``out/<kind>.json``)."""
    budget = settings.budget(kind)
    progress = Progress(budget)
    started, began = datetime.now(UTC), time.perf_counter()
    blocked: str | None = None
    result: BenchResult | None = None
    try:
        with _switch_interval(SWITCH_INTERVAL):
            result = RUNNERS[kind](rig, settings, budget, progress)
    except (BenchBlocked, PeersUnavailable) as exc:
        blocked = str(exc)
    finally:
        progress.done()
    seconds = time.perf_counter() - began
    plots = result.plots(out) if result is not None else []
    doc = document(
        kind,
        target_url=rig.base_url,
        embedded=rig.embedded,
        run_id=rig.run.run_id,
        started=started,
        seconds=seconds,
        budget_s=budget,
        result=result,
        plots=plots,
        blocked=blocked,
    )
    path = write(json_path if json_path is not None else out / f"{kind}.json", doc)
    return Measured(kind, doc, path, plots, result)
