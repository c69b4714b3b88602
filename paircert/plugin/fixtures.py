"""Fixtures the suites use (names fixed by the contract between the parts)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.discovery import DeviceInfoClient, DiscoveryClient
from paircert.clients.radar import RADAR_PATHS, RadarClient
from paircert.clients.transcript import Transcript, redact_json
from paircert.plugin.session import ANONYMOUS, STATE_KEY, WRONG_PASSWORD, SessionState
from paircert.plugin.target import PreflightError, TargetConfig
from paircert.plugin.verdicts import blocked, not_applicable
from paircert.report.records import OBSERVED_PREFIX

__all__ = [
    "camera",
    "camera_api",
    "camera_as",
    "dca",
    "deviceinfo",
    "discovery",
    "empty_camera",
    "empty_radar",
    "http_admin",
    "http_anonymous",
    "http_operator",
    "http_viewer",
    "http_wrong_password",
    "observe",
    "paircert_state",
    "radar",
    "radar_as",
    "radar_path",
    "self_address",
    "target",
    "transcript",
    "unreachable_address",
]

CAMERA_PAIRING_API = "camera-pairing"
RADAR_PAIRING_API = "network-radar-pairing"
# TEST-NET-1 (RFC 5737): routable nowhere, so a dial to it can only fail.
UNREACHABLE_ADDRESS = "192.0.2.10"
ROLES = ("admin", "operator", "viewer", ANONYMOUS, WRONG_PASSWORD)


@pytest.fixture(scope="session")
def paircert_state(request: pytest.FixtureRequest) -> SessionState:
    """The run's resources (target, clients, transcript); suites rarely need it directly."""
    return request.config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def target(paircert_state: SessionState) -> TargetConfig:
    try:
        return paircert_state.start()
    except PreflightError as exc:
        pytest.exit(f"paircert: {exc}", returncode=3)


@pytest.fixture
def transcript(paircert_state: SessionState) -> Transcript:
    """The exchanges of this test (cleared before each test; rendered into the report)."""
    return paircert_state.transcript


def _http(paircert_state: SessionState, role: str) -> httpx.Client:
    client = paircert_state.client(role)
    if client is None:
        blocked(f"no {role} credentials (pass --{role} NAME:SECRET)")
    return client


@pytest.fixture
def http_admin(paircert_state: SessionState, target: TargetConfig) -> httpx.Client:
    return _http(paircert_state, "admin")


@pytest.fixture
def http_operator(paircert_state: SessionState, target: TargetConfig) -> httpx.Client:
    return _http(paircert_state, "operator")


@pytest.fixture
def http_viewer(paircert_state: SessionState, target: TargetConfig) -> httpx.Client:
    return _http(paircert_state, "viewer")


@pytest.fixture
def http_anonymous(paircert_state: SessionState, target: TargetConfig) -> httpx.Client:
    return _http(paircert_state, ANONYMOUS)


@pytest.fixture
def http_wrong_password(paircert_state: SessionState, target: TargetConfig) -> httpx.Client:
    return _http(paircert_state, WRONG_PASSWORD)


@pytest.fixture
def dca(http_admin: httpx.Client, transcript: Transcript, target: TargetConfig) -> DcaClient:
    return DcaClient(http_admin, transcript, set_method=target.set_method)


@pytest.fixture
def discovery(http_admin: httpx.Client, transcript: Transcript) -> DiscoveryClient:
    return DiscoveryClient(http_admin, transcript)


@pytest.fixture
def deviceinfo(http_admin: httpx.Client, transcript: Transcript) -> DeviceInfoClient:
    return DeviceInfoClient(http_admin, transcript)


@pytest.fixture(scope="session")
def camera_api(paircert_state: SessionState, target: TargetConfig) -> bool:
    """Checked once: tests of the camera pairing API are not-applicable on a device without it."""
    client = _http(paircert_state, "admin")
    if not DiscoveryClient(client, paircert_state.transcript).offers_dca_api(CAMERA_PAIRING_API):
        not_applicable(f"the device does not list {CAMERA_PAIRING_API} in /config/discover")
    return True


@pytest.fixture
def camera(dca: DcaClient, camera_api: bool) -> CameraPairingClient:
    return CameraPairingClient(dca)


