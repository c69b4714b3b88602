"""A law is checked on every path where it applies, and the report says which paths no test met.

Issue 9: "no GET returns the password" was checked on the item GET only of a pairing in Error,
where the device answers the 106/107/108 envelope, so a device that returns the password in the
entity of a pairing that plays passed. The record laws run on synthetic records; the end-to-end
laws run ``paircert run`` against the embedded emulator with the catalogue fault
``item-returns-password`` (the password in the item entity of a pairing not in Error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from paircert.report import records
from paircert.report.records import RunMetadata, RunRecord, Verdict

REPO = Path(__file__).resolve().parents[1]
LAW = "CP-PASSWORD-NOT-RETURNED"
ITEM_ENTITY = "item GET answering the entity (a pairing not in Error)"
OLD_TESTS = "test_no_response_carries_the_password or test_set_password_is_acknowledged"
NEW_TESTS = "test_stream_no_get_of_a_playing_pairing_returns_the_password"
ADMIN_PASSWORD = "Law-paths-admin-secret-3391"


def _record(nodeid: str, verdict: Verdict, requirements: list[str], *paths: tuple[str, bool]) -> records.TestRecord:
    met = [
        {"requirement": LAW, "path": path, "taken": taken, "why": None if taken else "error 108"}
        for path, taken in paths
    ]
    return records.TestRecord(nodeid, "passed", verdict, requirements, {}, 0.0, paths=met)


def _run(*tests: records.TestRecord) -> RunRecord:
    metadata = RunMetadata("run", None, True, "gate", 1, "0", "0")
    return RunRecord(metadata, list(tests), [])


def test_a_requirement_whose_tests_were_all_blocked_or_returned_early_is_listed_as_never_exercised() -> None:
    run = _run(
        _record("a", "blocked", [LAW]),
        _record("b", "pass", [LAW], (ITEM_ENTITY, False)),
        _record("c", "pass", ["CP-ROOT-GET"]),
    )
    assert run.unexercised_requirements() == [LAW]
    document = json.loads(run.to_json())
    assert document["unexercised_requirements"] == [LAW]
    assert document["requirements"][LAW]["exercised_by"] == []
    assert document["requirements"]["CP-ROOT-GET"]["exercised_by"] == ["c"]


def test_a_failed_test_exercised_its_requirement_whatever_paths_it_recorded() -> None:
    run = _run(_record("found", "fail", [LAW], (ITEM_ENTITY, False)))
    assert run.unexercised_requirements() == []


def test_a_path_one_test_did_not_take_is_listed_until_a_judged_test_takes_it() -> None:
    skipped = _record("early", "pass", [LAW], ("root GET", True), (ITEM_ENTITY, False))
    assert _run(skipped).unexercised_requirements() == []
    assert _run(skipped).unexercised_paths() == {LAW: {ITEM_ENTITY: ["early: error 108"]}}
    blocked = _record("blocked", "blocked", [LAW], (ITEM_ENTITY, True))
    assert _run(skipped, blocked).unexercised_paths() == {LAW: {ITEM_ENTITY: ["early: error 108"]}}
    taken = _record("plays", "fail", [LAW], (ITEM_ENTITY, True))
    assert _run(skipped, taken).unexercised_paths() == {}


def _paircert_run(
    tmp_path: Path, name: str, expression: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env.update(PYTHONPATH=str(REPO), PAIRCERT_PASSWORD=ADMIN_PASSWORD)
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", "--profile", "gate", "--emulator-fault", "item-returns-password"]
        + ["-k", expression, "--report-dir", name],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (path,) = (tmp_path / name).glob("*/results.json")
    return result, dict(json.loads(path.read_text(encoding="utf-8")))


def test_the_tests_that_pair_with_nothing_pass_a_device_returning_the_password_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    result, document = _paircert_run(tmp_path, "old", OLD_TESTS)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert {t["verdict"] for t in document["tests"]} == {"pass"}
    (whys,) = document["unexercised_paths"][LAW].values()
    assert list(document["unexercised_paths"][LAW]) == [ITEM_ENTITY]
    assert len(whys) == 2 and all("the item GET answered error 108" in why for why in whys), whys


def test_a_device_returning_the_password_on_the_item_get_of_a_pairing_that_plays_fails_the_law(
    tmp_path: Path,
) -> None:
    result, document = _paircert_run(tmp_path, "new", f"{OLD_TESTS} or {NEW_TESTS}")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    verdicts = {t["nodeid"].rsplit("::", 1)[1]: t for t in document["tests"]}
    failed = {name: t for name, t in verdicts.items() if t["verdict"] == "fail"}
    assert list(failed) == [f"{NEW_TESTS}[item GET]"], {n: t["verdict"] for n, t in verdicts.items()}
    (failure,) = failed.values()
    assert LAW in failure["requirements"]
    assert "a GET of a pairing that plays answered its password" in failure["message"]
    assert LAW not in document["unexercised_paths"]
    files = [p for p in (tmp_path / "new").rglob("*") if p.is_file()]
    assert not any(ADMIN_PASSWORD in p.read_text(errors="replace") for p in files)
    assert ADMIN_PASSWORD not in output
