"""The HTML report: one self-contained page rendered from a run's records with Jinja2.

The template (``templates/report.html.j2``) is autoescaped, so a device answer that holds markup
stays text; it needs no script and no network. What the page says is decided in
:mod:`paircert.report.page`; this module only gathers the environment and lays the page out.
"""

from __future__ import annotations

import platform
from collections.abc import Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from paircert.ledger import load_ledger
from paircert.report.benchmarks import PLOT_BYTES
from paircert.report.page import Evidence, Page, build_page
from paircert.report.records import RunRecord
from paircert.selfcheck.strength import read_strength

__all__ = ["coverage_sections", "render", "write_report"]

CERTIFICATION = "certification"
"""The profile whose report cites the suite's published strength (as its declaration does)."""
_PACKAGES = ("pytest", "hypothesis", "schemathesis", "httpx", "jinja2")


@cache
def _jinja() -> Environment:
    return Environment(
        loader=PackageLoader("paircert.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _environment(run: RunRecord) -> list[tuple[str, str]]:
    """Where and when the run happened: the bottom of the page, for whoever reproduces it."""
    meta = run.metadata
    return [
        ("Run id", meta.run_id),
        ("Schema version", meta.schema_version),
        ("Started", meta.started),
        ("Finished", meta.finished),
        ("pytest exit status", "unknown" if meta.exit_status is None else str(meta.exit_status)),
        ("Radar pairing path", meta.radar_path or "not probed"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Platform", platform.platform()),
        *((package, _version(package)) for package in _PACKAGES),
    ]


def _plots(run: RunRecord, run_dir: Path) -> dict[str, bytes]:
    """The benchmarks' plot files that exist inside the run folder, by their path there (a file
    larger than the page embeds is read only far enough for the page to say so)."""
    found = {}
    root = run_dir.resolve()
    for path in (plot for benchmark in run.benchmarks for plot in benchmark.plots):
        file = (root / path).resolve()
        if file.is_relative_to(root) and file.is_file():
            with file.open("rb") as stream:
                found[path] = stream.read(PLOT_BYTES + 1)
    return found


def render(page: Page) -> str:
    return _jinja().get_template("report.html.j2").render(page=page, run=page.run)


def write_report(
    path: Path,
    run: RunRecord,
    evidence: Mapping[str, Evidence],
    run_dir: Path | None = None,
    in_use: str | None = None,
) -> None:
    """Write the page of ``run`` at ``path``; the benchmarks' plots are read from ``run_dir``
    (default: the page's folder), where results.json names them. ``in_use`` is the run's first line
    when it found a device in use and left it alone (the page says it beside the verdict)."""
    plots = _plots(run, run_dir if run_dir is not None else path.parent)
    strength = read_strength().sentences() if run.metadata.profile == CERTIFICATION else []
    page = build_page(run, evidence, load_ledger(), _environment(run), plots, strength, in_use)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(page), encoding="utf-8")


def coverage_sections(data: dict[str, Any]) -> list[str]:
    """The coverage part of the page on its own (the template's ``coverage`` macro)."""
    return [str(_jinja().get_template("parts.html.j2").module.coverage(data))]  # type: ignore[attr-defined]
