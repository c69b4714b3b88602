"""``paircert compare`` and ``paircert run --baseline``: regressions, fixes, new and vanished tests,
the observed-behaviour fingerprint and benchmark figures, on synthetic results and on real runs.

The synthetic results are written by the report's own records, so they have the shape a run gives.
The end-to-end runs use a small gate subset against the embedded emulator: one clean baseline,
then a second clean run, a run with a seeded fault and a run with the alternate choices, in parallel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from paircert import schemas
from paircert.cli import main
from paircert.report import records
from paircert.report.compare import (
    COMPARISON_SCHEMA,
    RESULTS_SCHEMA,
    ResultsFileError,
    compare,
    read_results,
    summary_lines,
)

REPO = Path(__file__).resolve().parents[1]

Test = tuple[records.Verdict, list[str], dict[str, Any]]
ADD = "suites/a.py::test_add"
LIST = "suites/a.py::test_list"
RADAR = "suites/b.py::test_radar"
GEN = "suites/generated/test_gen.py::test_machine"


def _document(
    tests: Mapping[str, Test],
    *,
    firmware: str = "11.11.1",
    profile: str = "gate",
    not_run: tuple[str, ...] = (),
    rates: Mapping[str, tuple[int, float]] | None = None,
) -> dict[str, Any]:
    """A results.json document as a run writes it (through the report's records)."""
    metadata = records.RunMetadata(
        run_id=f"run-{firmware}",
        target_url="https://192.0.2.10",
        embedded=False,
        profile=profile,
        seed=1,
        suite_version="0.1.0",
        schema_version="s",
        device={"ProdNbr": "Q1656", "Version": firmware, "SerialNumber": "B8A44F000001"},
    )
    judged = [
        records.TestRecord(
            nodeid=nodeid,
            outcome={"pass": "passed", "observed": "passed", "fail": "failed"}.get(verdict, "skipped"),
            verdict=verdict,
            requirements=requirements,
            observations=observations,
            duration=0.1,
            message={"fail": "AssertionError: expected 201, got 500", "blocked": "blocked: needs CP-ADD-RESPONSE"}.get(
                verdict
            ),
        )
        for nodeid, (verdict, requirements, observations) in tests.items()
    ]
    left_out = [records.NotRun(nodeid, [], "gate profile: slow") for nodeid in not_run]
    coverage = {
        "apis": {},
        "generated": {
            nodeid: {"examples": n, "seconds": s, "examples_per_second": round(n / s, 1)}
            for nodeid, (n, s) in (rates or {}).items()
        },
    }
    text = records.RunRecord(metadata, judged, [], coverage=coverage, not_run=left_out).to_json()
    document: dict[str, Any] = json.loads(text)
    assert schemas.validate(RESULTS_SCHEMA, document) == []
    return document


GOOD: dict[str, Test] = {
    ADD: ("pass", ["CP-ADD-RESPONSE"], {}),
    LIST: ("pass", ["CP-LIST-GET"], {"camera.list_order": "by id"}),
    RADAR: ("observed", [], {"radar.path": "/axis-cgi/networkradarpairing.cgi"}),
}


def _with(changes: Mapping[str, Test]) -> dict[str, Test]:
    return {**GOOD, **changes}


# --- verdicts ------------------------------------------------------------------------------------


def test_a_pass_that_fails_is_a_regression_named_with_its_requirements_and_reason() -> None:
    result = _with({ADD: ("fail", ["CP-ADD-RESPONSE"], {})})
    comparison = compare(_document(GOOD), _document(result))
    assert comparison.regressed
    assert [(c.nodeid, c.old, c.new) for c in comparison.regressions] == [(ADD, "pass", "fail")]
    lines = summary_lines(comparison)
    assert f"REGRESSION {ADD} [CP-ADD-RESPONSE]: pass → fail: expected 201, got 500" in lines
    assert lines[-1].startswith("paircert compare: 1 regression, 0 fixes")


def test_a_pass_that_is_blocked_is_a_regression_and_blocked_tests_share_a_line() -> None:
    result = _with({ADD: ("blocked", ["CP-ADD-RESPONSE"], {}), LIST: ("blocked", ["CP-LIST-GET"], {})})
    comparison = compare(_document(GOOD), _document(result))
    assert {c.nodeid for c in comparison.regressions} == {ADD, LIST}
    blocked = [line for line in summary_lines(comparison) if line.startswith("REGRESSION")]
    assert blocked == ["REGRESSION 2 tests [CP-ADD-RESPONSE, CP-LIST-GET]: pass → blocked: needs CP-ADD-RESPONSE"]


def test_a_failure_that_passes_is_a_fix_and_no_regression() -> None:
    baseline = _with({ADD: ("fail", ["CP-ADD-RESPONSE"], {})})
    comparison = compare(_document(baseline), _document(GOOD))
    assert not comparison.regressed
    assert [(c.nodeid, c.old, c.new) for c in comparison.fixes] == [(ADD, "fail", "pass")]
    assert f"FIXED      {ADD} [CP-ADD-RESPONSE]: fail → pass" in summary_lines(comparison)


def test_a_failure_in_both_runs_is_still_failing_and_no_regression() -> None:
    failing = _with({ADD: ("fail", ["CP-ADD-RESPONSE"], {})})
    comparison = compare(_document(failing), _document(failing))
    assert not comparison.regressed
    assert comparison.still_failing == [ADD]


def test_new_and_vanished_tests_are_listed_and_a_test_left_out_is_a_change_not_a_regression() -> None:
    baseline = _document(GOOD)
    result = _document({ADD: GOOD[ADD], RADAR: GOOD[RADAR], GEN: ("pass", ["CP-ADD-ECHO"], {})}, not_run=(LIST,))
    comparison = compare(baseline, result)
    assert not comparison.regressed
    assert [(c.nodeid, c.new) for c in comparison.new_tests] == [(GEN, "pass")]
    assert [(c.nodeid, c.old, c.new) for c in comparison.changed] == [(LIST, "pass", "not run")]
    vanished = compare(result, baseline).vanished_tests
    assert [(c.nodeid, c.old) for c in vanished] == [(GEN, "pass")]
    assert f"VANISHED   {GEN}: was pass" in summary_lines(compare(result, baseline))


# --- the fingerprint -----------------------------------------------------------------------------


def test_changed_observed_behaviour_is_listed_old_value_to_new_value() -> None:
    result = _with({RADAR: ("observed", [], {"radar.path": "/networkradarpairing.cgi"})})
    comparison = compare(_document(GOOD, firmware="11.11.1"), _document(result, firmware="12.0.0"))
    assert not comparison.regressed
    assert [(c.key, c.old, c.new) for c in comparison.observed] == [
        ("radar.path", ["/axis-cgi/networkradarpairing.cgi"], ["/networkradarpairing.cgi"])
    ]
    lines = summary_lines(comparison)
    assert 'OBSERVED   radar.path: "/axis-cgi/networkradarpairing.cgi" → "/networkradarpairing.cgi" (1 test)' in lines
    assert "firmware 11.11.1 (run run-11.11.1) → result Q1656 firmware 12.0.0" in lines[0]


def test_an_observation_is_gone_only_when_a_test_that_made_it_passed_again() -> None:
    silent = _with({LIST: ("pass", ["CP-LIST-GET"], {})})
    assert [c.key for c in compare(_document(GOOD), _document(silent)).observed] == ["camera.list_order"]
    assert [c.new for c in compare(_document(GOOD), _document(silent)).observed] == [[]]
    blocked = _with({LIST: ("blocked", ["CP-LIST-GET"], {})})
    assert compare(_document(GOOD), _document(blocked)).observed == []
    left_out = {ADD: GOOD[ADD], RADAR: GOOD[RADAR]}
    assert compare(_document(GOOD), _document(left_out, not_run=(LIST,))).observed == []


def test_identical_runs_have_nothing_to_say() -> None:
    comparison = compare(_document(GOOD), _document(GOOD))
    assert not comparison.regressed
    assert len(summary_lines(comparison)) == 2


# --- benchmarks and identity ---------------------------------------------------------------------


def test_a_benchmark_figure_is_reported_beyond_the_tolerance_and_never_a_regression() -> None:
    baseline = _document(GOOD, rates={GEN: (100, 1.0), ADD: (100, 1.0)})
    result = _document(GOOD, rates={GEN: (70, 1.0), ADD: (95, 1.0)})
    comparison = compare(baseline, result, tolerance=0.10)
    assert not comparison.regressed
    assert [(c.name, c.old, c.new) for c in comparison.benchmarks] == [(GEN, 100.0, 70.0)]
    assert f"BENCHMARK  {GEN}: 100 → 70 examples per second (-30%, tolerance 10%)" in summary_lines(comparison)
    assert compare(baseline, result, tolerance=0.5).benchmarks == []


def test_runs_of_different_profiles_carry_a_note() -> None:
    comparison = compare(_document(GOOD, profile="gate"), _document(GOOD, profile="full"))
    assert any(line.startswith("NOTE       profile differs: gate → full") for line in summary_lines(comparison))


def test_the_comparison_document_follows_its_schema() -> None:
    result = _with({ADD: ("fail", ["CP-ADD-RESPONSE"], {}), RADAR: ("observed", [], {"radar.path": "/x"})})
    document = compare(_document(GOOD, rates={GEN: (9, 1.0)}), _document(result, rates={GEN: (1, 1.0)})).to_dict()
    assert schemas.validate(COMPARISON_SCHEMA, document) == []
    assert document["regressed"] is True and document["baseline"]["firmware"] == "11.11.1"


# --- reading files -------------------------------------------------------------------------------


def test_the_results_schema_refuses_a_sixth_verdict_and_a_missing_count() -> None:
    document = _document(GOOD)
    document["tests"][0]["verdict"] = "flaky"
    del document["counts"]["observed"]
    errors = schemas.validate(RESULTS_SCHEMA, document)
    assert any(error.startswith("counts:") for error in errors)
    assert any(error.startswith("tests[0].verdict:") for error in errors)


def test_a_file_that_is_not_a_results_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "paircert-results/1"}))
    with pytest.raises(ResultsFileError) as caught:
        read_results(path)
    assert "\n" not in str(caught.value) and "'counts' is a required property" in str(caught.value)
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ResultsFileError, match="not JSON"):
        read_results(tmp_path / "broken.json")
    with pytest.raises(ResultsFileError, match="no such file"):
        read_results(tmp_path / "absent.json")


