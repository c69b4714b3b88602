"""A run that includes benchmarks (``paircert run --bench``): results.json lists them, the report
shows their figures against the benchmarks' own targets and embeds their plots; a benchmark that
cannot run is recorded with its reason. Figures are not judged here (benchmarks measure)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from paircert import schemas
from paircert.bench.included import run_benchmarks
from paircert.bench.report import KINDS
from paircert.bench.report import SCHEMA as BENCH_SCHEMA
from paircert.clients.preflight import PreflightError
from paircert.plugin.options import RunConfigError, read_run_config
from paircert.plugin.peering import PeerHosting
from paircert.plugin.target import Target
from paircert.report.benchmarks import WITHHELD
from paircert.report.html import render
from paircert.report.page import build_page
from paircert.report.records import (
    BenchmarkCalibration,
    BenchmarkRecord,
    BenchmarkTarget,
    RunMetadata,
    RunRecord,
)

REPO = Path(__file__).resolve().parents[1]
SVG = b'<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n'
ONE_SMALL_TEST = "test_discover_answers_the_framework_version_and_apis_by_id"


class _Images(HTMLParser):
    """Every ``<img src>`` of a page, and whether it holds a script element."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources += [value or "" for name, value in attrs if name == "src"]
        self.scripts += tag == "script"


def images(page: str) -> _Images:
    parser = _Images()
    parser.feed(page)
    return parser


def svg_of(source: str) -> bytes:
    prefix = "data:image/svg+xml;base64,"
    assert source.startswith(prefix), source[:60]
    return base64.b64decode(source.removeprefix(prefix), validate=True)


# --- a real run ------------------------------------------------------------------------------


def test_a_run_with_bench_lists_it_in_results_and_embeds_its_plot_in_the_report(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", "--report-dir", "out", "--bench", "api", "--bench-duration", "2"]
        + ["-k", ONE_SMALL_TEST],
        cwd=tmp_path,
        env={**environment, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (run_dir,) = (tmp_path / "out").iterdir()
    document = json.loads((run_dir / "results.json").read_text())
    assert schemas.validate("results/results", document) == []
    (api,) = document["benchmarks"]
    assert api["name"] == "api" and api["blocked"] is None, api
    assert set(api["headline"]) == {"ratio_to_bare"} and api["calibration"] is None
    assert api["result"] == "bench/api.json" and api["plots"] == ["bench/api-latency-cdf.svg"]
    assert schemas.validate(BENCH_SCHEMA, json.loads((run_dir / api["result"]).read_text())) == []
    assert "paircert: benchmark api: API camera pairing GET throughput over bare" in result.stdout

    page = (run_dir / "report.html").read_text()
    found = images(page)
    assert found.scripts == 0
    (source,) = found.sources
    assert svg_of(source) == (run_dir / "bench" / "api-latency-cdf.svg").read_bytes()
    assert svg_of(source).lstrip().startswith(b"<?xml") and b"<svg" in svg_of(source)
    assert 'id="bench-api"' in page and "ratio_to_bare" in page


def test_benchmarks_that_cannot_reach_the_target_are_recorded_with_the_reason(tmp_path: Path) -> None:
    run = read_run_config({"paircert_bench": "all", "paircert_report_dir": str(tmp_path)}, {})
    peers = PeerHosting(run)
    peers.refuse("no peer is needed: the target is down")
    target = Target(run, peers, keep_secret=lambda secret: None)
    target.failure = PreflightError("http://192.0.2.1 did not answer")  # started and failed once already
    records = run_benchmarks(run, peers, target, tmp_path, scrub=str)
    assert [r.name for r in records] == list(KINDS)
    for record in records:
        assert record.blocked == "the target did not come up: http://192.0.2.1 did not answer"
        assert record.plots == [] and record.result == f"bench/{record.name}.json"
        written = json.loads((tmp_path / record.result).read_text())
        assert schemas.validate(BENCH_SCHEMA, written) == [] and written["blocked"] == record.blocked


# --- options ---------------------------------------------------------------------------------


def bench_config(value: str | None, **more: object) -> tuple[str, ...]:
    values = {"paircert_bench": value, "paircert_report_dir": "reports/x", **more}
    return read_run_config(values, {}).benchmarks


def test_bench_takes_names_or_all_in_the_benchmarks_order() -> None:
    assert bench_config("api, radar") == ("radar", "api")
    assert bench_config("all") == KINDS
    assert bench_config(None) == ()


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"paircert_bench": "speed"}, "--bench: expected latency, radar, api, generated or all"),
        ({"paircert_bench": "api", "paircert_profile": "read-only"}, "not with --profile read-only"),
        ({"paircert_bench_duration": 5.0}, "add --bench"),
        ({"paircert_bench": "api", "paircert_bench_duration": 0.0}, "--bench-duration: expected a positive"),
    ],
)
def test_wrong_bench_options_are_one_line(values: dict[str, object], fragment: str) -> None:
    with pytest.raises(RunConfigError, match=re.escape(fragment)):
        read_run_config({"paircert_report_dir": "reports/x", **values}, {})


