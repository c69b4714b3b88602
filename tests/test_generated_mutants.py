"""The generated suites catch deliberately broken emulators (issue 3, "Done when").

Each mutant is a fault of the emulator's catalogue (``paircert.emulator.faults``), switched on in
the emulator's configuration: an embedded emulator runs here in a thread, and the generated suites
run in a subprocess against its URL with ``--target``, exactly as against a device. Each run must
FAIL in the expected test; a control run against the emulator without faults passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paircert.emulator.config import EmulatorConfig, FaultSet, User
from paircert.emulator.embedded import EmbeddedEmulator

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SUITES = REPO / "suites"
ADMIN_PASSWORD = "Mutant-admin-secret-7731"
CAMERA_MACHINE = "generated/test_gen_camera_machine.py"
CAMERA_FIELDS = "generated/test_gen_camera_fields.py"
RADAR_MACHINE = "generated/test_gen_radar_machine.py"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start an emulator with the named faults and return its URL."""
    running: list[EmbeddedEmulator] = []

    def start(*faults: str) -> str:
        config = EmulatorConfig(
            state_dir=tmp_path / "state",
            users=[User("root", ADMIN_PASSWORD, "admin")],
            faults=FaultSet.of(faults),
        )
        instance = EmbeddedEmulator(config)
        instance.start()
        running.append(instance)
        return instance.http_url

    yield start
    for instance in running:
        instance.stop()


def run_suites(url: str, tmp_path: Path, *files: str, profile: str = "gate") -> subprocess.CompletedProcess[str]:
    ini = REPO / "paircert" / "plugin" / "suite.ini"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env.update(PYTHONPATH=str(REPO), PAIRCERT_PASSWORD=ADMIN_PASSWORD, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    argv = [
        sys.executable,
        "-m",
        "pytest",
        *(str(SUITES / f) for f in files),
        "-c",
        str(ini),
        "--rootdir",
        str(REPO),
        "--confcutdir",
        str(SUITES),
        "--import-mode=importlib",
        "-p",
        "no:cacheprovider",
        "-p",
        "paircert.plugin",
        "-p",
        "pytest_timeout",
        "-q",
        "-x",
        "--target",
        url,
        "--user",
        "root",
        "--profile",
        profile,
        "--timeout",
        "150",
    ]
    return subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def assert_caught(result: subprocess.CompletedProcess[str], test_name: str, finding: str) -> None:
    """The run failed, in ``test_name``, with a message containing ``finding``, a shrunk sequence
    or example, a curl reproduction, and no password."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-4000:]
    assert any(line.startswith("FAILED") and test_name in line for line in output.splitlines()), output[-4000:]
    assert finding in output, output[-4000:]
    assert "Failing test case" in output and "curl -sS -i -X" in output, output[-4000:]
    assert ADMIN_PASSWORD not in output


def test_control_emulator_without_faults_passes_the_generated_suites(emulator: Any, tmp_path: Path) -> None:
    result = run_suites(emulator(), tmp_path, CAMERA_MACHINE, CAMERA_FIELDS, RADAR_MACHINE)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def test_second_add_accepted_after_delete_add_delete_add_is_caught(emulator: Any, tmp_path: Path) -> None:
    """The device keeps a counter instead of counting pairings; the second REMOVE decrements it twice."""
    result = run_suites(emulator("pairing-limit-drifts"), tmp_path, CAMERA_MACHINE)
    assert_caught(result, CAMERA_MACHINE, "] [CP-ONE-PAIRING]")


def test_multibyte_description_of_64_characters_rejected_is_caught(emulator: Any, tmp_path: Path) -> None:
    """The device counts the description's UTF-8 bytes against the limit of 128 characters."""
    result = run_suites(emulator("description-counts-bytes"), tmp_path, CAMERA_FIELDS)
    assert_caught(result, CAMERA_FIELDS, "was rejected")


def test_patch_acknowledged_but_not_stored_is_caught(emulator: Any, tmp_path: Path) -> None:
    """SET answers success and changes nothing."""
    result = run_suites(emulator("set-not-stored"), tmp_path, CAMERA_MACHINE)
    assert_caught(result, CAMERA_MACHINE, "is not visible in the next GET")


def test_clear_allowed_once_after_deactivate_then_activate_is_caught(emulator: Any, tmp_path: Path) -> None:
    """After setActive(false) then setActive(true) on a configuration, one clearConfiguration while
    active succeeds (and clears everything, so the device can still be restored)."""
    # A four-step activation history: the gate budget (25 runs) finds it for some seeds only, the
    # full profile's budget for every seed tried; the law is the same, so the test asks for full.
    result = run_suites(emulator("radar-clear-after-reactivation"), tmp_path, RADAR_MACHINE, profile="full")
    assert_caught(result, RADAR_MACHINE, "] [RP-CLEAR-WHILE-ACTIVE]")
