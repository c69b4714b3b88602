"""The standing guard against the suite encoding the reference emulator's habits (issue 8).

``paircert emulator --choices alternate`` makes a different, equally allowed choice wherever the
documents are silent. The whole suite (gate profile), run with ``--target`` at it and with the
peers hosted by the suite on 127.0.0.2/127.0.0.3, must give no failure: a test that fails the
alternate emulator fails a device on something the documents do not say. A blocked or
not-applicable verdict must name a reason that is not one of the alternate choices.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from emulator_process import running_emulator
from test_streaming_run import CAMERA_ADDRESS, RADAR_ADDRESS, free_ports, paircert_run, results

from paircert.emulator.choices import ALTERNATE, REFERENCE
from paircert.peers.certs import CA_CERT_NAME, load_test_ca

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "Alternate-admin-secret-7731"
OPERATOR = ("alt-operator", "Alternate-operator-secret-2")
VIEWER = ("alt-viewer", "Alternate-viewer-secret-3")
READY_TIMEOUT = 30.0
# Reasons that may legitimately keep a case from running against a loopback emulator: the 2026-01
# radar revision (the emulator follows 2025-08) and nothing else.
ALLOWED_SKIP_REASONS = ("2026-01", "2025-08")
# What the suite records when it meets an alternate choice: proof the run exercised them.
MET_ALTERNATES: dict[str, Any] = {
    "camera.add": {"has_data": False, "http_status": 201},
    "camera.item_get_in_error": {"code": 107, "envelope": "success", "http_status": 200},
    "camera.second_add.http_status": 400,
    "camera.add_self.http_status": 422,
    "camera.viewer.list": {"allowed": True, "http_status": 200},
    "camera.address_normalised": {"read": "2001:db8::45", "sent": "2001:db8:0:0:0:0:0:45"},
    "discover.form": "bare document",
    "apidiscovery.radar": {"docLink": "", "name": "Network Radar Pairing", "status": "official", "version": "1.0"},
    "radar.path": "/networkradarpairing.cgi",
    "radar.401_body": "text/html; charset=utf-8",
    "radar.clear_without_configuration": 2201,
    "radar.set_inactive_without_configuration": "success",
    "radar.viewer.getActive": "allowed",
    "radar.operator.setRadarConnection": "allowed",
    "radar.getSupportedVersions.unsupported_api_version": {"answer": "success", "apiVersion": "1.0"},
    "radar.unsupported_major.apiVersion": "1.0",
    "radar.oversized_body": 200,
    "radar.chunked_body": 200,
    "radar.failed_seen_before_outcome": False,
}


@pytest.fixture
def alternate_emulator(tmp_path: Path) -> Iterator[tuple[str, Path, tuple[int, ...], str]]:
    """``paircert emulator --choices alternate`` in its own process; (http URL, peer CA dir, peer
    ports, the command that restarts it for the persistence tests)."""
    ca_dir = tmp_path / "peer-ca"
    load_test_ca(ca_dir)
    ports = free_ports(4)
    arguments = [
        "--choices",
        "alternate",
        "--state-dir",
        str(tmp_path / "state"),
        "--user",
        f"root:{ADMIN_PASSWORD}:admin",
        "--user",
        f"{OPERATOR[0]}:{OPERATOR[1]}:operator",
        "--user",
        f"{VIEWER[0]}:{VIEWER[1]}:viewer",
        "--trust-ca-file",
        str(ca_dir / CA_CERT_NAME),
        *("--peer-rtsp-port", str(ports[0]), "--peer-rtsps-port", str(ports[1])),
        *("--peer-http-port", str(ports[2]), "--peer-https-port", str(ports[3])),
    ]
    with running_emulator(*arguments, cwd=tmp_path, timeout=READY_TIMEOUT, restartable=True) as emulator:
        assert emulator.restart_command is not None
        yield emulator.http_url, ca_dir, ports, emulator.restart_command


def test_every_reference_choice_has_a_different_alternate() -> None:
    same = [name for name in REFERENCE.__dataclass_fields__ if getattr(REFERENCE, name) == getattr(ALTERNATE, name)]
    assert not same, f"choices without an alternate: {same}"


def test_the_gate_suite_gives_no_failure_against_the_alternate_emulator(
    alternate_emulator: tuple[str, Path, tuple[int, ...], str], tmp_path: Path
) -> None:
    url, ca_dir, ports, restart_command = alternate_emulator
    result = paircert_run(
        "--target",
        url,
        "--user",
        "root",
        "--operator",
        ":".join(OPERATOR),
        "--viewer",
        ":".join(VIEWER),
        "--profile",
        "gate",
        "--peer-address",
        CAMERA_ADDRESS,
        "--radar-peer-address",
        RADAR_ADDRESS,
        "--peer-ports",
        ",".join(map(str, ports)),
        "--peer-ca-dir",
        str(ca_dir),
        "--device-trusts-peer-ca",
        "--restart-command",
        restart_command,
        "--report-dir",
        str(tmp_path / "reports"),
        env={"PAIRCERT_PASSWORD": ADMIN_PASSWORD},
        cwd=tmp_path,
        timeout=300,
    )
    output = result.stdout + result.stderr
    tests: list[dict[str, Any]] = results(tmp_path / "reports")["tests"]
    failed = {t["nodeid"]: (t.get("message") or "")[:600] for t in tests if t["verdict"] == "fail"}
    assert not failed, "\n\n".join(f"{n}\n{m}" for n, m in failed.items())
    assert result.returncode == 0, output[-6000:]
    skipped = {t["nodeid"]: t.get("message") or "" for t in tests if t["verdict"] in ("blocked", "not-applicable")}
    unexplained = {n: m for n, m in skipped.items() if not any(reason in m for reason in ALLOWED_SKIP_REASONS)}
    assert not unexplained, unexplained
    assert len(tests) > 200, len(tests)
    seen: dict[str, Any] = {}
    for test in tests:
        for key, value in test["observations"].items():
            seen.setdefault(key, value)
    met = {key: seen.get(key) for key in MET_ALTERNATES}
    assert met == MET_ALTERNATES, "the suite did not meet these alternates: " + repr(
        {k: v for k, v in met.items() if v != MET_ALTERNATES[k]}
    )
    assert ADMIN_PASSWORD not in output