@pytest.fixture
def camera_as(paircert_state: SessionState, transcript: Transcript, target: TargetConfig, camera_api: bool) -> Callable[[str], CameraPairingClient]:
    """``camera_as(role)`` for admin, operator, viewer, anonymous, wrong_password."""

    def make(role: str) -> CameraPairingClient:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        return CameraPairingClient(DcaClient(_http(paircert_state, role), transcript, set_method=target.set_method))

    return make


@pytest.fixture(scope="session")
def radar_path(paircert_state: SessionState, target: TargetConfig) -> str:
    """The radar CGI path the device answers on, probed once per session."""
    client = _http(paircert_state, "admin")
    path = RadarClient(client, paircert_state.transcript).probe()
    if path is None:
        if DiscoveryClient(client, paircert_state.transcript).offers_cgi_api(RADAR_PAIRING_API):
            blocked(f"apidiscovery lists {RADAR_PAIRING_API} but neither {' nor '.join(RADAR_PATHS)} answers like it")
        not_applicable(f"the device does not offer {RADAR_PAIRING_API} (no answer at {' or '.join(RADAR_PATHS)})")
    paircert_state.radar_path = path
    return path


@pytest.fixture
def radar(http_admin: httpx.Client, transcript: Transcript, radar_path: str) -> RadarClient:
    return RadarClient(http_admin, transcript, radar_path)


@pytest.fixture
def radar_as(paircert_state: SessionState, transcript: Transcript, radar_path: str) -> Callable[[str], RadarClient]:
    """``radar_as(role)`` for admin, operator, viewer, anonymous, wrong_password."""

    def make(role: str) -> RadarClient:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        return RadarClient(_http(paircert_state, role), transcript, radar_path)

    return make


@pytest.fixture
def empty_camera(camera: CameraPairingClient) -> Iterator[CameraPairingClient]:
    """An admin client on a device with no pairing; every pairing present afterwards is removed."""
    before = camera.list()
    if not before.ok or not isinstance(before.data, list):
        blocked(f"cannot list camera pairings (HTTP {before.status_code})")
    if before.data:
        blocked(f"the device already has {len(before.data)} camera pairing(s); the test needs none")
    yield camera
    after = camera.list()
    listed = [p["id"] for p in after.data if isinstance(p, dict) and isinstance(p.get("id"), str)] if after.ok and isinstance(after.data, list) else []
    left = []
    for pairing_id in dict.fromkeys([*camera.created, *listed]):
        removed = camera.remove(pairing_id)
        if not removed.ok and removed.status_code != 404:
            left.append(f"{pairing_id} (HTTP {removed.status_code})")
    if left:
        pytest.fail(f"cleanup: could not remove camera pairing(s) {', '.join(left)}; the device is not as it was found")


def _radar_configured(resp: Any) -> bool:
    data = resp.data if resp.ok and isinstance(resp.data, dict) else {}
    return data.get("state") not in (None, "not-configured") or bool(data.get("address"))


@pytest.fixture
def empty_radar(radar: RadarClient) -> Iterator[RadarClient]:
    """An admin radar client on a device with no radar configuration; cleared again afterwards."""
    before = radar.get_radar_connection()
    if not before.ok:
        blocked(f"cannot read the radar configuration (HTTP {before.status_code}, error {before.error_code})")
    if _radar_configured(before):
        blocked(f"the device already has a radar configuration (state {before.data.get('state')!r}); the test needs none")
    yield radar
    if _radar_configured(radar.get_radar_connection()):
        radar.set_active(False)
        cleared = radar.clear_configuration()
        if not cleared.ok:
            pytest.fail(f"cleanup: clearConfiguration failed (error {cleared.error_code}); the device is not as it was found")


@pytest.fixture
def unreachable_address() -> str:
    return UNREACHABLE_ADDRESS


@pytest.fixture
def self_address(target: TargetConfig) -> str:
    return target.host


@pytest.fixture
def observe(request: pytest.FixtureRequest, paircert_state: SessionState) -> Callable[[str, Any], None]:
    """``observe(key, value)``: record undocumented behaviour; it shows in the report, never fails."""

    def record(key: str, value: Any) -> None:
        text = json.dumps(redact_json(value), sort_keys=True, ensure_ascii=False, default=str)
        request.node.user_properties.append((f"{OBSERVED_PREFIX}{key}", paircert_state.scrub(text)))

    return record
