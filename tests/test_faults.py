"""The seeded-fault catalogue: valid against the ledger, complete, on the command line, and wired.

The wiring checks are cheap unit-level proofs: one HTTP exchange against an embedded emulator
with the fault shows the deviation, and the same exchange without it shows the reference
behaviour. Whether the conformance suite notices each fault is ``paircert selfcheck``'s job.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.cli import main
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.emulator.faults import (
    LAYERS,
    CatalogueError,
    FaultSet,
    UnknownFault,
    catalogue,
    parse_catalogue,
    unbreakable,
)
from paircert.ledger import load_ledger

ROOT = "/config/rest/camera-pairing/v1beta"
LIST = f"{ROOT}/camerapairings"
RADAR = "/axis-cgi/networkradarpairing.cgi"
PASSWORD = secrets.token_urlsafe(12)
PAIRING = {
    "address": "192.0.2.10",  # outside dial_allow: no packet leaves, the link fails at once (108)
    "username": "cam",
    "password": "peer-secret",
    "streamingprotocol": "RTSP",
    "verifycertificate": False,
    "description": "fault check",
}


def _fault(name: str = "a-fault", breaks: list[str] | None = None, layer: str = "api") -> dict[str, Any]:
    return {"name": name, "breaks": breaks or ["CP-ROOT-GET"], "layer": layer, "summary": "It does a wrong thing."}


# --- the catalogue as data ----------------------------------------------------------------------


def test_the_catalogue_validates_against_the_ledger_with_sixty_faults_or_more() -> None:
    faults = catalogue()
    assert len(faults) >= 60
    assert {fault.layer for fault in faults.values()} == set(LAYERS)
    ledger = load_ledger()
    assert all(set(fault.breaks) <= set(ledger) for fault in faults.values())


def test_every_documented_requirement_is_broken_by_a_fault_or_argued_unbreakable() -> None:
    broken = {requirement for fault in catalogue().values() for requirement in fault.breaks}
    argued = unbreakable()
    documented = [r.id for r in load_ledger().values() if r.level == "documented"]
    assert [r for r in documented if r not in broken and r not in argued] == []
    assert not set(argued) & broken, "a requirement listed unbreakable is broken by a fault"


def test_the_catalogue_covers_timing_peers_and_restart_faults() -> None:
    needs = {fault.needs for fault in catalogue().values()}
    assert {"timing", "peers", "restart"} <= needs
    assert {"stuck-in-connecting", "late-recovery", "no-reconnect"} <= set(catalogue())


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"catalogue_version": 1, "fault": [_fault(breaks=["CP-NO-SUCH-THING"])]}, "does not hold"),
        ({"catalogue_version": 1, "fault": [_fault(), _fault()]}, "duplicate name"),
        ({"catalogue_version": 1, "fault": [_fault(layer="physics")]}, "layer must be one of"),
        ({"catalogue_version": 1, "fault": [_fault(name="Not_Kebab")]}, "lower-case words"),
        ({"catalogue_version": 1, "fault": [{**_fault(), "needs": "luck"}]}, "needs must be one of"),
        ({"catalogue_version": 1, "fault": [_fault()], "unbreakable": [{"id": "CP-NOPE", "why": "x"}]}, "not a"),
        ({"catalogue_version": 2, "fault": [_fault()]}, "catalogue_version"),
    ],
)
def test_a_broken_catalogue_is_refused_with_the_rule_it_breaks(data: dict[str, Any], complaint: str) -> None:
    with pytest.raises(CatalogueError, match=complaint):
        parse_catalogue(data, load_ledger())


def test_a_fault_set_knows_only_catalogue_faults() -> None:
    faults = FaultSet.of(["no-challenge"])
    assert faults.active("no-challenge") and not faults.active("root-get-refused")
    with pytest.raises(UnknownFault, match="unknown fault no-such-fault"):
        FaultSet.of(["no-challenge", "no-such-fault"])


# --- the command line ---------------------------------------------------------------------------


def test_list_faults_prints_every_name_one_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--list-faults"]) == 0
    assert capsys.readouterr().out.splitlines() == list(catalogue())


def test_an_unknown_fault_is_a_one_line_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--fault", "no-such-fault"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "paircert: error: --fault: unknown fault no-such-fault" in err


def test_an_emulator_fault_with_a_target_is_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PAIRCERT_PASSWORD", PASSWORD)
    code = main(
        ["run", "--target", "http://127.0.0.1:9", "--emulator-fault", "no-challenge", "--report-dir", str(tmp_path)]
    )
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--emulator-fault" in err and "--target" in err


# --- the switches are wired: one exchange with and without the fault -----------------------------


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Any]:
    """Start emulators on demand: ``emulator(*faults, state=DIR)`` answers an authenticated client."""
    running: list[tuple[EmbeddedEmulator, httpx.Client]] = []

    def start(*faults: str, state: Path | None = None) -> httpx.Client:
        config = EmulatorConfig(
            state_dir=state or tmp_path / secrets.token_hex(4),
            users=[User("admin", PASSWORD, "admin"), User("viewer", PASSWORD + "v", "viewer")],
            faults=FaultSet.of(faults),
        )
        emu = EmbeddedEmulator(config)
        emu.start()
        client = httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD), timeout=10)
        running.append((emu, client))
        return client

    yield start
    for emu, client in running:
        client.close()
        emu.stop()


def _radar(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return client.post(RADAR, json={"apiVersion": "1.0", **body})


def _status_settles(client: httpx.Client, pairing_id: str, wanted: set[str]) -> str:
    """Poll (bounded: 50 reads) until the pairing's status leaves Connecting."""
    status = "Connecting"
    for _ in range(50):
        status = client.get(f"{LIST}/{pairing_id}/status").json()["data"]
        if status in wanted:
            break
        time.sleep(0.1)
    return str(status)


