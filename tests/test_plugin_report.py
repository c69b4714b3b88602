"""A small suite run against the embedded emulator: artifacts carry verdicts and no secret."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator

REPO = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "Adm1n-secret-QWERTY-8841"
OPERATOR_PASSWORD = "0perator-secret-ZXCV-1234"
PEER_PASSWORD = "peer-camera-secret-5577"


@pytest.fixture(scope="module")
def emulator_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = EmulatorConfig(
        state_dir=tmp_path_factory.mktemp("emulator-state"),
        users=[User("root", ADMIN_PASSWORD, "admin"), User("op", OPERATOR_PASSWORD, "operator")],
    )
    with EmbeddedEmulator(config) as emulator:
        yield emulator.http_url


SUITE = """
import pytest
from paircert.plugin.expect import expect_success

REQ = {req!r}

@pytest.mark.requirement(REQ)
@pytest.mark.changes_state
def test_add_then_fail(empty_camera, observe):
    resp = empty_camera.add({{"address": "192.0.2.10", "username": "peer", "password": {peer!r},
                             "streamingprotocol": "RTSP", "verifycertificate": False, "description": "d"}})
    observe("add.status", resp.status_code)
    expect_success(empty_camera.get("CameraPairing-does-not-exist"))

@pytest.mark.requirement(REQ)
def test_operator_reads(camera_as, observe):
    observe("operator.list", camera_as("operator").list().status_code)

@pytest.mark.requirement(REQ)
def test_viewer_is_blocked(http_viewer):
    pass
"""


def test_artifacts_have_verdicts_transcripts_and_no_password(tmp_path: Path, emulator_url: str) -> None:
    from paircert.ledger import load_ledger

    requirement = sorted(rid for rid, r in load_ledger().items() if r.level == "documented")[0]
    (tmp_path / "test_run.py").write_text(SUITE.format(req=requirement, peer=PEER_PASSWORD))
    report_dir = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env.update(
        PYTHONPATH=str(REPO),
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
        PAIRCERT_PASSWORD=ADMIN_PASSWORD,
        PAIRCERT_OPERATOR=f"op:{OPERATOR_PASSWORD}",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "paircert.plugin",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            "test_run.py",
            "--target",
            emulator_url,
            "--report-dir",
            str(report_dir),
            "--run-id",
            "run-1",
            "--seed",
            "42",
            "--junitxml",
            str(report_dir / "junit.xml"),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output

    artifacts = {path.name: path.read_text(encoding="utf-8") for path in report_dir.iterdir()}
    assert set(artifacts) == {"report.html", "junit.xml", "results.json"}
    artifacts["report text"] = html.unescape(artifacts["report.html"])
    for name, text in [*artifacts.items(), ("output", output)]:
        for secret in (ADMIN_PASSWORD, OPERATOR_PASSWORD, PEER_PASSWORD):
            assert secret not in text, f"{name} leaks a password"

    results = json.loads(artifacts["results.json"])
    verdicts = {t["nodeid"].split("::")[1]: t for t in results["tests"]}
    assert verdicts["test_add_then_fail"]["verdict"] == "fail"
    assert verdicts["test_operator_reads"]["verdict"] == "pass"
    assert verdicts["test_operator_reads"]["observations"] == {"operator.list": 403}
    assert verdicts["test_viewer_is_blocked"]["verdict"] == "blocked"
    assert verdicts["test_viewer_is_blocked"]["message"].startswith("blocked: no viewer credentials")
    assert results["run"]["run_id"] == "run-1" and results["run"]["seed"] == 42
    assert results["run"]["target_url"] == emulator_url and results["run"]["device"]
    assert results["requirements"][requirement]["verdict"] == "fail"
    assert requirement not in results["untested_requirements"]
    assert results["counts"]["fail"] == 1 and results["counts"]["blocked"] == 1

    message = verdicts["test_add_then_fail"]["message"]
    assert f"[{requirement}]" in message and "reproduce: curl " in message
    assert "pytest node: test_run.py::test_add_then_fail (--seed 42)" in message
    page = artifacts["report text"]
    assert 'data-overall="FAIL"' in page
    for needle in (
        "Failed tests (1)",
        "Blocked tests (1)",
        "Requirement to tests",
        "Test to requirements",
        "Documented requirements with no test",
        "Transcript",
        "Reproduce (curl)",
    ):
        assert needle in page, needle
    # the failing test's exchanges and curl lines are on the page; the passing test's (its 403) not
    assert "authorization: Digest <redacted>" in page and '"password": "<redacted>"' in page
    assert '--digest -u "$PAIRCERT_USER:$PAIRCERT_PASSWORD"' in page
    assert "< HTTP 403" not in page
    # the test removed nothing itself: the fixture left the device without pairings
    assert "cleanup" not in output
