"""Fixtures of the streaming suite: pairings and radar links to the run's peers, made to order.

The peers (``peer_camera``, ``peer_radar``) are hosted by the run: on loopback for the embedded
emulator, on ``--peer-address``/``--radar-peer-address`` for a device. Each test starts from an
honest peer and an empty device, provokes one cause (a certificate kind, a fault, wrong
credentials), polls the link state with a bound, and leaves the device as it found it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_error, expect_success
from paircert.plugin.verdicts import blocked, device_broke, step_success

# Error codes a pairing in status Error carries (Error codes 106/107/108).
STREAMING_ERROR_CODES = (106, 107, 108)
# Reserved for names that never resolve (RFC 6761), so no device dials anything because of it.
UNRESOLVABLE_NAME = "paircert-peer.invalid"
UNTRUSTED_CA_REASON = (
    "the device does not trust the peers' test CA: install it in the device's trust store (paircert peers "
    "--ca-dir DIR --ca-out FILE; AXIS OS: System > Security > CA certificates) and pass --peer-ca-dir DIR "
    "--device-trusts-peer-ca"
)


@pytest.fixture
def require_trusted_ca(peer_ca_trusted: bool) -> Callable[[], None]:
    """``require_trusted_ca()`` blocks a case that can only pass when the device trusts the test CA."""

    def require() -> None:
        if not peer_ca_trusted:
            blocked(UNTRUSTED_CA_REASON)

    return require


@pytest.fixture
def pair(add_fields: Callable[[dict[str, Any]], str], camera_api: Any) -> Callable[..., str]:
    """``pair(peer, **overrides)``: ADD a pairing to ``peer`` (RTSP, its account) and return its id."""

    def add(peer: Any | None = None, **overrides: Any) -> str:
        fields: dict[str, Any] = {
            "address": peer.address if peer is not None else UNRESOLVABLE_NAME,
            "username": peer.username if peer is not None else "paircert",
            "password": peer.password if peer is not None else "paircert-Peer-1",
            "streamingprotocol": "RTSP",
            "verifycertificate": False,
            "description": "paircert streaming case",
        }
        fields.update(overrides)
        return add_fields(fields)

    return add


@pytest.fixture
def playing_pairing(
    request: pytest.FixtureRequest, peer_camera: Any, pair: Callable[..., str], wait_for_status: Any
) -> str:
    """The id of a pairing to the honest peer camera that has reached Paired (its stream plays).

    An honest peer that never gets the pairing to Paired is the device breaking CP-STATUS-PAIRED:
    the first test fails for it, the later ones are blocked by it.
    """
    pairing_id = pair(peer_camera)
    watch = wait_for_status(pairing_id, "Paired", label="add->Paired", required=False)
    if not watch.reached:
        device_broke(
            request,
            "CP-STATUS-PAIRED",
            f"a pairing to the honest peer camera did not reach Paired within {watch.timeout:g} s "
            f"(last status {watch.value!r})",
            expected="Paired once the peer's stream plays",
        )
    return pairing_id


@pytest.fixture
def error_code(empty_camera: CameraPairingClient, observe: Callable[[str, Any], None]) -> Callable[[str], int | None]:
    """``error_code(id)``: the code GET of the pairing gives while its status is Error.

    PROTOCOL-NOTES §1: the item GET answers the error envelope (HTTP status undocumented) or a
    success envelope that carries the code; either way the code must be one of 106/107/108.
    """

    def read(pairing_id: str) -> int | None:
        resp = empty_camera.get(pairing_id)
        if resp.ok:
            data = expect_success(resp, schema="camera-pairing/response/entity")
            code = _carried_code(resp.json) or _carried_code(data)
            observe("camera.item_get_in_error", {"http_status": resp.status_code, "envelope": "success", "code": code})
            return code
        expect_error(resp, code=STREAMING_ERROR_CODES, statuses=(200, *range(400, 600)))
        observe(
            "camera.item_get_in_error", {"http_status": resp.status_code, "envelope": "error", "code": resp.error_code}
        )
        return resp.error_code

    return read


def _carried_code(document: Any) -> int | None:
    error = document.get("error") if isinstance(document, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, int) else None


@pytest.fixture
def link_radar(request: pytest.FixtureRequest, empty_radar: RadarClient, radar_revision: str) -> Callable[..., None]:
    """``link_radar(peer, **overrides)``: setRadarConnection to ``peer`` (no TLS) and setActive(true).

    Callers pass valid params, so a refusal breaks RP-SET-CONNECTION (or RP-SET-ACTIVE): the first
    test fails for it, the later ones are blocked by it.
    """

    def link(peer: Any | None = None, *, activate: bool = True, **overrides: Any) -> None:
        params: dict[str, Any] = {
            "address": peer.address if peer is not None else UNRESOLVABLE_NAME,
            "user": peer.username if peer is not None else "paircert",
            "password": peer.password if peer is not None else "paircert-Radar-1",
        }
        if radar_revision == "2026-01":
            params["tls-certificate-cn"] = ""
        else:
            params["tls"], params["tls-verify"] = False, False
        params.update(overrides)
        resp = empty_radar.call("setRadarConnection", params)
        step_success(request, "RP-SET-CONNECTION", resp, step="setRadarConnection with valid params")
        if activate:
            resp = empty_radar.set_active(True)
            step_success(request, "RP-SET-ACTIVE", resp, step="setActive(true) on a configured device")

    return link
