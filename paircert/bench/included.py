"""The benchmarks a run includes (``paircert run --bench``): measured after the suites, on the run's
own target and peers, and recorded for results.json and the report.

Each benchmark runs through :func:`paircert.bench.measure.measure`, exactly as ``paircert bench``
runs it, and writes its result and plots into ``<run folder>/bench/``. One that cannot run (no
peer, a device already paired, a target that never came up, or a benchmark that broke off) is
recorded with the reason and its result file says the same; the run goes on to its report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paircert.clients.preflight import PreflightError
from paircert.plugin.options import RunConfig
from paircert.plugin.peering import PeerHosting
from paircert.plugin.target import Target
from paircert.report.records import BenchmarkCalibration, BenchmarkRecord, BenchmarkTarget

from .measure import Settings, measure
from .report import Kind, document, write
from .rig import Rig

__all__ = ["BENCH_FOLDER", "record_of", "run_benchmarks", "skip_benchmarks"]

BENCH_FOLDER = "bench"


def record_of(doc: dict[str, Any], path: Path, plots: list[Path], run_dir: Path) -> BenchmarkRecord:
    """results.json's entry for a benchmark's result document, its paths relative to ``run_dir``."""
    calibration = doc["calibration"]
    return BenchmarkRecord(
        name=doc["benchmark"],
        blocked=doc["blocked"],
        seconds=doc["seconds"],
        headline=doc["headline"],
        calibration=None
        if calibration is None
        else BenchmarkCalibration(calibration["passed"], calibration["delay_ms"], calibration["tolerance_ms"]),
        targets=[BenchmarkTarget(**target) for target in doc["targets"]],
        result=path.relative_to(run_dir).as_posix(),
        plots=[plot.relative_to(run_dir).as_posix() for plot in plots],
    )


def _unmeasured(kind: Kind, run: RunConfig, target_url: str, reason: str, run_dir: Path) -> BenchmarkRecord:
    """A benchmark that never measured: its result file and entry carry the reason in ``blocked``."""
    doc = document(
        kind,
        target_url=target_url,
        embedded=run.target_url is None,
        run_id=run.run_id,
        started=datetime.now(UTC),
        seconds=0.0,
        budget_s=Settings(duration=run.bench_duration).budget(kind),
        result=None,
        plots=[],
        blocked=reason,
    )
    return record_of(doc, write(run_dir / BENCH_FOLDER / f"{kind}.json", doc), [], run_dir)


def skip_benchmarks(run: RunConfig, reason: str, run_dir: Path) -> list[BenchmarkRecord]:
    """Every benchmark ``run`` names, recorded as not measured for ``reason``."""
    return [_unmeasured(kind, run, run.target_url or "", reason, run_dir) for kind in run.benchmarks]


def _one(kind: Kind, rig: Rig, settings: Settings, run_dir: Path, scrub: Callable[[str], str]) -> BenchmarkRecord:
    try:
        measured = measure(kind, rig, settings, out=run_dir / BENCH_FOLDER)
    except Exception as exc:  # the run still gets its report, with the reason
        reason = scrub(f"the benchmark broke off: {type(exc).__name__}: {exc}")
        return _unmeasured(kind, rig.run, rig.base_url, reason, run_dir)
    return record_of(measured.doc, measured.path, measured.plots, run_dir)


def run_benchmarks(
    run: RunConfig, peers: PeerHosting, target: Target, run_dir: Path, scrub: Callable[[str], str]
) -> list[BenchmarkRecord]:
    """Measure every benchmark ``run`` names on its peers and target (started here if no test
    needed them); ``scrub`` removes the run's secrets from a reason that quotes an exception."""
    settings = Settings(duration=run.bench_duration)
    rig = Rig(run, lent=(peers, target))
    try:
        with rig:
            return [_one(kind, rig, settings, run_dir, scrub) for kind in run.benchmarks]
    except PreflightError as exc:  # only bringing the target up raises it
        return skip_benchmarks(run, scrub(f"the target did not come up: {exc}"), run_dir)
