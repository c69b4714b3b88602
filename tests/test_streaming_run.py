"""The streaming suite end to end (issue 4, "Done when").

``paircert run -k stream`` against the embedded emulator with the suite-hosted peers passes, and
its results carry the transition times of every case and every status, code and radar state seen
on the wire. The same suite, run with ``--target`` against an emulator in this process (which the
project's tests may patch; the suite never knows), hosts its peers on the addresses and ports it
is told: it passes the 2026-01 radar revision's ``tls-certificate-cn`` cases, and it catches an
emulator that reports Paired and ok without ever pulling a frame.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paircert.emulator.config import EmulatorConfig, FaultSet, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.peers.certs import CA_CERT_NAME, load_test_ca

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
ADMIN_PASSWORD = "Streaming-admin-secret-4417"
CAMERA_ADDRESS, RADAR_ADDRESS = "127.0.0.2", "127.0.0.3"
CAMERA_STATUSES = {"Connecting", "Paired", "Error"}
CAMERA_CODES = {106, 107, 108}
RADAR_STATES = {
    "failed",
    "ok",
    "address-failed",
    "connect-failed",
    "authentication-failed",
    "transfer-failed",
    "not-active",
    "not-configured",
}


def paircert_run(
    *args: str, env: dict[str, str] | None = None, cwd: Path, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "paircert", "run", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def results(report_dir: Path) -> dict[str, Any]:
    (path,) = report_dir.glob("*/results.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def streaming_tests(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in document["tests"] if "streaming/test_stream_" in t["nodeid"]]


def seen_on_the_wire(tests: list[dict[str, Any]]) -> tuple[set[str], set[int]]:
    """Every value any poll read (camera statuses and radar states), and every code an item GET gave."""
    values: set[str] = set()
    codes: set[int] = set()
    for test in tests:
        for key, value in test["observations"].items():
            if key.startswith("transitions."):
                values.update(str(step["value"]) for step in value["sequence"])
            if key == "camera.item_get_in_error" and isinstance(value.get("code"), int):
                codes.add(value["code"])
    return values, codes


def test_the_streaming_suite_passes_against_the_embedded_emulator_with_hosted_peers(tmp_path: Path) -> None:
    result = paircert_run("-k", "stream", "--report-dir", str(tmp_path / "reports"), cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    document = results(tmp_path / "reports")
    tests = streaming_tests(document)
    assert len(tests) >= 40, [t["nodeid"] for t in tests]
    verdicts = {t["nodeid"]: t["verdict"] for t in tests}
    bad = {n: v for n, v in verdicts.items() if v not in ("pass", "not-applicable")}
    assert not bad, bad
    only_2026 = {n for n, v in verdicts.items() if v == "not-applicable"}
    assert all("2026_01" in n for n in only_2026), only_2026
    for test in tests:
        if test["verdict"] != "pass":
            continue
        transitions = {k: v for k, v in test["observations"].items() if k.startswith("transitions.")}
        assert transitions, f"{test['nodeid']} recorded no transition times"
        for watch in transitions.values():
            assert watch["reached"] and isinstance(watch["after_s"], float) and watch["sequence"], watch
    values, codes = seen_on_the_wire(tests)
    assert CAMERA_STATUSES <= values, values
    assert RADAR_STATES <= values, values
    assert codes == CAMERA_CODES, codes
    assert ADMIN_PASSWORD not in output


# --- the suite against an emulator in this process, with the peers where it is told ---------------


def free_ports(count: int) -> tuple[int, ...]:
    """Ports free on both peer addresses (the emulator has one set of peer ports for both)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind((CAMERA_ADDRESS, 0))
            port = int(probe.getsockname()[1])
        with socket.socket() as other:
            try:
                other.bind((RADAR_ADDRESS, port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return tuple(ports)


@pytest.fixture
def emulator_for_peers(tmp_path: Path) -> Iterator[Callable[..., list[str]]]:
    """Start an emulator (with the faults a test asks for) that dials peers on free ports and trusts a CA
    kept in a directory; return the ``paircert run`` arguments that host those peers."""
    running: list[EmbeddedEmulator] = []

    def start(**overrides: Any) -> list[str]:
        ca_dir = tmp_path / "peer-ca"
        load_test_ca(ca_dir)  # made once; the run's peers reuse it, so the emulator trusts them
        rtsp, rtsps, http, https = free_ports(4)
        config = EmulatorConfig(
            state_dir=tmp_path / "state",
            users=[User("root", ADMIN_PASSWORD, "admin")],
            peer_rtsp_port=rtsp,
            peer_rtsps_port=rtsps,
            peer_http_port=http,
            peer_https_port=https,
            trust_ca_file=ca_dir / CA_CERT_NAME,
            **overrides,
        )
        instance = EmbeddedEmulator(config)
        instance.start()
        running.append(instance)
        return [
            "--target",
            instance.http_url,
            "--user",
            "root",
            "--peer-address",
            CAMERA_ADDRESS,
            "--radar-peer-address",
            RADAR_ADDRESS,
            "--peer-ports",
            f"{rtsp},{rtsps},{http},{https}",
            "--peer-ca-dir",
            str(ca_dir),
            "--device-trusts-peer-ca",
        ]

    yield start
    for instance in running:
        instance.stop()


def test_a_target_following_the_2026_01_radar_revision_gets_the_certificate_cn_cases(
    emulator_for_peers: Any, tmp_path: Path
) -> None:
    args = emulator_for_peers(radar_revision="2026-01")
    result = paircert_run(
        *args,
        "-k",
        "stream_radar",
        "--report-dir",
        str(tmp_path / "reports"),
        env={"PAIRCERT_PASSWORD": ADMIN_PASSWORD},
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    verdicts = {t["nodeid"]: t["verdict"] for t in streaming_tests(results(tmp_path / "reports"))}
    cn = {n: v for n, v in verdicts.items() if "2026_01" in n}
    assert len(cn) == 3 and set(cn.values()) == {"pass"}, cn
    assert {v for n, v in verdicts.items() if "2025_08" in n} == {"not-applicable"}, verdicts
    assert not {n: v for n, v in verdicts.items() if v not in ("pass", "not-applicable")}, verdicts
    assert ADMIN_PASSWORD not in output


def test_without_a_peer_address_a_real_target_blocks_the_streaming_tests_with_what_to_pass(
    emulator_for_peers: Any, tmp_path: Path
) -> None:
    args = emulator_for_peers()
    target = args[: args.index("--peer-address")]
    result = paircert_run(
        *target,
        "-k",
        "stream_camera_link",
        "--report-dir",
        str(tmp_path / "reports"),
        env={"PAIRCERT_PASSWORD": ADMIN_PASSWORD},
        cwd=tmp_path,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    tests = streaming_tests(results(tmp_path / "reports"))
    assert tests and {t["verdict"] for t in tests} == {"blocked"}, tests
    assert all("--peer-address" in (t["message"] or "") for t in tests)


def test_an_emulator_that_reports_paired_without_pulling_frames_is_caught(
    emulator_for_peers: Any, tmp_path: Path
) -> None:
    """The fault says Paired (and ok) once PLAY is answered and never reads a frame, so it can never
    notice a stream that dropped: the suite's drop cases wait for Error/transfer-failed in vain."""
    args = emulator_for_peers(faults=FaultSet.of(["paired-without-frames"]))
    result = paircert_run(
        *args,
        "-k",
        "dropped",
        "--report-dir",
        str(tmp_path / "reports"),
        env={"PAIRCERT_PASSWORD": ADMIN_PASSWORD},
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-6000:]
    failed = {t["nodeid"] for t in streaming_tests(results(tmp_path / "reports")) if t["verdict"] == "fail"}
    assert any("test_stream_a_dropped_stream_is_error_106" in n for n in failed), failed
    assert any("test_stream_radar_a_dropped_stream_is_transfer_failed" in n for n in failed), failed
    assert "never became Error" in output and "never became transfer-failed" in output, output[-6000:]
    assert ADMIN_PASSWORD not in output
