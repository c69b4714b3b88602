"""What the report says about the benchmarks a run included (``paircert run --bench``).

Every figure is shown beside the target the benchmark itself states (its ``targets``, carried in
the run's records), so the page never keeps a second copy of them. A latency benchmark whose
calibration failed shows no latency figure at all, as the benchmark reports none. Plots are
embedded as ``data:`` URIs of the SVG files, so the page stands alone: an SVG shown through
``<img>`` runs no script and loads nothing, and base64 text needs no escaping.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from paircert.report.records import BenchmarkRecord, BenchmarkTarget

__all__ = ["PLOT_BYTES", "BenchmarkView", "FigureRow", "PlotView", "TargetRow", "benchmark_views", "is_svg"]

PLOT_BYTES = 4_000_000
"""A plot larger than this is named, not embedded: the page must stay quick to open."""
HEADLINE_FIGURES = ("added_latency_ms", "zero_loss_objects_per_s", "ratio_to_direct", "ratio_to_bare")
LATENCY_FIGURES = frozenset({"added_latency_ms", "ratio_to_direct"})
"""The latency benchmark's figures, withheld when its calibration failed."""
OPS = {"<=": "≤", ">=": "≥"}
WITHHELD = "withheld: calibration failed"
NOT_MEASURED = "not measured"
_RUN_FILE = re.compile(r"(?!.*(?:^|/)\.\.(?:/|$))[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")
"""A path inside the run folder (results.json's ``runFile``): safe as a relative link, no scheme, no '..'."""


@dataclass(frozen=True)
class FigureRow:
    """A headline figure under its plain name, as results.json names it."""

    name: str
    value: str


@dataclass(frozen=True)
class TargetRow:
    """A figure against the benchmark's target; ``state`` is met, missed, not measured or withheld."""

    figure: str
    target: str
    measured: str
    state: str


@dataclass(frozen=True)
class PlotView:
    """One plot: ``src`` a data URI to embed, or None and ``missing`` says why it is not shown."""

    name: str
    src: str | None
    missing: str | None = None


@dataclass(frozen=True)
class BenchmarkView:
    name: str
    summary: str
    calibration: str | None
    figures: list[FigureRow]
    targets: list[TargetRow]
    plots: list[PlotView]
    result: str
    result_link: str | None
    """``result`` as a link relative to the report, when it is a plain path inside the run folder."""
    blocked: bool


def number(value: float) -> str:
    """A figure as people read it: thousands grouped, ratios and milliseconds to three decimals."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _value(name: str, value: Any) -> str:
    if value is None:
        return NOT_MEASURED
    if name == "added_latency_ms" and isinstance(value, dict):
        return " / ".join(number(value[p]) for p in ("p50", "p95", "p99")) + " ms (p50 / p95 / p99)"
    return number(float(value))


def _figures(record: BenchmarkRecord, withheld: bool) -> list[FigureRow]:
    rows = []
    for name in HEADLINE_FIGURES:
        if name in record.headline:
            shown = WITHHELD if withheld and name in LATENCY_FIGURES else _value(name, record.headline[name])
            rows.append(FigureRow(name, shown))
    return rows


def _target(target: BenchmarkTarget, withheld: bool) -> TargetRow:
    goal = f"{OPS.get(target.op, target.op)} {number(target.goal)}"
    if withheld:
        return TargetRow(target.name, goal, WITHHELD, "withheld")
    if target.measured is None or target.met is None:
        return TargetRow(target.name, goal, NOT_MEASURED, NOT_MEASURED)
    return TargetRow(target.name, goal, number(target.measured), "met" if target.met else "missed")


def _calibration(record: BenchmarkRecord) -> str | None:
    calibration = record.calibration
    if calibration is None:
        return None
    how = (
        f"a {number(calibration.delay_ms)} ms delay put in at the peer must raise the measured median by "
        f"{number(calibration.delay_ms)} ± {number(calibration.tolerance_ms)} ms on every path"
    )
    if calibration.passed:
        return f"Calibration passed: {how}, and it did."
    return f"Calibration failed: {how}, and it did not, so no latency figure is reported."


def is_svg(content: bytes) -> bool:
    """Whether a file is an SVG document (what the benchmarks write), judged by its start."""
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<svg", b"<!DOCTYPE svg")) and b"<svg" in content[:4096]


def _plot(path: str, plots: Mapping[str, bytes]) -> PlotView:
    name = path.rpartition("/")[2]
    content = plots.get(path)
    if content is None:
        return PlotView(name, None, f"{path} is missing from the run folder")
    if len(content) > PLOT_BYTES:
        return PlotView(name, None, f"{path} is too large to embed ({len(content):,} bytes); open it beside the report")
    if not is_svg(content):
        return PlotView(name, None, f"{path} is not an SVG image")
    return PlotView(name, "data:image/svg+xml;base64," + base64.b64encode(content).decode("ascii"))


def _summary(record: BenchmarkRecord) -> str:
    if record.blocked is not None:
        return f"Blocked: {record.blocked}"
    return f"Measured for {record.seconds:.1f} s."


def benchmark_views(records: list[BenchmarkRecord], plots: Mapping[str, bytes]) -> list[BenchmarkView]:
    """The page's benchmark sections; ``plots`` holds the plot files' bytes by their run-folder path."""
    views = []
    for record in records:
        withheld = record.calibration is not None and not record.calibration.passed
        views.append(
            BenchmarkView(
                name=record.name,
                summary=_summary(record),
                calibration=_calibration(record),
                figures=[] if record.blocked is not None else _figures(record, withheld),
                targets=[] if record.blocked is not None else [_target(t, withheld) for t in record.targets],
                plots=[] if withheld else [_plot(path, plots) for path in record.plots],
                result=record.result,
                result_link=record.result if _RUN_FILE.fullmatch(record.result) else None,
                blocked=record.blocked is not None,
            )
        )
    return views
