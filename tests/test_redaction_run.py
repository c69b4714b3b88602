"""Redaction removes secrets and nothing else: `paircert run` against a device whose passwords are
ordinary words, and one that echoes them back.

A lab device with the admin password ``pass`` or ``admin`` is common. The run must still write
the five verdicts, its node ids as JUnit names them, and counts that match JUnit; and a long,
distinctive password that the device echoes into a failure, a printed line, a log record, an
exception and a skip reason must reach no file the run wrote. The runs select the tests whose
names hold those words (the ones an over-eager scrub corrupted) plus a canary module whose tests
fail, or are blocked, with the secrets in what they would show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from _pytest.junitxml import mangle_test_address
from emulator_process import running_emulator

REPO = Path(__file__).resolve().parents[1]
DISTINCT = "Zq7-distinct-Secret-4711"
VERDICTS = {"pass", "fail", "blocked", "not-applicable", "observed"}
# Names with the passwords in them, the canaries, and one test or more of every other kind: observed
# (the linked documents), not-applicable (the 2026-01 radar field), schemathesis with a subtest per
# operation, and a slow test the gate profile leaves out.
SELECTION = (
    "password or admin or canary or linked_json or invalid_value_fails_with_2104"
    " or every_operation_answers or unreachable_address_is_error_108"
)

CANARY = """
import logging
import os

import pytest

from paircert.plugin.expect import expect_error

SECRETS = [os.environ["PAIRCERT_PASSWORD"], os.environ["PAIRCERT_OPERATOR"].partition(":")[2]]
SPOKEN = " ".join(SECRETS)


@pytest.mark.changes_state
def test_canary_a_device_echoing_the_passwords_fails_with_them_redacted(empty_camera, observe):
    print("library debug: logging in with", SPOKEN)
    logging.getLogger("canary").warning("retrying with %s", SPOKEN)
    resp = empty_camera.add({"address": "192.0.2.10", "username": "peer", "password": SECRETS[1],
                             "streamingprotocol": "RTSP", "verifycertificate": False,
                             "description": f"echo {SPOKEN}"})
    observe("canary.echo", {"description": (resp.data or {}).get("description"), "password": SECRETS[0]})
    expect_error(resp)  # the device answered success: the failure shows the answer, which echoes


def test_canary_an_exception_quoting_the_passwords_fails_with_them_redacted():
    raise RuntimeError(f"the device said: wrong password {SPOKEN!r}")


def test_canary_a_reason_quoting_the_passwords_is_blocked_with_them_redacted():
    pytest.skip(f"blocked: the device wants {SPOKEN}")
