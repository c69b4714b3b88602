"""The benchmarks' plots, written as SVG with matplotlib (no display needed: the Agg canvas).

Each function takes plain series and a path and returns the path it wrote; the benchmarks decide
what to plot, this module only how. matplotlib loads on the first plot, not with the console
script, so ``paircert run`` does not pay for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["latency_cdf", "latency_histogram", "latency_vs_rate", "throughput_vs_offered"]


@cache
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "paircert"  # the same figures give the same file
    return plt


def _figure() -> tuple[Figure, Axes]:
    figure, axes = _pyplot().subplots(figsize=(7, 4))
    return figure, axes


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, format="svg")
    _pyplot().close(figure)
    return path


def latency_cdf(series: Mapping[str, Sequence[float]], path: Path, *, title: str, counted: str = "frames") -> Path:
    """Share of ``counted`` (frames, requests) at or under each latency, one line per series."""
    figure, axes = _figure()
    for name, values in series.items():
        if values:
            ordered = sorted(values)
            shares = [(i + 1) / len(ordered) for i in range(len(ordered))]
            axes.step(ordered, shares, where="post", label=f"{name} (n={len(ordered)})")
    axes.set(xlabel="latency (ms)", ylabel=f"share of {counted}", title=title, ylim=(0, 1.01))
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)


def latency_histogram(series: Mapping[str, Sequence[float]], path: Path, *, title: str, bins: int = 50) -> Path:
    figure, axes = _figure()
    for name, values in series.items():
        if values:
            axes.hist(values, bins=bins, alpha=0.55, label=name)
    axes.set(xlabel="latency (ms)", ylabel="frames", title=title)
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)


def throughput_vs_offered(
    offered: Sequence[float], received: Mapping[str, Sequence[float]], path: Path, *, title: str, unit: str
) -> Path:
    """Received against offered rate, with the line where nothing is lost."""
    figure, axes = _figure()
    if offered:
        axes.plot([0, max(offered)], [0, max(offered)], color="grey", linestyle=":", label="offered")
    for name, values in received.items():
        axes.plot(offered[: len(values)], values, marker="o", label=name)
    axes.set(xlabel=f"offered ({unit})", ylabel=f"received ({unit})", title=title)
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)


def latency_vs_rate(
    rates: Sequence[float], percentiles: Mapping[str, Sequence[float | None]], path: Path, *, title: str, unit: str
) -> Path:
    """Latency percentiles at each offered rate, one line per path and percentile."""
    figure, axes = _figure()
    for name, values in percentiles.items():
        points = [(r, v) for r, v in zip(rates, values, strict=False) if v is not None]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, marker="o", label=name)
    axes.set(xlabel=f"offered ({unit})", ylabel="latency (ms)", title=title)
    axes.set_xscale("log")
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)
