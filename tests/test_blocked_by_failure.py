"""A setup step that meets a documented violation fails that requirement once and blocks its dependants
by name; a precondition outside the device (a role nobody gave) still blocks.

The unit laws run a small suite in a child pytest; the end-to-end law runs the camera pairing suite
against an emulator in this process with the catalogue fault ``collection-as-object`` (its collection
GET answers an object keyed by id), as issue 9 saw on an independent device.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.emulator.faults import FaultSet

REPO = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "Blocked-by-failure-secret-6620"
COLLECTION_ARRAY = "DCA-COLLECTION-ARRAY"
# Its operator case needs a role the run does not give: a precondition outside the device.
RADAR_AUTH = "suites/radar_pairing/test_rp_auth.py"


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env.update(PYTHONPATH=str(REPO), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **extra)
    return env


def _results(report_dir: Path) -> dict[str, Any]:
    return dict(json.loads((report_dir / "results.json").read_text(encoding="utf-8")))


def _by_node(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {test["nodeid"]: test for test in document["tests"]}


SAMPLE = """
import pytest
from paircert.plugin.verdicts import blocked, device_broke

@pytest.fixture
def step(request):
    device_broke(request, "DCA-COLLECTION-ARRAY", "the listing is a JSON object", expected="a JSON array")

@pytest.mark.requirement("CP-LIST-GET")
def test_first(step):
    pass

@pytest.mark.requirement("CP-ROOT-GET")
def test_second(step):
    pass

def test_third(step):
    pass

@pytest.mark.requirement("CP-ROOT-GET")
def test_precondition():
    blocked("no operator credentials (pass --operator NAME:SECRET)")
"""


def test_a_broken_setup_step_fails_its_requirement_once_and_blocks_the_rest_by_name(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "paircert.plugin", "-p", "no:cacheprovider", "-q", "-rs"]
        + ["test_sample.py", "--report-dir", "out"],
        cwd=tmp_path,
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    tests = _by_node(_results(tmp_path / "out"))
    first = tests["test_sample.py::test_first"]
    assert first["verdict"] == "fail"
    assert first["requirements"] == ["CP-LIST-GET", COLLECTION_ARRAY]
    assert (
        first["message"]
        .removeprefix("Failed: ")
        .startswith(f"[{COLLECTION_ARRAY}] setup step failed: the listing is a JSON object")
    )
    reason = (
        f"blocked: needs {COLLECTION_ARRAY}, which failed in test_sample.py::test_first (the listing is a JSON object)"
    )
    for name in ("test_second", "test_third"):
        test = tests[f"test_sample.py::{name}"]
        assert (test["verdict"], test["message"]) == ("blocked", reason)
        assert COLLECTION_ARRAY not in test["requirements"]
    precondition = tests["test_sample.py::test_precondition"]
    assert (precondition["verdict"], precondition["message"]) == (
        "blocked",
        "blocked: no operator credentials (pass --operator NAME:SECRET)",
    )
    requirements = _results(tmp_path / "out")["requirements"]
    assert requirements[COLLECTION_ARRAY]["verdict"] == "fail"
    assert requirements[COLLECTION_ARRAY]["tests"] == ["test_sample.py::test_first"]


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def collection_as_object(tmp_path: Path) -> Iterator[str]:
    """An emulator with the catalogue fault whose collection GET answers ``data`` keyed by id."""
    config = EmulatorConfig(
        state_dir=tmp_path / "state",
        users=[User("root", ADMIN_PASSWORD, "admin")],
        faults=FaultSet.of(["collection-as-object"]),
    )
    with EmbeddedEmulator(config) as emulator:
        yield emulator.http_url


def test_a_collection_answered_as_an_object_fails_the_array_requirement_and_blocks_by_its_name(
    collection_as_object: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(REPO / "suites" / "camera_pairing"), str(REPO / RADAR_AUTH)]
        + ["-c", str(REPO / "paircert" / "plugin" / "suite.ini"), "--rootdir", str(REPO)]
        + ["--confcutdir", str(REPO / "suites"), "--import-mode=importlib", "-p", "no:cacheprovider"]
        + ["-p", "paircert.plugin", "-q", "--target", collection_as_object, "--user", "root"]
        + ["--profile", "gate", "--report-dir", str(tmp_path / "out")],
        cwd=tmp_path,
        env=_child_env(PAIRCERT_PASSWORD=ADMIN_PASSWORD),
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    document = _results(tmp_path / "out")
    tests = document["tests"]
    breached = [t for t in tests if t["verdict"] == "fail" and COLLECTION_ARRAY in t["requirements"]]
    setup_failures = [t for t in breached if "setup step failed" in (t["message"] or "")]
    assert len(setup_failures) == 1, [t["nodeid"] for t in breached]
    (found,) = setup_failures
    assert (
        found["message"]
        .removeprefix("Failed: ")
        .startswith(
            f"[{COLLECTION_ARRAY}] setup step failed: GET of the camerapairings collection answered data that is a "
            "JSON object, not an array"
        )
    )
    by_it = [t for t in tests if t["verdict"] == "blocked" and f"needs {COLLECTION_ARRAY}" in t["message"]]
    assert len(by_it) >= 20, [t["nodeid"] for t in tests if t["verdict"] == "blocked"]
    assert all(f"which failed in {found['nodeid']} (" in t["message"] for t in by_it)
    assert document["requirements"][COLLECTION_ARRAY]["verdict"] == "fail"
    # A role nobody gave is a precondition outside the device: still blocked, by its own reason.
    roles = [t for t in tests if t["verdict"] == "blocked" and "no operator credentials" in t["message"]]
    assert roles and {t["nodeid"].split("::")[0] for t in roles} == {RADAR_AUTH}, [t["nodeid"] for t in roles]
    assert not [t for t in tests if "cannot list camera pairings" in (t["message"] or "")]
    assert ADMIN_PASSWORD not in output
