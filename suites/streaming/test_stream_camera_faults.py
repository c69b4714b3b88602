"""Every documented camera pairing status and error code, provoked through the peer and polled.

Wrong credentials -> Error/107; nothing listening, an unreachable address or a name that never
resolves -> Error/108; a playing stream that drops or stalls -> Error/106, and Paired again once
the peer is honest; a slow first frame shows Connecting on the wire. The status property and the
item GET must tell the same story: the code the item GET gives is the cause this test provoked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient

pytestmark = pytest.mark.changes_state

ErrorCode = Callable[[str], "int | None"]


def _error_with(
    wait_for_status: Any,
    error_code: ErrorCode,
    pairing_id: str,
    code: int,
    label: str,
    timeout: float = 15,
    until: tuple[str, ...] = ("Error", "Paired"),
) -> None:
    """Poll until an outcome (or, for a fault on a Paired link, until Error); then the item GET's code."""
    watch = wait_for_status(pairing_id, until, label=label, timeout=timeout)
    assert watch.value == "Error", f"expected Error with code {code}, the pairing became {watch.value}"
    assert error_code(pairing_id) == code, (
        f"status Error, but the item GET does not give the provoked cause's code {code}"
    )


@pytest.mark.requirement("CP-ERROR-UNAUTHORIZED", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL")
def test_stream_wrong_password_is_error_107(
    peer_camera: Any, pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode
) -> None:
    pairing_id = pair(peer_camera, password="not-the-peers-password")
    _error_with(wait_for_status, error_code, pairing_id, 107, "add->Error107")
    records = peer_camera.records()
    tried = [r for r in (*records.http, *records.rtsp) if getattr(r, "auth_scheme", None)]
    assert tried and not any(r.authenticated for r in tried), "the peer saw no rejected login attempt"


@pytest.mark.requirement("CP-ERROR-UNAUTHORIZED", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL")
def test_stream_rtsp_refusing_the_credentials_is_error_107(
    peer_camera: Any, pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode
) -> None:
    """The peer's web side accepts the account and its RTSP server answers 401: unauthorized streaming."""
    peer_camera.set_faults("rtsp", reject_credentials=True)
    pairing_id = pair(peer_camera)
    _error_with(wait_for_status, error_code, pairing_id, 107, "add->Error107")


@pytest.mark.requirement("CP-ERROR-COULD-NOT-CONNECT", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL")
def test_stream_nothing_listening_is_error_108(
    peer_camera: Any, pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode
) -> None:
    """The peer resets every connection before a byte is exchanged, as a closed port does."""
    peer_camera.set_faults(refuse=True)
    pairing_id = pair(peer_camera)
    _error_with(wait_for_status, error_code, pairing_id, 108, "add->Error108")
    records = peer_camera.records()
    assert any(r.closed_reason == "refused (fault)" for r in (*records.http, *records.rtsp)), (
        "the device never dialled the peer"
    )


@pytest.mark.slow_conformance
@pytest.mark.requirement("CP-ERROR-COULD-NOT-CONNECT", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL")
def test_stream_an_unreachable_address_is_error_108(
    pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode, unreachable_address: str
) -> None:
    """A documentation address (RFC 5737) routes nowhere: a device waits for its connect timeout."""
    pairing_id = pair(None, address=unreachable_address)
    _error_with(wait_for_status, error_code, pairing_id, 108, "add->Error108", timeout=90)


@pytest.mark.requirement("CP-ERROR-COULD-NOT-CONNECT", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL")
def test_stream_a_name_that_never_resolves_is_error_108(
    pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode
) -> None:
    """The camera API has no address-resolution code; 108 ("could not connect") is the one that fits
    (PROTOCOL-NOTES §3, reference link sequence: an unresolvable address is a failed connection)."""
    pairing_id = pair(None)
    _error_with(wait_for_status, error_code, pairing_id, 108, "add->Error108", timeout=30)


@pytest.mark.requirement("CP-ERROR-LOST-CONNECTION", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL", "CP-STATUS-PAIRED")
def test_stream_a_dropped_stream_is_error_106_then_paired_again(
    peer_camera: Any, pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode
) -> None:
    pairing_id = pair(peer_camera)
    wait_for_status(pairing_id, "Paired", label="add->Paired")
    peer_camera.set_faults("rtsp", drop_after_frames=0)  # the playing session is closed at its next frame
    _error_with(wait_for_status, error_code, pairing_id, 106, "drop->Error106", until=("Error",))
    records = peer_camera.records()
    assert any(r.closed_reason == "dropped after frames (fault)" for r in records.rtsp), (
        "the peer never dropped a session"
    )
    peer_camera.clear_faults()
    wait_for_status(pairing_id, "Paired", label="cleared->Paired", timeout=20)


@pytest.mark.slow_conformance
@pytest.mark.requirement("CP-ERROR-LOST-CONNECTION", "CP-STATUS-ERROR", "CP-STATUS-ERROR-DETAIL", "CP-STATUS-PAIRED")
def test_stream_a_stalled_stream_is_error_106_then_paired_again(
    peer_camera: Any, pair: Callable[..., str], wait_for_status: Any, error_code: ErrorCode
) -> None:
    """The session stays open and sends nothing: lost after the frame timeout (3 s in the emulator)."""
    pairing_id = pair(peer_camera)
    wait_for_status(pairing_id, "Paired", label="add->Paired")
    peer_camera.set_faults("rtsp", stall_after_frames=0)
    _error_with(wait_for_status, error_code, pairing_id, 106, "stall->Error106", timeout=30, until=("Error",))
    peer_camera.clear_faults()
    wait_for_status(pairing_id, "Paired", label="cleared->Paired", timeout=20)


@pytest.mark.requirement("CP-STATUS-CONNECTING", "CP-STATUS-PAIRED", "CP-STATUS-ENUM")
def test_stream_a_slow_first_frame_shows_connecting_then_paired(
    peer_camera: Any,
    pair: Callable[..., str],
    wait_for_status: Any,
    observe: Callable[[str, Any], None],
    empty_camera: CameraPairingClient,
) -> None:
    """Every frame is held back 1.5 s, so the device waits for its first frame. Connecting is what a
    device is while it connects; it is recorded when seen, never required (a device may say Paired
    as soon as PLAY succeeds), but nothing outside the documented values may appear."""
    peer_camera.set_faults("rtsp", frame_delay_ms=1500)
    pairing_id = pair(peer_camera)
    watch = wait_for_status(pairing_id, "Paired", label="add->Paired (slow first frame)", timeout=15)
    observe("camera.connecting_seen", watch.seen("Connecting"))
    assert set(watch.values) <= {"NotPaired", "Connecting", "Paired"}, f"statuses before Paired: {watch.sequence()}"
    if watch.seen("Connecting"):
        assert watch.values.index("Connecting") < watch.values.index("Paired")
