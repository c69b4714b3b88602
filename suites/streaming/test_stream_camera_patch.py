"""A SET of a property the link depends on makes the device connect again, and the new link's
outcome is the status: address, username, password, streamingprotocol, verifycertificate.

Between the SET and the outcome a device may show Connecting (recorded when seen) or go straight
to the outcome; only the final state is required.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import expect_success

pytestmark = pytest.mark.changes_state

ErrorCode = Callable[[str], "int | None"]


def _set(camera: CameraPairingClient, pairing_id: str, name: str, value: Any) -> None:
    expect_success(camera.set_property(pairing_id, name, value), schema="camera-pairing/response/empty")


def _plays(records: Any, tls: bool) -> int:
    return sum("PLAY" in r.methods for r in (records.rtsps if tls else records.rtsp))


@pytest.mark.requirement("CP-SET-ADDRESS", "CP-STATUS-PAIRED", "CP-ERROR-COULD-NOT-CONNECT")
def test_stream_patch_address_from_nowhere_to_the_peer_pairs(
    peer_camera: Any,
    pair: Callable[..., str],
    empty_camera: CameraPairingClient,
    wait_for_status: Any,
    error_code: ErrorCode,
) -> None:
    pairing_id = pair(None, username=peer_camera.username, password=peer_camera.password)
    wait_for_status(pairing_id, ("Error",), label="add->Error108")
    assert error_code(pairing_id) == 108
    _set(empty_camera, pairing_id, "address", peer_camera.address)
    wait_for_status(pairing_id, "Paired", label="patch address->Paired")
    assert _plays(peer_camera.records(), tls=False), "Paired without a session at the new address"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("password", marks=pytest.mark.requirement("CP-SET-PASSWORD")),
        pytest.param("username", marks=pytest.mark.requirement("CP-SET-USERNAME")),
    ],
)
@pytest.mark.requirement("CP-ERROR-UNAUTHORIZED", "CP-STATUS-PAIRED")
def test_stream_patch_credentials_from_wrong_to_right_pairs(
    name: str,
    peer_camera: Any,
    pair: Callable[..., str],
    empty_camera: CameraPairingClient,
    wait_for_status: Any,
    error_code: ErrorCode,
) -> None:
    pairing_id = pair(peer_camera, **{name: "wrong-" + name})
    wait_for_status(pairing_id, ("Error", "Paired"), label="add->Error107")
    assert error_code(pairing_id) == 107
    _set(empty_camera, pairing_id, name, getattr(peer_camera, name))
    wait_for_status(pairing_id, "Paired", label=f"patch {name}->Paired")


@pytest.mark.requirement("CP-SET-STREAMINGPROTOCOL", "CP-STATUS-PAIRED", "CP-VERIFYCERT-SRTSP")
def test_stream_patch_protocol_moves_the_stream_to_rtsps_and_back(
    peer_camera: Any,
    pair: Callable[..., str],
    empty_camera: CameraPairingClient,
    wait_for_status: Any,
) -> None:
    pairing_id = pair(peer_camera)
    wait_for_status(pairing_id, "Paired", label="add RTSP->Paired")
    assert _plays(peer_camera.records(), tls=False)
    peer_camera.clear_records()
    _set(empty_camera, pairing_id, "streamingprotocol", "SRTSP")
    wait_for_status(pairing_id, "Paired", label="patch SRTSP->Paired")
    records = peer_camera.records()
    assert _plays(records, tls=True), "Paired over SRTSP without an RTSPS session on the peer"
    assert not _plays(records, tls=False), "after the switch to SRTSP the device played over plain RTSP"
    peer_camera.clear_records()
    _set(empty_camera, pairing_id, "streamingprotocol", "RTSP")
    wait_for_status(pairing_id, "Paired", label="patch RTSP->Paired")
    assert _plays(peer_camera.records(), tls=False), "Paired over RTSP without an RTSP session on the peer"


@pytest.mark.requirement(
    "CP-SET-VERIFYCERTIFICATE", "CP-VERIFYCERT-SRTSP", "CP-ERROR-COULD-NOT-CONNECT", "CP-STATUS-ERROR"
)
def test_stream_patch_verifycertificate_on_refuses_an_untrusted_peer(
    peer_camera: Any,
    pair: Callable[..., str],
    empty_camera: CameraPairingClient,
    wait_for_status: Any,
    error_code: ErrorCode,
) -> None:
    peer_camera.set_certificate("untrusted")
    pairing_id = pair(peer_camera, streamingprotocol="SRTSP", verifycertificate=False)
    wait_for_status(pairing_id, "Paired", label="add verify off->Paired")
    _set(empty_camera, pairing_id, "verifycertificate", True)
    # The SET restarts the link; the old session's Paired may stand until the new outcome.
    watch = wait_for_status(pairing_id, ("Error",), label="patch verify on->Error108")
    assert watch.value == "Error"
    assert error_code(pairing_id) == 108
