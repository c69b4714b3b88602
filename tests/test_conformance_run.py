"""The main job end to end: the same suite gives the same verdicts in-process and against a URL.

This is the check that the suite depends on nothing but the wire: one run starts the embedded
emulator itself, the other points ``--target`` at ``paircert emulator`` started as a separate
process, as a QA engineer would point it at a device. Both use the gate profile: every functional
test runs, generated suites with their small budgets, so the comparison stays within minutes.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_process import EmulatorProcess, running_emulator

REPO = Path(__file__).resolve().parents[1]
ADMIN, OPERATOR, VIEWER = "Adm-7f3b-secret", "Op-91ce-secret", "View-22aa-secret"


def _environment(**extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **extra)
    return environment


def _run(*args: str, cwd: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", "--report-dir", "out", "--profile", "gate", *args],
        cwd=cwd,
        env=_environment(**env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    (run_dir,) = (cwd / "out").iterdir()
    return result, run_dir


def _verdicts(run_dir: Path) -> dict[str, str]:
    results = json.loads((run_dir / "results.json").read_text())
    return {test["nodeid"]: test["verdict"] for test in results["tests"]}


def _ports_free_on_both_peer_addresses(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.2", 0))
            port = int(probe.getsockname()[1])
        with socket.socket() as other:
            try:
                other.bind(("127.0.0.3", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="module")
def peer_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[str]]:
    """The streaming suite's peers for the targeted run: the emulator is told their ports and trusts
    their CA (kept in a directory, as for a real device); the run hosts them on 127.0.0.2/3."""
    from paircert.peers.certs import CA_CERT_NAME, load_test_ca

    ca_dir = tmp_path_factory.mktemp("peer-ca")
    load_test_ca(ca_dir)
    rtsp, rtsps, http, https = _ports_free_on_both_peer_addresses(4)
    emulator_args = [
        "--peer-rtsp-port",
        str(rtsp),
        "--peer-rtsps-port",
        str(rtsps),
        "--peer-http-port",
        str(http),
        "--peer-https-port",
        str(https),
        "--trust-ca-file",
        str(ca_dir / CA_CERT_NAME),
    ]
    run_args = [
        "--peer-address",
        "127.0.0.2",
        "--radar-peer-address",
        "127.0.0.3",
        "--peer-ports",
        f"{rtsp},{rtsps},{http},{https}",
        "--peer-ca-dir",
        str(ca_dir),
        "--device-trusts-peer-ca",
    ]
    return emulator_args, run_args


@pytest.fixture(scope="module")
def separate_emulator(
    tmp_path_factory: pytest.TempPathFactory, peer_setup: tuple[list[str], list[str]]
) -> Iterator[EmulatorProcess]:
    """The emulator as a device in a lab: its own process, which the run may restart (persistence)."""
    state = tmp_path_factory.mktemp("separate-state")
    users = ("--user", f"root:{ADMIN}:admin", "--user", f"op:{OPERATOR}:operator", "--user", f"view:{VIEWER}:viewer")
    with running_emulator("--state-dir", str(state), *users, *peer_setup[0], restartable=True) as emulator:
        yield emulator


pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def both_runs(
    tmp_path_factory: pytest.TempPathFactory,
    separate_emulator: EmulatorProcess,
    peer_setup: tuple[list[str], list[str]],
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    embedded = _run(cwd=tmp_path_factory.mktemp("embedded"))
    assert separate_emulator.restart_command is not None
    targeted = _run(
        "--target",
        separate_emulator.http_url,
        "--restart-command",
        separate_emulator.restart_command,
        "--user",
        "root",
        "--operator",
        f"op:{OPERATOR}",
        "--viewer",
        f"view:{VIEWER}",
        *peer_setup[1],
        cwd=tmp_path_factory.mktemp("targeted"),
        PAIRCERT_PASSWORD=ADMIN,
    )
    return {"embedded": embedded, "targeted": targeted}


def test_the_main_job_passes_against_the_embedded_emulator(
    both_runs: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, run_dir = both_runs["embedded"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    verdicts = _verdicts(run_dir)
    assert len(verdicts) > 200
    assert "fail" not in verdicts.values()
    for artifact in ("report.html", "junit.xml", "results.json"):
        assert (run_dir / artifact).stat().st_size > 0


def test_a_separately_started_emulator_gets_the_same_verdicts(
    both_runs: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, run_dir = both_runs["targeted"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    embedded, targeted = _verdicts(both_runs["embedded"][1]), _verdicts(run_dir)
    assert targeted.keys() == embedded.keys()
    differing = {node: (embedded[node], targeted[node]) for node in embedded if embedded[node] != targeted[node]}
    assert differing == {}


def test_no_artifact_or_console_output_carries_a_password(
    both_runs: dict[str, tuple[subprocess.CompletedProcess[str], Path]],
) -> None:
    result, run_dir = both_runs["targeted"]
    files = [path for path in run_dir.rglob("*") if path.is_file()]
    texts = [result.stdout, result.stderr] + [path.read_text(errors="replace") for path in files]
    for secret in (ADMIN, OPERATOR, VIEWER):
        assert not any(secret in text for text in texts), "a password reached an artifact"
