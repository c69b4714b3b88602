"""Restarting the target: the user's command bounded, a restart that must be seen, the embedded
emulator restarted on its own ports with its state kept, and the options that ask for it."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.plugin import restarting
from paircert.plugin.options import RESTART_COMMAND_ENV, RunConfigError, command_line, read_run_config
from paircert.plugin.restarting import RestartFailed, restart_by_command

PAIRINGS = "/config/rest/camera-pairing/v1beta/camerapairings"
TARGET = "http://192.0.2.10"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(restarting, "POLL_INTERVAL", 0.01)


def _answers(*seen: str | None) -> Iterator[str | None]:
    """What each probe of the device finds (None: it answered), the last one for ever after."""
    yield from seen
    while True:
        yield seen[-1]


def test_the_command_runs_then_the_device_is_seen_down_and_back(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    probes = _answers(None, "connection refused", "connection refused", None)
    restart_by_command(f"touch {marker}", 5, lambda: next(probes), down_wait=5)
    assert marker.exists()
    assert next(probes) is None  # it was asked until it answered again, and no further


def test_a_command_that_fails_is_a_failed_restart_without_its_output() -> None:
    with pytest.raises(RestartFailed, match=r"^the restart command exited with status 3 \(its output is not kept\)$"):
        restart_by_command("echo s3cr3t-login >&2; exit 3", 5, lambda: None)


def test_a_command_past_its_time_is_ended_with_its_whole_process_group(tmp_path: Path) -> None:
    child = tmp_path / "child-alive"
    command = f"(sleep 2; touch {child}) & {sys.executable} -c 'import time; time.sleep(30)'"
    with pytest.raises(RestartFailed, match="did not end within 0 s"):
        restart_by_command(command, 0.3, lambda: None)
    time.sleep(2.5)  # past the moment the background child would have touched its file
    assert not child.exists()


def test_a_device_that_never_stops_answering_was_not_restarted() -> None:
    with pytest.raises(RestartFailed, match="kept answering for 0 s after the restart command: no restart was seen"):
        restart_by_command("true", 5, lambda: None, down_wait=0.05)


def test_a_device_that_does_not_come_back_in_time_says_what_it_last_did() -> None:
    with pytest.raises(RestartFailed, match="did not answer within 0 s .*: connection refused$"):
        restart_by_command("true", 0.05, lambda: "connection refused")


def test_the_embedded_emulator_restarts_on_its_ports_with_its_state(tmp_path: Path) -> None:
    password = secrets.token_urlsafe(12)
    config = EmulatorConfig(state_dir=tmp_path, users=[User("admin", password, "admin")], peer_link="tcp")
    pairing = {
        "address": "192.0.2.10",
        "username": "cam",
        "password": "peer-secret",
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": "before",
    }
    with EmbeddedEmulator(config) as emulator:
        urls = (emulator.http_url, emulator.https_url, emulator.rtsp_url, emulator.rtsps_url)
        with httpx.Client(base_url=emulator.http_url, auth=HttpAuth("admin", password)) as client:
            created = client.post(PAIRINGS, json={"data": pairing}).json()["data"]["id"]
            emulator.restart()
            assert (emulator.http_url, emulator.https_url, emulator.rtsp_url, emulator.rtsps_url) == urls
            assert [item["id"] for item in client.get(PAIRINGS).json()["data"]] == [created]


def test_the_restart_options_are_checked_once_and_the_command_travels_hidden() -> None:
    with pytest.raises(RunConfigError, match="^--restart-command: .*use it with --target$"):
        read_run_config({"paircert_restart_command": "ssh root@cam reboot"}, {})
    with pytest.raises(RunConfigError, match="^--emulator-radar-revision: .*drop --target$"):
        read_run_config(
            {"paircert_target": TARGET, "paircert_emulator_radar_revision": "2026-01"}, {"PAIRCERT_PASSWORD": "x"}
        )
    with pytest.raises(RunConfigError, match="^--restart-timeout: expected a positive"):
        read_run_config({"paircert_restart_timeout": 0.0}, {})
    config = read_run_config(
        {"paircert_target": TARGET}, {"PAIRCERT_PASSWORD": "x", RESTART_COMMAND_ENV: "ssh root@cam reboot"}
    )
    assert config.restart_command == "ssh root@cam reboot" and "reboot" not in repr(config)
    argv, environment = command_line({"paircert_restart_command": "ssh root@cam reboot"})
    assert argv == [] and environment == {RESTART_COMMAND_ENV: "ssh root@cam reboot"}
    assert read_run_config({"paircert_emulator_radar_revision": "2026-01"}, {}).emulator_radar_revision == "2026-01"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_device_restarted_by_the_users_command_must_keep_what_it_acknowledged(tmp_path: Path) -> None:
    """A 'paircert emulator' process stands for the device, with a fault that forgets SETs at a
    restart; the user's command stops it and starts it again on the same ports and state."""
    password = secrets.token_urlsafe(12)
    pid_file = tmp_path / "pid"
    http_port, https_port = _free_port(), _free_port()
    url = f"http://127.0.0.1:{http_port}"
    emulator = shlex.join(
        [sys.executable, "-m", "paircert", "emulator", "--http-port", str(http_port), "--https-port"]
        + [str(https_port), "--state-dir", str(tmp_path / "state"), "--fault", "set-not-persisted"]
    )
    start = f"nohup {emulator} > {tmp_path / 'emulator.log'} 2>&1 & echo $! > {pid_file}"
    (tmp_path / "restart.sh").write_text(f'kill "$(cat {pid_file})"\nsleep 1\n{start}\n', encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment |= {"PYTHONPATH": str(REPO), "PAIRCERT_PASSWORD": password}
    subprocess.run(start, shell=True, env=environment, check=True, timeout=10)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(url + "/config/discover", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        result = subprocess.run(
            [sys.executable, "-m", "paircert", "run", "--target", url, "--profile", "gate", "-k", "cp_persistence"]
            + ["--report-dir", str(tmp_path / "out"), "--restart-timeout", "30"],
            env={**environment, RESTART_COMMAND_ENV: f"sh {tmp_path / 'restart.sh'}"},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=200,
        )
    finally:
        subprocess.run(f'kill "$(cat {pid_file})"', shell=True, timeout=10, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    (run_dir,) = (tmp_path / "out").iterdir()
    verdicts = {
        t["nodeid"].rsplit("::", 1)[1]: t["verdict"]
        for t in json.loads((run_dir / "results.json").read_text())["tests"]
    }
    assert verdicts == {
        "test_a_pairing_and_every_property_set_survive_a_restart": "fail",
        "test_a_removed_pairing_stays_gone_after_a_restart": "pass",
    }
    for artifact in run_dir.iterdir():
        if artifact.is_file():
            assert "restart.sh" not in artifact.read_text(encoding="utf-8", errors="replace"), artifact.name
