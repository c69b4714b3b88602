"""State survives a clean restart and a kill -9 in the middle of acknowledged writes."""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from emulator_process import running_emulator

from paircert.auth import HttpAuth
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator

ROOT = "/config/rest/camera-pairing/v1beta"
LIST = f"{ROOT}/camerapairings"
RADAR = "/axis-cgi/networkradarpairing.cgi"
PASSWORD = secrets.token_urlsafe(12)
PAIRING = {
    "address": "192.0.2.10",  # outside dial_allow: no packet leaves, status settles at Error/108
    "username": "cam",
    "password": "peer-secret",
    "streamingprotocol": "SRTSP",
    "verifycertificate": True,
    "description": "v0",
}


def _config(state_dir: Path) -> EmulatorConfig:
    return EmulatorConfig(state_dir=state_dir, users=[User("admin", PASSWORD, "admin")])


def _radar(client: httpx.Client, method: str, params: dict[str, object] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"apiVersion": "1.0", "method": method}
    if params is not None:
        body["params"] = params
    result: dict[str, object] = client.post(RADAR, json=body).json()
    return result


def test_state_survives_stop_and_start(tmp_path: Path) -> None:
    with EmbeddedEmulator(_config(tmp_path)) as emu:
        with httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD)) as client:
            created = client.post(LIST, json={"data": PAIRING}).json()["data"]
            client.patch(f"{LIST}/{created['id']}/description", json={"data": "changed"})
            _radar(client, "setRadarConnection", {"address": "127.0.0.3", "user": "r", "password": "rp", "tls": True})
            _radar(client, "setActive", {"active": True})
    with EmbeddedEmulator(_config(tmp_path)) as emu:
        with httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD)) as client:
            items = client.get(LIST).json()["data"]
            assert [item["id"] for item in items] == [created["id"]]
            expected = {**created, "description": "changed"}
            assert {k: v for k, v in items[0].items() if k != "status"} == {
                k: v for k, v in expected.items() if k != "status"
            }
            assert items[0]["status"] in ("Connecting", "Error")
            assert _radar(client, "getActive")["data"] == {"active": True}
            connection = _radar(client, "getRadarConnection")["data"]
            assert isinstance(connection, dict)
            assert connection["address"] == "127.0.0.3" and connection["tls"] is True
            assert connection["state"] in ("connect-failed", "ok", "failed")


def test_state_file_is_private(tmp_path: Path) -> None:
    with EmbeddedEmulator(_config(tmp_path)) as emu:
        with httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD)) as client:
            assert client.post(LIST, json={"data": PAIRING}).status_code == 201
    assert (tmp_path / "state.json").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_every_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    acknowledged = -1
    with running_emulator("--state-dir", str(tmp_path), "--user", f"admin:{PASSWORD}:admin", timeout=20) as emulator:
        proc = emulator.process
        try:
            with httpx.Client(base_url=emulator.http_url, auth=HttpAuth("admin", PASSWORD), timeout=5) as client:
                pairing_id = client.post(LIST, json={"data": PAIRING}).json()["data"]["id"]
                killer = threading.Timer(0.4, os.kill, (proc.pid, signal.SIGKILL))
                killer.start()
                deadline = time.monotonic() + 10
                try:
                    for i in range(1, 5000):
                        if time.monotonic() > deadline:
                            break
                        response = client.patch(f"{LIST}/{pairing_id}/description", json={"data": f"v{i}"})
                        assert response.status_code == 200
                        acknowledged = i
                except httpx.TransportError:
                    pass
                finally:
                    killer.join()
        finally:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert acknowledged > 0, "the kill came before any write was acknowledged"
    saved = json.loads((tmp_path / "state.json").read_text())
    stored = int(saved["pairings"][0]["description"].removeprefix("v"))
    assert acknowledged <= stored <= acknowledged + 1
    with EmbeddedEmulator(_config(tmp_path)) as emu:
        with httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD)) as client:
            description = client.get(f"{LIST}/{pairing_id}/description").json()["data"]
    assert description == f"v{stored}"
    assert not list(tmp_path.glob(".state-*.tmp"))
