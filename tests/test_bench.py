"""Smoke runs of every ``paircert bench`` subcommand with a budget of a few seconds against the
embedded emulator and its hosted peers: each writes a result that validates against its schema.
Figures are not judged here (benchmarks measure, tests don't time)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paircert import schemas
from paircert.bench.report import SCHEMA
from paircert.cli import main


def bench(tmp_path: Path, kind: str, *options: str) -> dict[str, Any]:
    out = tmp_path / kind
    assert (
        main(["bench", kind, "--duration", "3", "--out", str(out), "--json", str(out / "result.json"), *options]) == 0
    )
    document: dict[str, Any] = json.loads((out / "result.json").read_text())
    assert schemas.validate(SCHEMA, document) == []
    assert document["benchmark"] == kind and document["blocked"] is None
    for name in document["plots"]:
        assert (out / name).read_text().lstrip().startswith("<?xml")
    return document


def test_latency_calibrates_and_measures_both_paths_and_the_reconnection(tmp_path: Path) -> None:
    document = bench(tmp_path, "latency")
    assert isinstance(document["calibration"]["passed"], bool)
    result = document["result"]
    assert result["frames"]["applicable"] is True
    assert result["frames"]["direct"]["loss"]["received"] > 0 and result["frames"]["device"]["loss"]["received"] > 0
    assert result["pairing"]["add_to_paired_ms"] is not None
    assert result["reconnection"]["applicable"] is True and result["reconnection"]["up_to_paired_ms"] is not None
    if document["calibration"]["passed"]:
        assert set(document["headline"]["added_latency_ms"]) == {"p50", "p95", "p99"}
        assert document["plots"] == ["latency-cdf.svg", "latency-histogram.svg"]


def test_radar_steps_up_the_rate_on_both_paths(tmp_path: Path) -> None:
    document = bench(tmp_path, "radar")
    steps = document["result"]["steps"]
    assert steps and all(step["device"]["frames"] > 0 and step["direct"]["frames"] > 0 for step in steps)
    assert "zero_loss_objects_per_s" in document["headline"]


def test_api_measures_every_operation_and_the_bare_app(tmp_path: Path) -> None:
    document = bench(tmp_path, "api", "--concurrency", "2")
    operations = {op["name"]: op for op in document["result"]["operations"]}
    assert set(operations) >= {"bare GET", "camera pairing GET", "camera pairing PATCH", "radar getActive"}
    assert all(op["requests"] > 0 and op["errors"] == 0 for op in operations.values()), operations


@pytest.mark.timeout(120)
def test_generated_counts_cases_on_both_sides(tmp_path: Path) -> None:
    document = bench(tmp_path, "generated", "--budget-scale", "0.1")
    result = document["result"]
    assert result["suite"]["cases"] > 0 and result["bare"]["cases"] > 0, result