def test_bench_help_leaves_out_the_options_that_mean_nothing_to_a_benchmark() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "bench", "api", "--help"],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "--duration" in result.stdout
    for flag in ("--baseline", "--claims", "--bench"):
        assert f"{flag} " not in result.stdout


# --- the page, from synthetic records --------------------------------------------------------


def latency(passed: bool) -> BenchmarkRecord:
    """A latency record with figures in it even when calibration failed, to show the page withholds them."""
    return BenchmarkRecord(
        name="latency",
        blocked=None,
        seconds=30.2,
        headline={"added_latency_ms": {"p50": 0.812, "p95": 3.825, "p99": 8.743}, "ratio_to_direct": 1.391},
        calibration=BenchmarkCalibration(passed=passed, delay_ms=20.0, tolerance_ms=1.0),
        targets=[
            BenchmarkTarget("added stream latency p50 (ms)", "<=", 2.0, 0.812, True),
            BenchmarkTarget("added stream latency p99 (ms)", "<=", 10.0, 8.743, True),
        ],
        result="bench/latency.json",
        plots=["bench/latency-cdf.svg"],
    )


def page_of(*benchmarks: BenchmarkRecord, plots: dict[str, bytes] | None = None) -> str:
    metadata = RunMetadata("20261201T000000Z", "http://127.0.0.1:1", True, "gate", 1, "0", "0")
    run = RunRecord(metadata, [], [], benchmarks=list(benchmarks))
    return render(build_page(run, {}, {}, [], plots or {}))


def test_a_calibrated_latency_benchmark_shows_its_figures_against_the_targets_and_its_plot() -> None:
    page = page_of(latency(passed=True), plots={"bench/latency-cdf.svg": SVG})
    assert "0.812 / 3.825 / 8.743 ms (p50 / p95 / p99)" in page and "1.391" in page
    assert "≤ 2" in page and "≤ 10" in page and '<td class="t-met">met</td>' in page
    assert "Calibration passed" in page
    (source,) = images(page).sources
    assert svg_of(source) == SVG


def test_a_failed_calibration_shows_no_latency_figure_and_no_plot() -> None:
    page = page_of(latency(passed=False), plots={"bench/latency-cdf.svg": SVG})
    assert "Calibration failed" in page and WITHHELD in page
    for figure in ("0.812", "3.825", "8.743", "1.391"):
        assert figure not in page
    assert images(page).sources == []


def test_a_blocked_benchmark_shows_its_reason_and_no_figures() -> None:
    blocked = BenchmarkRecord(
        "radar", "the device already has a radar configuration", 0.0, {}, None, [], "bench/radar.json", []
    )
    page = page_of(blocked)
    assert "Blocked: the device already has a radar configuration" in page
    assert "Headline figure" not in page and images(page).sources == []


def test_a_plot_that_is_not_an_svg_or_is_missing_is_named_not_embedded() -> None:
    record = BenchmarkRecord(
        "api",
        None,
        2.0,
        {"ratio_to_bare": 0.8},
        None,
        [BenchmarkTarget("API camera pairing GET throughput over bare", ">=", 0.5, 0.8, True)],
        "bench/api.json",
        ["bench/api-latency-cdf.svg", "bench/gone.svg"],
    )
    page = page_of(record, plots={"bench/api-latency-cdf.svg": b"<html><script>alert(1)</script></html>"})
    assert images(page).sources == [] and images(page).scripts == 0
    assert "bench/api-latency-cdf.svg is not an SVG image" in page
    assert "bench/gone.svg is missing from the run folder" in page


def test_a_target_without_a_measurement_says_not_measured() -> None:
    record = BenchmarkRecord(
        "radar",
        None,
        50.0,
        {"zero_loss_objects_per_s": None, "ratio_to_direct": None},
        None,
        [BenchmarkTarget("radar zero-loss objects/s through the device", ">=", 10_000, None, None)],
        "bench/radar.json",
        [],
    )
    page = page_of(record)
    assert "≥ 10,000" in page and '<td class="t-not-measured">not measured</td>' in page