"""


@contextmanager
def _emulator(state: Path, admin: str) -> Iterator[str]:
    """A separately started emulator whose root and operator have the run's passwords, as a
    device in a lab would (the embedded emulator makes up its own)."""
    arguments = ("--state-dir", str(state), "--user", f"root:{admin}:admin", "--user", f"op:{DISTINCT}:operator")
    with running_emulator(*arguments) as emulator:
        yield emulator.http_url


def _environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **extra)
    return environment


def _run(tmp: Path, admin: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    (tmp / "test_canary.py").write_text(CANARY)
    with _emulator(tmp / "state", admin) as url:
        result = subprocess.run(
            [sys.executable, "-m", "paircert", "run", "--target", url, "--report-dir", "out", "--profile", "gate"]
            + ["-k", SELECTION]
            + ["--", str(tmp / "test_canary.py")],
            cwd=tmp,
            env=_environment(PAIRCERT_PASSWORD=admin, PAIRCERT_OPERATOR=f"op:{DISTINCT}"),
            capture_output=True,
            text=True,
            timeout=300,
        )
    (run_dir,) = (tmp / "out").iterdir()
    return result, run_dir


pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module", params=["pass", "admin"])
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, Path]:
    result, run_dir = _run(tmp_path_factory.mktemp(f"run-{request.param}"), request.param)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    return request.param, result.stdout + result.stderr, run_dir


def _results(run_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    return results


def _junit_cases(run_dir: Path) -> dict[str, str]:
    """Each JUnit test case, named as ``classname.name``, with what it says: fail, skip or pass."""
    cases = {}
    for case in ET.parse(run_dir / "junit.xml").getroot().iter("testcase"):
        tags = {child.tag for child in case}
        kind = "fail" if tags & {"failure", "error"} else "skip" if "skipped" in tags else "pass"
        cases[f"{case.get('classname')}.{case.get('name')}"] = kind
    return cases


def _junit_name(nodeid: str) -> str:
    return ".".join(mangle_test_address(nodeid))


def test_every_verdict_is_one_of_five_and_every_outcome_is_pytests(run: tuple[str, str, Path]) -> None:
    _, _, run_dir = run
    results = _results(run_dir)
    assert {t["verdict"] for t in results["tests"]} <= VERDICTS
    assert {t["outcome"] for t in results["tests"]} <= {"passed", "failed", "error", "skipped"}
    assert results["counts"] == {v: sum(t["verdict"] == v for t in results["tests"]) for v in VERDICTS}
    assert {r["verdict"] for r in results["requirements"].values()} <= VERDICTS
    assert all(record["reason"] for record in results["not_run"])


def test_the_run_holds_every_kind_of_result(run: tuple[str, str, Path]) -> None:
    _, _, run_dir = run
    results = _results(run_dir)
    assert all(results["counts"][verdict] > 0 for verdict in VERDICTS), results["counts"]
    assert results["not_run"], "the gate profile left no test out"
    assert any("[GET /" in t["nodeid"] for t in results["tests"]), "no schemathesis subtest"


def test_node_ids_and_counts_are_junits(run: tuple[str, str, Path]) -> None:
    _, _, run_dir = run
    results, junit = _results(run_dir), _junit_cases(run_dir)
    judged = {_junit_name(t["nodeid"]): t["verdict"] for t in results["tests"]}
    not_run = {_junit_name(t["nodeid"]) for t in results["not_run"]}
    assert judged.keys() | not_run == junit.keys()
    assert len(judged) + len(not_run) == len(results["tests"]) + len(results["not_run"])
    junit_counts = Counter(junit.values())
    counts = results["counts"]
    assert junit_counts["fail"] == counts["fail"]
    assert junit_counts["skip"] == counts["blocked"] + counts["not-applicable"] + len(not_run)
    assert junit_counts["pass"] == counts["pass"] + counts["observed"]
    assert all(
        junit[name] == {"fail": "fail", "pass": "pass", "observed": "pass"}.get(v, "skip") for name, v in judged.items()
    )


def test_names_holding_the_password_as_a_word_part_are_written_as_they_are(run: tuple[str, str, Path]) -> None:
    password, _, run_dir = run
    results = _results(run_dir)
    nodeids = [t["nodeid"] for t in results["tests"]]
    assert any(password in nodeid for nodeid in nodeids), "the selection holds no test named with the password"
    assert not any("<redacted>" in nodeid for nodeid in nodeids)
    assert not any("<redacted>" in rid for rid in results["requirements"])
    junit = (run_dir / "junit.xml").read_text(encoding="utf-8")
    assert all(f'name="{mangle_test_address(n)[-1]}"' in junit for n in nodeids if '"' not in n and "&" not in n)


def test_the_canaries_fail_and_are_blocked_with_the_secrets_redacted(run: tuple[str, str, Path]) -> None:
    password, _, run_dir = run
    tests = {t["nodeid"].rpartition("::")[2]: t for t in _results(run_dir)["tests"]}
    echo = tests["test_canary_a_device_echoing_the_passwords_fails_with_them_redacted"]
    assert echo["verdict"] == "fail"
    assert '"description": "echo <redacted> <redacted>"' in echo["message"].replace('":"', '": "')
    assert echo["observations"] == {
        "canary.echo": {"description": "echo <redacted> <redacted>", "password": "<redacted>"}
    }
    raised = tests["test_canary_an_exception_quoting_the_passwords_fails_with_them_redacted"]
    assert raised["verdict"] == "fail" and "wrong password '<redacted> <redacted>'" in raised["message"]
    skipped = tests["test_canary_a_reason_quoting_the_passwords_is_blocked_with_them_redacted"]
    assert skipped == skipped | {"verdict": "blocked", "message": "blocked: the device wants <redacted> <redacted>"}


def test_the_distinctive_password_reaches_no_file_the_run_wrote(run: tuple[str, str, Path]) -> None:
    _, output, run_dir = run
    files = [path for path in run_dir.rglob("*") if path.is_file()]
    assert {"results.json", "junit.xml", "report.html"} <= {path.name for path in files}
    leaking = [str(path) for path in files if DISTINCT in path.read_text(errors="replace")]
    assert leaking == [] and DISTINCT not in output
