"""Persistence: what the device acknowledged is what it holds after a restart.

A camera pairing is configuration: the documents say a later GET answers the value a SET wrote
and name no state a restart resets, so CP-PERSISTS-RESTART is an inferred requirement (the report
says so); a device that answers a value only until its next restart breaks it for every user who
reboots.
These tests restart the device (``--restart-command`` for a device; the embedded emulator
restarts itself, keeping its state) and are blocked without a way to. The password is written
too, but it is write-only: no GET can show whether it survived.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import expect_error, expect_success

CLIENT_ERRORS = range(400, 500)
EMPTY = "camera-pairing/response/empty"
PERSISTS = "CP-PERSISTS-RESTART"
# What each settable property is changed to before the restart.
CHANGES: dict[str, Any] = {
    "address": "198.51.100.7",
    "username": "paircert-persisted",
    "description": "set by paircert before a restart",
    "streamingprotocol": "SRTSP",
    "verifycertificate": True,
}

pytestmark = pytest.mark.changes_state


def _listed(camera: CameraPairingClient) -> list[str]:
    data = expect_success(camera.list(), schema="camera-pairing/response/list")
    return [item["id"] for item in data if isinstance(item, dict)]


def _lost(
    camera: CameraPairingClient,
    pairing_id: str,
    expected: dict[str, Any],
    same_address: Callable[[Any, Any], bool],
    written_by: str,
) -> list[str]:
    """One line per property that no longer reads what ``written_by`` wrote."""
    lost = []
    for name, value in expected.items():
        read = expect_success(camera.get_property(pairing_id, name), schema=f"camera-pairing/response/property/{name}")
        if not (same_address(value, read) if name == "address" else read == value):
            lost.append(f"{PERSISTS}: {name} reads {read!r} after a restart, but {written_by} wrote {value!r}")
    return lost


@pytest.mark.requirement("CP-PERSISTS-RESTART")
def test_a_pairing_and_every_property_set_survive_a_restart(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    restart_device: Callable[[], None],
    same_address: Callable[[Any, Any], bool],
) -> None:
    restart_device()
    assert pairing_id in _listed(empty_camera), (
        f"{PERSISTS}: after a restart the collection no longer lists the pairing {pairing_id} that ADD acknowledged"
    )
    added = {name: valid_pairing[name] for name in CHANGES}
    lost = _lost(empty_camera, pairing_id, added, same_address, "ADD")
    assert not lost, "; ".join(lost)
    for name, value in CHANGES.items():
        expect_success(empty_camera.set_property(pairing_id, name, value), schema=EMPTY)
    expect_success(empty_camera.set_property(pairing_id, "password", "paircert-Persisted-2"), schema=EMPTY)
    restart_device()
    lost = _lost(empty_camera, pairing_id, CHANGES, same_address, "SET")
    assert not lost, "; ".join(lost)


@pytest.mark.requirement("CP-PERSISTS-RESTART")
def test_a_removed_pairing_stays_gone_after_a_restart(
    empty_camera: CameraPairingClient, pairing_id: str, restart_device: Callable[[], None]
) -> None:
    expect_success(empty_camera.remove(pairing_id), schema=EMPTY)
    restart_device()
    listed = _listed(empty_camera)
    assert pairing_id not in listed, f"{PERSISTS}: the removed pairing {pairing_id} is listed again after a restart"
    expect_error(empty_camera.get(pairing_id), statuses=CLIENT_ERRORS)