def _write(folder: Path, name: str, document: Mapping[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_the_command_exits_1_on_a_regression_0_without_and_2_on_a_wrong_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good.json", _document(GOOD))
    bad = _write(tmp_path, "bad.json", _document(_with({ADD: ("fail", ["CP-ADD-RESPONSE"], {})})))
    assert main(["compare", good, bad, "--json", str(tmp_path / "c.json")]) == 1
    assert f"REGRESSION {ADD}" in capsys.readouterr().out
    assert schemas.validate(COMPARISON_SCHEMA, json.loads((tmp_path / "c.json").read_text())) == []
    assert main(["compare", bad, good]) == 0
    assert main(["compare", good, str(tmp_path / "absent.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("paircert: error: ") and "no such file" in err and "\n" not in err
    assert main(["compare", good, good, "--tolerance", "-1"]) == 2


# --- end to end ----------------------------------------------------------------------------------

SUBSET = "test_cp_read or test_disc_dca"
FAULT = "item-omits-description"


def _paircert(*args: str, cwd: Path) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment["PYTHONPATH"] = str(REPO)
    return subprocess.Popen(
        [sys.executable, "-m", "paircert", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    output, _ = process.communicate(timeout=240)
    return process.returncode, output


def _results(report_dir: Path) -> Path:
    (path,) = report_dir.glob("*/results.json")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, Path]]:
    """A clean baseline, then a clean run, a faulty run (both with --baseline) and an alternate run."""
    root = tmp_path_factory.mktemp("compare-runs")
    gate = ("run", "--profile", "gate", "-k", SUBSET)
    code, output = _finish(_paircert(*gate, "--report-dir", str(root / "baseline"), cwd=root))
    assert code == 0, output
    baseline = str(_results(root / "baseline"))
    extra = {
        "clean": ("--baseline", baseline),
        "fault": ("--baseline", baseline, "--emulator-fault", FAULT),
        "alternate": ("--emulator-choices", "alternate"),
    }
    started = {
        name: _paircert(*gate, *args, "--report-dir", str(root / name), cwd=root) for name, args in extra.items()
    }
    done = {name: (*_finish(process), _results(root / name)) for name, process in started.items()}
    return {"baseline": (code, output, Path(baseline)), **done}


def _compare(baseline: Path, result: Path, folder: Path) -> tuple[int, str]:
    return _finish(_paircert("compare", str(baseline), str(result), cwd=folder))


def test_two_clean_runs_compare_with_exit_0(runs: dict[str, tuple[int, str, Path]], tmp_path: Path) -> None:
    code, output, result = runs["clean"]
    assert code == 0, output
    assert "paircert compare: 0 regressions" in output
    comparison = json.loads((result.parent / "comparison.json").read_text())
    assert comparison["regressed"] is False and comparison["observed"] == []
    assert _compare(runs["baseline"][2], result, tmp_path)[0] == 0


def test_a_seeded_fault_is_named_as_a_regression_with_exit_1(
    runs: dict[str, tuple[int, str, Path]], tmp_path: Path
) -> None:
    code, output, result = runs["fault"]
    assert code == 1, output
    summary = output[output.index("paircert compare: baseline") :]
    broken = "suites/camera_pairing/test_cp_read.py::test_collection_lists_the_added_pairing_under_its_id"
    assert f"REGRESSION {broken} [CP-ADD-RESPONSE," in summary
    assert "pass → blocked: needs CP-ADD-RESPONSE" in summary
    compared, printed = _compare(runs["baseline"][2], result, tmp_path)
    assert compared == 1
    assert f"REGRESSION {broken}" in printed and "pass → fail" in printed


def test_the_alternate_choices_show_as_changed_observed_behaviour_with_exit_0(
    runs: dict[str, tuple[int, str, Path]], tmp_path: Path
) -> None:
    code, output, result = runs["alternate"]
    assert code == 0, output
    compared, printed = _compare(runs["baseline"][2], result, tmp_path)
    assert compared == 0, printed
    assert 'OBSERVED   discover.form: "success envelope" → "bare document"' in printed
    assert "0 regressions" in printed


def test_a_baseline_that_is_no_results_json_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text("[]")
    code, output = _finish(_paircert("run", "--profile", "gate", "--baseline", "other.json", cwd=tmp_path))
    assert code == 2
    assert output.strip().splitlines() == [
        f"paircert: error: --baseline: {tmp_path / 'other.json'}: not a paircert results.json "
        "(schemas/results/results.json): (root): [] is not of type 'object'"
    ]
