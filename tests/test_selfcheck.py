"""``paircert selfcheck``: the kill matrix's rules on synthetic runs, and a real sample of faults.

The rules: a fault is judged only by failures the clean run does not also have; a kill is on
target when a new failure cites what the fault breaks, elsewhere when it cites only other
requirements; survivors come first. The sample runs the real command over four faults of four
layers (the CI half of issue 9, item 4) and checks its JSON against the schema.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from paircert import schemas
from paircert.emulator.faults import NEEDS
from paircert.plugin.options import RUN_OPTIONS, read_run_config
from paircert.report import records
from paircert.selfcheck import command
from paircert.selfcheck.matrix import FaultResult, RunOutcome, judge, ordered, read_results, tally
from paircert.selfcheck.report import Selfcheck, summary_lines
from paircert.selfcheck.runs import EMULATOR_VARIANTS, RunSpec, execute, run_argv
from paircert.usage import CliError

REPO = Path(__file__).resolve().parents[1]
SCHEMA = "selfcheck/result"


@dataclass(frozen=True)
class _Fault:
    name: str
    breaks: Sequence[str]
    layer: str = "api"
    summary: str = "a synthetic deviation."
    needs: str | None = None


def _results_file(folder: Path, tests: dict[str, tuple[records.Verdict, list[str]]]) -> Path:
    """A results.json as ``paircert run`` writes it (through the report's own records)."""
    metadata = records.RunMetadata(
        run_id="r", target_url=None, embedded=True, profile="gate", seed=1, suite_version="0", schema_version="0"
    )
    judged = [
        records.TestRecord(
            nodeid=nodeid,
            outcome="failed" if verdict == "fail" else "passed",
            verdict=verdict,
            requirements=requirements,
            observations={},
            duration=0.1,
        )
        for nodeid, (verdict, requirements) in tests.items()
    ]
    folder.mkdir(parents=True)
    path = folder / "results.json"
    path.write_text(records.RunRecord(metadata, judged, untested_requirements=[]).to_json(), encoding="utf-8")
    return path


def _outcome(tmp_path: Path, name: str, tests: dict[str, tuple[records.Verdict, list[str]]]) -> RunOutcome:
    failures, counts = read_results(_results_file(tmp_path / name, tests))
    return RunOutcome("completed", 1 if failures else 0, 60.0, failures, counts)


BASE: dict[str, tuple[records.Verdict, list[str]]] = {
    "suites/a.py::test_add": ("pass", ["CP-ADD-REQUIRED"]),
    "suites/a.py::test_list": ("pass", ["CP-LIST-GET", "DCA-COLLECTION-ARRAY"]),
    "suites/b.py::test_flaky": ("fail", ["RP-STATE-OK"]),
    "suites/b.py::test_radar": ("pass", ["RP-GET-ACTIVE"]),
}


@pytest.fixture
def clean(tmp_path: Path) -> RunOutcome:
    return _outcome(tmp_path, "clean", BASE)


def test_a_new_failure_citing_what_the_fault_breaks_kills_it_on_target(tmp_path: Path, clean: RunOutcome) -> None:
    run = _outcome(tmp_path, "f", {**BASE, "suites/a.py::test_list": ("fail", ["CP-LIST-GET", "DCA-COLLECTION-ARRAY"])})
    result = judge(_Fault("collection-as-object", ["DCA-COLLECTION-ARRAY"]), run, clean)
    assert result.verdict == "killed"
    assert [(k.requirement, k.on_target, k.tests) for k in result.kills] == [
        ("CP-LIST-GET", False, ("suites/a.py::test_list",)),
        ("DCA-COLLECTION-ARRAY", True, ("suites/a.py::test_list",)),
    ]
    assert result.masked == ("suites/b.py::test_flaky",)


def test_a_fault_without_new_failures_survives(tmp_path: Path, clean: RunOutcome) -> None:
    result = judge(_Fault("quiet", ["CP-ADD-REQUIRED"]), _outcome(tmp_path, "f", BASE), clean)
    assert (result.verdict, result.kills) == ("survived", ())


def test_a_failure_the_clean_run_also_has_kills_nothing(tmp_path: Path, clean: RunOutcome) -> None:
    """The fault breaks RP-STATE-OK and its only failing test cites it, but that test fails clean too."""
    result = judge(_Fault("radar-ok-as-failed", ["RP-STATE-OK"]), _outcome(tmp_path, "f", BASE), clean)
    assert result.verdict == "survived"
    assert result.masked == ("suites/b.py::test_flaky",)


def test_new_failures_of_other_requirements_only_kill_it_elsewhere(tmp_path: Path, clean: RunOutcome) -> None:
    run = _outcome(tmp_path, "f", {**BASE, "suites/a.py::test_add": ("fail", ["CP-ADD-REQUIRED"])})
    result = judge(_Fault("list-always-empty", ["CP-LIST-GET"]), run, clean)
    assert result.verdict == "killed-elsewhere"
    assert [(k.requirement, k.on_target) for k in result.kills] == [("CP-ADD-REQUIRED", False)]


def test_a_failing_test_without_requirements_is_a_kill_under_no_requirement(tmp_path: Path, clean: RunOutcome) -> None:
    run = _outcome(tmp_path, "f", {**BASE, "suites/c.py::test_bare": ("fail", [])})
    result = judge(_Fault("odd", ["CP-ADD-REQUIRED"]), run, clean)
    assert result.verdict == "killed-elsewhere"
    assert [(k.requirement, k.tests) for k in result.kills] == [(None, ("suites/c.py::test_bare",))]


def test_runs_that_end_before_results_are_refused_or_errors_never_kills(clean: RunOutcome) -> None:
    fault = _Fault("no-challenge", ["DCA-AUTH-REQUIRED"])
    refused = judge(fault, RunOutcome("refused", 3, 2.0, detail="paircert: error: refused"), clean)
    timeout = judge(fault, RunOutcome("timeout", None, 900.0, detail="stopped"), clean)
    crashed = judge(fault, RunOutcome("crashed", 2, 1.0, detail="usage"), clean)
    assert [r.verdict for r in (refused, timeout, crashed)] == ["refused", "error", "error"]
    assert all(r.kills == () for r in (refused, timeout, crashed))


def _matrix(tmp_path: Path, clean: RunOutcome) -> list[FaultResult]:
    add_fails = {**BASE, "suites/a.py::test_add": ("fail", ["CP-ADD-REQUIRED"])}
    return ordered(
        [
            judge(_Fault("z-killed", ["CP-ADD-REQUIRED"]), _outcome(tmp_path, "z", add_fails), clean),
            judge(_Fault("y-elsewhere", ["CP-LIST-GET"]), _outcome(tmp_path, "y", add_fails), clean),
            judge(_Fault("x-survivor", ["CP-LIST-GET"], "link"), _outcome(tmp_path, "x", BASE), clean),
            judge(_Fault("w-error", ["CP-LIST-GET"]), RunOutcome("timeout", None, 9.0, detail="stopped"), clean),
        ]
    )


def test_survivors_come_first_and_the_rates_count_every_fault(tmp_path: Path, clean: RunOutcome) -> None:
    results = _matrix(tmp_path, clean)
    assert [r.name for r in results] == ["x-survivor", "w-error", "y-elsewhere", "z-killed"]
    numbers = tally(results)
    assert (numbers["faults"], numbers["survived"], numbers["error"]) == (4, 1, 1)
    assert (numbers["kill_rate"], numbers["on_target_rate"]) == (0.5, 0.25)


def test_the_summary_names_every_survivor_with_its_summary_and_the_command(tmp_path: Path, clean: RunOutcome) -> None:
    check = _check(tmp_path, clean)
    text = "\n".join(summary_lines(check))
    assert "x-survivor [link] breaks CP-LIST-GET: a synthetic deviation." in text
    assert "kill rate 2/4 = 50.0% (on target 1/4 = 25.0%)" in text
    assert "the clean run failed 1 test(s)" in text
    assert text.rstrip().endswith("reproduce: paircert selfcheck --profile gate")


def _check(tmp_path: Path, clean: RunOutcome) -> Selfcheck:
    return Selfcheck(
        profile="gate",
        keyword=None,
        command="paircert selfcheck --profile gate",
        catalogue_size=70,
        jobs=2,
        timeout=900.0,
        started="2026-12-01T03:00:00+00:00",
        finished="2026-12-01T04:00:00+00:00",
        clean=clean,
        results=_matrix(tmp_path, clean),
    )


def test_the_json_document_satisfies_its_schema(tmp_path: Path, clean: RunOutcome) -> None:
    document = json.loads(json.dumps(_check(tmp_path, clean).to_dict()))
    assert schemas.validate(SCHEMA, document, check_formats=True) == []
    document["faults"][0]["verdict"] = "maimed"
    assert schemas.validate(SCHEMA, document) != []


def test_a_run_past_its_time_is_stopped_with_its_whole_process_group(tmp_path: Path) -> None:
    (spec, outcome), *rest = list(
        execute([RunSpec("clean", ())], profile="gate", keyword=None, jobs=1, timeout=0.5, work_dir=tmp_path)
    )
    assert (spec.label, outcome.status, rest) == ("clean", "timeout", [])
    assert not _runs_alive(tmp_path / "clean")


def _runs_alive(folder: Path) -> bool:
    """Whether a ``paircert run`` whose report folder lies under ``folder`` still runs."""
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "-m paircert run " in command and f"--report-dir {folder}/" in command:
            return True
    return False


# --- the command ---------------------------------------------------------------------------------


def _paircert(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "paircert", "selfcheck", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_an_unknown_fault_is_one_line_and_a_usage_error(tmp_path: Path) -> None:
    result = _paircert("--faults", "root-get-refused,no-such-fault", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "paircert: error: --faults: unknown fault no-such-fault (see 'paircert emulator --list-faults')"
    ]


@pytest.mark.slow
def test_ctrl_c_ends_selfcheck_and_every_run_it_started(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    command = [sys.executable, "-m", "paircert", "selfcheck", "--faults", "root-get-refused", "--runs-dir", str(runs)]
    with subprocess.Popen(command, cwd=tmp_path, env=environment, stderr=subprocess.PIPE) as selfcheck:
        deadline = time.monotonic() + 60
        while not _runs_alive(runs) and time.monotonic() < deadline and selfcheck.poll() is None:
            time.sleep(0.2)
        assert _runs_alive(runs), "no run started"
        selfcheck.send_signal(signal.SIGINT)
        assert selfcheck.wait(timeout=60) == 130
    assert not _runs_alive(runs)


SAMPLE = {
    # one fault per layer: the API surface, authentication, transport, the link sequences
    "root-get-refused": "api",
    "wrong-password-403": "auth",
    "radar-http-method-as-400": "transport",
    "unauthorized-as-108": "link",
}
SAMPLE_KEYWORD = "not generated"
"""The generated suites take two thirds of a gate run and none of the sample needs them to be killed."""


@pytest.mark.slow
@pytest.mark.timeout(480)  # 204 s measured on two cores with a load average of 12 (other runs beside it)
def test_the_sample_of_faults_is_killed_on_target_and_the_matrix_holds(tmp_path: Path) -> None:
    out = tmp_path / "selfcheck.json"
    result = _paircert(
        "--faults",
        ",".join(SAMPLE),
        "--profile",
        "gate",
        "-k",
        SAMPLE_KEYWORD,
        "--jobs",
        "2",
        "--timeout",
        "300",
        "--json",
        str(out),
        cwd=tmp_path,
        timeout=450,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert schemas.validate(SCHEMA, document, check_formats=True) == []
    assert {fault["name"]: fault["layer"] for fault in document["faults"]} == SAMPLE
    clean_failing = {failure["test"] for failure in document["clean"]["failures"]}
    for fault in document["faults"]:
        assert fault["verdict"] == "killed", fault
        killers = {test for kill in fault["kills"] for test in kill["tests"]}
        assert not killers & clean_failing
        assert any(kill["on_target"] and kill["requirement"] in fault["breaks"] for kill in fault["kills"])
    assert document["summary"]["kill_rate"] == 1.0
    assert "kill rate 4/4 = 100.0%" in result.stdout


# --- emulator variants: a fault that needs the 2026-01 radar revision -----------------------------


def test_a_variant_run_tells_the_embedded_emulator_its_options(tmp_path: Path) -> None:
    spec = RunSpec(
        "radar-certificate-cn-not-stored", ("radar-certificate-cn-not-stored",), EMULATOR_VARIANTS["radar-2026-01"]
    )
    argv = run_argv(spec, "gate", tmp_path, "radar")
    assert argv[argv.index("--emulator-radar-revision") + 1] == "2026-01"
    assert argv[-2:] == ["-k", "radar"]


def _collect_with(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, faults: Sequence[_Fault], runs: dict[str, RunOutcome]
) -> tuple[list[RunSpec], dict[str | None, RunOutcome], list[FaultResult]]:
    """``command._collect`` with every run's outcome given by label instead of run."""
    started: list[RunSpec] = []

    def fake_execute(specs: Sequence[RunSpec], **_: object) -> Iterator[tuple[RunSpec, RunOutcome]]:
        for spec in specs:
            started.append(spec)
            yield spec, runs[spec.label]

    monkeypatch.setattr(command, "execute", fake_execute)
    args = argparse.Namespace(profile="gate", keyword=None, jobs=2, timeout=60.0)
    cleans, results = command._collect(faults, args, tmp_path)
    return started, cleans, results


def test_a_fault_that_needs_the_2026_01_revision_is_judged_against_a_clean_run_at_that_revision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean: RunOutcome
) -> None:
    # The 2026-01 clean run fails a test the default clean run passes: under the 2026-01 fault that
    # failure is the emulator variant's, not the fault's, and kills nothing.
    variant_clean = _outcome(tmp_path, "clean-2026", {**BASE, "suites/c.py::test_cn": ("fail", ["RP-SET-CONNECTION"])})
    runs = {
        "clean": clean,
        "clean-radar-2026-01": variant_clean,
        "cn": _outcome(
            tmp_path,
            "cn",
            {
                **BASE,
                "suites/c.py::test_cn": ("fail", ["RP-SET-CONNECTION"]),
                "suites/c.py::test_cn_reads_back": ("fail", ["RP-TLS-CERTIFICATE-CN"]),
            },
        ),
        "plain": _outcome(tmp_path, "plain", {**BASE, "suites/c.py::test_cn": ("fail", ["RP-SET-CONNECTION"])}),
    }
    faults = [
        _Fault("cn", ["RP-TLS-CERTIFICATE-CN"], needs="radar-2026-01"),
        _Fault("plain", ["RP-SET-CONNECTION"]),
    ]
    started, cleans, results = _collect_with(monkeypatch, tmp_path, faults, runs)
    assert [(spec.label, spec.options) for spec in started] == [
        ("clean", ()),
        ("clean-radar-2026-01", ("--emulator-radar-revision", "2026-01")),
        ("cn", ("--emulator-radar-revision", "2026-01")),
        ("plain", ()),
    ]
    assert cleans == {None: clean, "radar-2026-01": variant_clean}
    verdicts = {result.name: result for result in results}
    assert verdicts["cn"].verdict == "killed"
    assert verdicts["cn"].masked == ("suites/b.py::test_flaky", "suites/c.py::test_cn")
    assert [kill.requirement for kill in verdicts["cn"].kills] == ["RP-TLS-CERTIFICATE-CN"]
    assert verdicts["plain"].verdict == "killed" and verdicts["plain"].masked == ("suites/b.py::test_flaky",)


def test_no_variant_clean_run_happens_unless_a_selected_fault_needs_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean: RunOutcome
) -> None:
    runs = {"clean": clean, "set-not-persisted": clean}
    started, cleans, _ = _collect_with(
        monkeypatch, tmp_path, [_Fault("set-not-persisted", ["CP-SET-ADDRESS"], needs="restart")], runs
    )
    assert [spec.label for spec in started] == ["clean", "set-not-persisted"]
    assert list(cleans) == [None]


def test_a_variant_clean_run_that_does_not_complete_stops_selfcheck(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, clean: RunOutcome
) -> None:
    runs = {
        "clean": clean,
        "clean-radar-2026-01": RunOutcome("crashed", 1, 3.0, detail="boom"),
        "cn": clean,
    }
    with pytest.raises(CliError, match="clean-radar-2026-01 run did not complete"):
        _collect_with(monkeypatch, tmp_path, [_Fault("cn", ["RP-TLS-CERTIFICATE-CN"], needs="radar-2026-01")], runs)


def test_every_need_a_run_option_meets_is_an_option_paircert_run_reads() -> None:
    flags = {option.flag: option.dest for option in RUN_OPTIONS}
    assert set(EMULATOR_VARIANTS) <= set(NEEDS)
    for need, options in EMULATOR_VARIANTS.items():
        pairs = dict(zip(options[::2], options[1::2], strict=True))
        config = read_run_config({flags[flag]: value for flag, value in pairs.items()}, {})
        assert dataclasses.replace(config, run_id="r") != dataclasses.replace(read_run_config({}, {}), run_id="r"), (
            f"{need}: {options} change nothing in the run"
        )