def test_api_collection_as_object_answers_an_object_keyed_by_id(emulator: Any) -> None:
    for faults, shape in (((), list), (("collection-as-object",), dict)):
        client = emulator(*faults)
        created = client.post(LIST, json={"data": PAIRING}).json()["data"]
        data = client.get(LIST).json()["data"]
        assert isinstance(data, shape)
        assert created["id"] in (data if shape is dict else [item["id"] for item in data])


def test_api_description_counts_bytes_refuses_128_multibyte_characters(emulator: Any) -> None:
    body = {"data": {**PAIRING, "description": "é" * 128}}
    assert emulator().post(LIST, json=body).status_code == 201
    assert emulator("description-counts-bytes").post(LIST, json=body).status_code == 400


def test_api_radar_context_dropped_leaves_out_the_context(emulator: Any) -> None:
    request = {"method": "getSupportedVersions", "context": "ctx-7"}
    assert _radar(emulator(), request).json()["context"] == "ctx-7"
    assert "context" not in _radar(emulator("radar-context-dropped"), request).json()


def test_api_radar_unknown_method_as_2103_swaps_the_code(emulator: Any) -> None:
    request = {"method": "makeCoffee"}
    assert _radar(emulator(), request).json()["error"]["code"] == 2102
    assert _radar(emulator("radar-unknown-method-as-2103"), request).json()["error"]["code"] == 2103


def test_auth_no_challenge_sends_401_without_www_authenticate(emulator: Any) -> None:
    for faults, challenged in (((), True), (("no-challenge",), False)):
        client = emulator(*faults)
        answer = httpx.get(str(client.base_url) + ROOT, timeout=10)
        assert answer.status_code == 401
        assert ("www-authenticate" in answer.headers) is challenged


def test_auth_radar_forbidden_as_401_answers_a_viewer_401(emulator: Any) -> None:
    for faults, status in (((), 403), (("radar-forbidden-as-401",), 401)):
        client = emulator(*faults)
        viewer = httpx.Client(base_url=client.base_url, auth=HttpAuth("viewer", PASSWORD + "v"), timeout=10)
        with viewer:
            assert _radar(viewer, {"method": "clearConfiguration"}).status_code == status


def test_transport_radar_too_large_as_400_answers_400_instead_of_413(emulator: Any) -> None:
    body = b'{"apiVersion":"1.0","method":"getActive","context":"' + b"x" * 70_000 + b'"}'
    headers = {"content-type": "application/json"}
    assert emulator().post(RADAR, content=body, headers=headers).status_code == 413
    assert emulator("radar-too-large-as-400").post(RADAR, content=body, headers=headers).status_code == 400


def test_transport_camera_content_type_text_labels_answers_text_plain(emulator: Any) -> None:
    assert emulator().get(ROOT).headers["content-type"] == "application/json"
    assert emulator("camera-content-type-text").get(ROOT).headers["content-type"].startswith("text/plain")


def test_persistence_add_not_persisted_loses_the_pairing_on_restart(emulator: Any, tmp_path: Path) -> None:
    for faults, survives in (((), True), (("add-not-persisted",), False)):
        state = tmp_path / f"state-{survives}"
        created = emulator(*faults, state=state).post(LIST, json={"data": PAIRING}).json()["data"]
        listed = [item["id"] for item in emulator(*faults, state=state).get(LIST).json()["data"]]
        assert (created["id"] in listed) is survives


def test_link_error_status_not_paired_reports_notpaired_for_a_failed_link(emulator: Any) -> None:
    for faults, settled in (((), "Error"), (("error-status-not-paired",), "NotPaired")):
        client = emulator(*faults)
        created = client.post(LIST, json={"data": PAIRING}).json()["data"]
        assert _status_settles(client, created["id"], {"Error", "NotPaired"}) == settled


def test_link_radar_failures_as_error_reports_a_state_outside_the_list(emulator: Any) -> None:
    params = {"address": "192.0.2.11", "user": "r", "password": "radar-secret", "tls": False}
    for faults, failed in (((), "connect-failed"), (("radar-failures-as-error",), "error")):
        client = emulator(*faults)
        assert "error" not in _radar(client, {"method": "setRadarConnection", "params": params}).json()
        _radar(client, {"method": "setActive", "params": {"active": True}})
        state = ""
        for _ in range(50):  # bounded: the first outcome comes at once (nothing is dialled)
            state = _radar(client, {"method": "getRadarConnection"}).json()["data"]["state"]
            if state not in ("failed",):
                break
            time.sleep(0.1)
        assert state == failed
