"""The restore's parts on their own: the journal (its schema, its atomic write, no password in it),
the comparison of before and after, the restorer's rules against an in-process emulator (nothing
restored twice, leftovers journalled before removal, a device that stops answering), the signal
handling, and the package's import rule.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paircert import schemas
from paircert.clients import CameraPairingClient, Credentials, DcaClient, RadarClient, Transcript, open_client
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.restore.compare import ABSENT, Difference, compare_cameras, compare_radar
from paircert.restore.device import Device
from paircert.restore.interrupts import hold_interrupts, sigterm_interrupts
from paircert.restore.journal import SCHEMA, Journal, JournalError
from paircert.restore.outcome import RestoreOutcome
from paircert.restore.restorer import Patience, RestorePasswords, restore
from paircert.restore.snapshot import CameraSnapshot, RadarSnapshot, Snapshot, take_snapshot
from paircert.restore.vacate import vacate
from paircert.vapix.passwords import password_values

ADMIN = Credentials("root", "Restore-units-admin-5150")
CAMERA_PASSWORD = "Camera-restore-secret-31"
RADAR_PASSWORD = "Radar-restore-secret-47"
PAIRING: dict[str, Any] = {
    "id": "CameraPairing-1700000000-1",
    "address": "192.0.2.10",
    "username": "doorcam",
    "status": "Error",
    "streamingprotocol": "RTSP",
    "verifycertificate": False,
    "productmodel": "",
    "productname": "",
    "description": "front door",
}
CONNECTION: dict[str, Any] = {
    "address": "192.0.2.11",
    "user": "radar",
    "state": "connect-failed",
    "tls": False,
    "tls-verify": False,
}
SNAPSHOT = Snapshot((CameraSnapshot(dict(PAIRING)),), RadarSnapshot(dict(CONNECTION), True))


def _journal(path: Path, snapshot: Snapshot = SNAPSHOT) -> Journal:
    return Journal.create(
        path,
        target="http://127.0.0.1:8080",
        user="root",
        run_id="20261201T000000Z",
        snapshot=snapshot,
        radar_path="/axis-cgi/networkradarpairing.cgi",
        set_method="PATCH",
    )


# --- the journal ------------------------------------------------------------------------------


def test_a_journal_on_disk_follows_its_schema_after_every_step(tmp_path: Path) -> None:
    journal = _journal(tmp_path / "journal.json")
    for step in ("vacated-camera", "vacated-radar", "restore-started"):
        journal.add(step, pairing=PAIRING["id"] if step == "vacated-camera" else None)
        assert schemas.validate(SCHEMA, json.loads(journal.path.read_text(encoding="utf-8"))) == []
    journal.add("restored-camera", pairing=PAIRING["id"], now="CameraPairing-1700000001-2", note="added again")
    again = Journal.read(journal.path)
    assert again.snapshot == SNAPSHOT
    assert again.restored_id(PAIRING["id"]) == "CameraPairing-1700000001-2"
    assert [s.step for s in again.steps] == ["vacated-camera", "vacated-radar", "restore-started", "restored-camera"]


def test_a_journal_holds_no_password_even_when_the_device_echoed_one(tmp_path: Path) -> None:
    echoed = Snapshot.from_dict(
        {
            "cameras": [{**PAIRING, "password": CAMERA_PASSWORD, "Password": CAMERA_PASSWORD}],
            "radar": {"connection": {**CONNECTION, "password": RADAR_PASSWORD}, "active": True},
        }
    )
    journal = _journal(tmp_path / "journal.json", echoed)
    text = journal.path.read_text(encoding="utf-8")
    assert CAMERA_PASSWORD not in text and RADAR_PASSWORD not in text
    assert password_values(json.loads(text)) == []
    assert schemas.validate(SCHEMA, json.loads(text)) == []


def test_a_password_in_the_target_url_is_not_written(tmp_path: Path) -> None:
    journal = Journal.create(
        tmp_path / "journal.json",
        target=f"http://root:{CAMERA_PASSWORD}@192.0.2.50:8080",
        user="root",
        run_id="20261201T000000Z",
        snapshot=SNAPSHOT,
        radar_path=None,
        set_method="PATCH",
    )
    assert CAMERA_PASSWORD not in journal.path.read_text(encoding="utf-8")
    assert Journal.read(journal.path).target == "http://192.0.2.50:8080"


def test_reading_refuses_a_journal_with_a_password_member(tmp_path: Path) -> None:
    journal = _journal(tmp_path / "journal.json")
    document = json.loads(journal.path.read_text(encoding="utf-8"))
    document["snapshot"]["cameras"][0]["password"] = "<redacted>"
    journal.path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(JournalError, match="not a paircert restore journal"):
        Journal.read(journal.path)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [(None, "no such file"), ("{", "not JSON"), ('{"format": "paircert-results/1"}', "not a paircert restore journal")],
)
def test_reading_something_that_is_no_journal_is_one_line(tmp_path: Path, content: str | None, complaint: str) -> None:
    path = tmp_path / "journal.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(JournalError, match=complaint) as caught:
        Journal.read(path)
    assert "\n" not in str(caught.value)


def test_a_write_that_fails_leaves_the_last_complete_journal_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = _journal(tmp_path / "journal.json")
    before = journal.path.read_text(encoding="utf-8")

    def crash(_src: object, _dst: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk gone"):
        journal.add("vacated-radar")
    assert journal.path.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.json"]


# --- the comparison ---------------------------------------------------------------------------


def test_a_new_pairing_id_is_an_expected_difference_and_derived_ones_are_apart() -> None:
    after = CameraSnapshot({**PAIRING, "id": "CameraPairing-1700000009-9", "status": "Connecting"})
    found = compare_cameras(SNAPSHOT.cameras, (after,), {PAIRING["id"]: after.id})
    assert {(d.name, d.kind) for d in found} == {("id", "identity"), ("status", "derived")}
    outcome = RestoreOutcome(Path("j.json"), differences=found)
    assert outcome.verified
    assert outcome.to_dict()["id_changes"] == [{"before": PAIRING["id"], "after": after.id}]
    assert outcome.to_dict()["derived_differences"][0]["line"] == (
        f'camera pairing {PAIRING["id"]}: status was "Error", is "Connecting"'
    )


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"description": "back door"}, "description"),
        ({"verifycertificate": 0}, "verifycertificate"),
        ({"address": "192.0.2.12"}, "address"),
    ],
)
def test_a_configured_property_that_differs_fails_the_verification(change: dict[str, Any], name: str) -> None:
    after = CameraSnapshot({**PAIRING, **change})
    found = compare_cameras(SNAPSHOT.cameras, (after,), {})
    assert [(d.name, d.kind) for d in found] == [(name, "configured")]
    outcome = RestoreOutcome(Path("j.json"), differences=found)
    assert not outcome.verified
    assert any(f"differs: camera pairing {PAIRING['id']}: {name} was" in line for line in outcome.lines())


def test_a_pairing_missing_or_extra_afterwards_is_a_configured_difference() -> None:
    stranger = CameraSnapshot({**PAIRING, "id": "CameraPairing-1700000005-5"})
    missing = compare_cameras(SNAPSHOT.cameras, (), {})
    extra = compare_cameras((), (stranger,), {})
    assert [(d.name, d.before, d.after is ABSENT) for d in missing] == [("pairing", PAIRING["id"], True)]
    assert [(d.name, d.before is ABSENT, d.after) for d in extra] == [("pairing", True, stranger.id)]
    assert all(d.kind == "configured" for d in missing + extra)


def test_the_radar_compares_its_fields_and_its_active_state() -> None:
    inactive = RadarSnapshot({**CONNECTION, "state": "not-active"}, False)
    found = compare_radar(SNAPSHOT.radar, inactive)
    assert {(d.name, d.kind) for d in found} == {("state", "derived"), ("active", "configured")}
    assert compare_radar(SNAPSHOT.radar, None) == [
        Difference("radar configuration", "configuration", "configured", ABSENT, "configured")
    ]
    assert compare_radar(None, None) == []


# --- the restorer against an emulator in this process --------------------------------------------


@pytest.fixture
def device(tmp_path: Path, peer_port: int) -> Iterator[Device]:
    config = EmulatorConfig(
        state_dir=tmp_path / "state",
        users=[User(ADMIN.username, ADMIN.password, "admin")],
        peer_rtsp_port=peer_port,
        peer_rtsps_port=peer_port,
    )
    with EmbeddedEmulator(config) as emulator:
        transcript = Transcript()
        with open_client(emulator.http_url, ADMIN, transcript=transcript) as client:
            camera = CameraPairingClient(DcaClient(client, transcript))
            radar = RadarClient(client, transcript)
            assert camera.add({**_writable(PAIRING), "password": CAMERA_PASSWORD}).ok
            assert radar.set_radar_connection("192.0.2.11", "radar", RADAR_PASSWORD, tls=False, tls_verify=False).ok
            assert radar.set_active(True).ok
            yield Device(camera, radar)


def _writable(properties: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k not in ("id", "status", "productmodel", "productname")}


PASSWORDS = RestorePasswords(CAMERA_PASSWORD, RADAR_PASSWORD)
QUICK = Patience(attempts=2, retry_wait=0.01, settle=10.0, poll=0.05)


def _vacated(device: Device, path: Path) -> tuple[Journal, Snapshot]:
    held = take_snapshot(device.camera, device.radar)
    journal = _journal(path, held)
    vacate(device, journal)
    assert take_snapshot(device.camera, device.radar).empty
    return journal, held


def test_a_restore_puts_everything_back_and_a_second_one_adds_nothing(device: Device, tmp_path: Path) -> None:
    journal, held = _vacated(device, tmp_path / "journal.json")
    first = restore(device, journal, PASSWORDS, QUICK)
    assert first.verified, first.lines()
    assert device.camera is not None
    listed = device.camera.list().data
    second = restore(device, Journal.read(journal.path), RestorePasswords(), QUICK)
    assert second.verified, second.lines()
    assert device.camera.list().data == listed  # the same one pairing, same id: not added again
    now = take_snapshot(device.camera, device.radar)
    assert now.radar == held.radar
    assert _writable(now.cameras[0].properties) == _writable(held.cameras[0].properties)


def test_a_pairing_added_back_before_its_journal_entry_is_adopted_not_added_twice(
    device: Device, tmp_path: Path
) -> None:
    """A crash between the ADD and its journal entry: the next restore finds it configured as the snapshot."""
    journal, held = _vacated(device, tmp_path / "journal.json")
    assert device.camera is not None
    added = device.camera.add({**held.cameras[0].writable(), "password": CAMERA_PASSWORD})
    outcome = restore(device, journal, PASSWORDS, QUICK)
    assert outcome.verified, outcome.lines()
    assert [p["id"] for p in device.camera.list().data] == [added.data["id"]]
    assert any("found added back" in line for line in outcome.restored)


def test_what_the_run_left_behind_is_journalled_then_removed_before_the_restore(device: Device, tmp_path: Path) -> None:
    journal, _held = _vacated(device, tmp_path / "journal.json")
    assert device.camera is not None and device.radar is not None
    leftover = device.camera.add({**_writable(PAIRING), "address": "192.0.2.99", "password": "x-left-1"}).data["id"]
    assert device.radar.set_radar_connection("192.0.2.98", "other", "x-left-2").ok
    outcome = restore(device, journal, PASSWORDS, QUICK)
    assert outcome.verified, outcome.lines()
    steps = [(s.step, s.pairing) for s in Journal.read(journal.path).steps]
    assert ("removed-leftover-camera", leftover) in steps and ("removed-leftover-radar", None) in steps
    assert steps.index(("removed-leftover-camera", leftover)) < [s for s, _ in steps].index("restored-camera")


def test_without_the_restore_password_nothing_is_removed_and_the_restore_does_not_verify(
    device: Device, tmp_path: Path
) -> None:
    journal, _held = _vacated(device, tmp_path / "journal.json")
    outcome = restore(device, journal, RestorePasswords(radar=RADAR_PASSWORD), QUICK)
    assert not outcome.verified
    assert outcome.error is not None and "--restore-password" in outcome.error
    assert Journal.read(journal.path).steps[-1].step == "not-verified"


def test_a_device_that_stops_answering_is_tried_a_bounded_number_of_times(tmp_path: Path) -> None:
    tries: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        tries.append(request.url.path)
        raise httpx.ConnectError("connection refused", request=request)

    transcript = Transcript()
    client = open_client("http://127.0.0.1:9", ADMIN, transcript=transcript, transport=httpx.MockTransport(refuse))
    device = Device(CameraPairingClient(DcaClient(client, transcript)), None)
    journal = _journal(tmp_path / "journal.json", Snapshot(SNAPSHOT.cameras, None))
    slept: list[float] = []
    outcome = restore(device, journal, PASSWORDS, Patience(attempts=3, retry_wait=1.0), sleep=slept.append)
    assert not outcome.verified
    assert outcome.error == f"camera pairing {PAIRING['id']}: the device did not answer in 3 attempts (ConnectError)"
    assert slept == [1.0, 2.0] and len(tries) == 3
    assert Journal.read(journal.path).steps[-1].step == "not-verified"


# --- signals and imports ----------------------------------------------------------------------


def test_interrupts_are_held_while_a_restore_runs_and_the_handlers_come_back() -> None:
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    with hold_interrupts("restoring the device") as held:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
    assert held.received == [signal.SIGINT, signal.SIGTERM]
    assert {signum: signal.getsignal(signum) for signum in before} == before


def test_sigterm_ends_a_run_the_way_ctrl_c_does_until_its_handler_is_put_back() -> None:
    before = signal.getsignal(signal.SIGTERM)
    put_back = sigterm_interrupts()
    try:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        put_back()
    assert signal.getsignal(signal.SIGTERM) == before
