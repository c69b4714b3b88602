"""Fixtures the suites use (names fixed by the contract between the parts)."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from typing import Any

import httpx
import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.discovery import DeviceInfoClient, DiscoveryClient
from paircert.clients.radar import RADAR_PATHS, RadarClient
from paircert.clients.response import ApiResponse
from paircert.clients.transcript import Transcript
from paircert.plugin.identities import ANONYMOUS, IDENTITIES, WRONG_PASSWORD, Identity
from paircert.plugin.peering import HostedPeer, PeerKind, PeersUnavailable
from paircert.plugin.session import STATE_KEY, SessionState
from paircert.plugin.target import PreflightError, TargetConfig
from paircert.plugin.verdicts import blocked, blocked_by, device_broke, not_applicable, step_success
from paircert.plugin.waiting import Poller, Watch
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
    "peer_ca_trusted",
    "peer_camera",
    "peer_radar",
    "radar",
    "radar_as",
    "radar_path",
    "read_collection",
    "self_address",
    "target",
    "transcript",
    "unreachable_address",
    "wait_for_state",
    "wait_for_status",
]

CAMERA_PAIRING_API = "camera-pairing"
RADAR_PAIRING_API = "network-radar-pairing"
# TEST-NET-1 (RFC 5737): routable nowhere, so a dial to it can only fail.
UNREACHABLE_ADDRESS = "192.0.2.10"


@pytest.fixture(scope="session")
def paircert_state(request: pytest.FixtureRequest) -> SessionState:
    """The run's resources (target, clients, transcript); suites rarely need it directly."""
    return request.config.stash[STATE_KEY]


@pytest.fixture(scope="session")
def target(paircert_state: SessionState) -> TargetConfig:
    try:
        return paircert_state.target.start()
    except PreflightError as exc:
        pytest.exit(f"paircert: {exc}", returncode=3)


@pytest.fixture
def transcript(paircert_state: SessionState) -> Transcript:
    """The exchanges of this test (cleared before each test; rendered into the report)."""
    return paircert_state.transcript


def _http(paircert_state: SessionState, identity: Identity) -> httpx.Client:
    client = paircert_state.identities.client(identity)
    if client is None:
        blocked(f"no {identity} credentials (pass --{identity} NAME:SECRET)")
    return client


def _identity(role: str) -> Identity:
    identity = IDENTITIES.get(role)
    if identity is None:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(IDENTITIES)}")
    return identity


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
def camera_as(
    paircert_state: SessionState, transcript: Transcript, target: TargetConfig, camera_api: bool
) -> Callable[[str], CameraPairingClient]:
    """``camera_as(role)`` for admin, operator, viewer, anonymous, wrong_password."""

    def make(role: str) -> CameraPairingClient:
        client = _http(paircert_state, _identity(role))
        return CameraPairingClient(DcaClient(client, transcript, set_method=target.set_method))

    return make


_RADAR_PROBE = pytest.StashKey[tuple[str | None, bool]]()


@pytest.fixture
def radar_path(request: pytest.FixtureRequest, paircert_state: SessionState, target: TargetConfig) -> str:
    """The radar CGI path the device answers on, probed once per run.

    A device that lists the API in apidiscovery yet answers at neither path breaks VAPIX-CGI-PATH:
    the first radar test fails for it, the others are blocked by it (function scope, so each test
    gets its own verdict rather than pytest repeating one cached failure).
    """
    probe = request.config.stash.get(_RADAR_PROBE, None)
    if probe is None:
        client = _http(paircert_state, "admin")
        found = RadarClient(client, paircert_state.transcript).probe()
        listed = found is None and DiscoveryClient(client, paircert_state.transcript).offers_cgi_api(RADAR_PAIRING_API)
        probe = request.config.stash[_RADAR_PROBE] = (found, listed)
    path, listed = probe
    if path is None:
        paths = " nor ".join(RADAR_PATHS)
        if listed:
            device_broke(
                request,
                "VAPIX-CGI-PATH",
                f"apidiscovery lists {RADAR_PAIRING_API} but neither {paths} answers like it",
                expected=f"the radar pairing CGI answers POST at {' or '.join(RADAR_PATHS)}",
            )
        not_applicable(f"the device does not offer {RADAR_PAIRING_API} (no answer at {' or '.join(RADAR_PATHS)})")
    paircert_state.report.radar_path = path
    return path


@pytest.fixture
def radar(http_admin: httpx.Client, transcript: Transcript, radar_path: str) -> RadarClient:
    return RadarClient(http_admin, transcript, radar_path)


@pytest.fixture
def radar_as(paircert_state: SessionState, transcript: Transcript, radar_path: str) -> Callable[[str], RadarClient]:
    """``radar_as(role)`` for admin, operator, viewer, anonymous, wrong_password."""

    def make(role: str) -> RadarClient:
        return RadarClient(_http(paircert_state, _identity(role)), transcript, radar_path)

    return make


def _json_kind(value: Any) -> str:
    names = {dict: "object", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def read_collection(request: pytest.FixtureRequest, camera: CameraPairingClient) -> list[Any]:
    """The items GET of the collection lists, for a setup step.

    An answer that is no success breaks CP-LIST-GET; a success whose data is not a JSON array
    breaks DCA-COLLECTION-ARRAY. Either fails the first test that needs the listing and blocks the
    later ones by name (:func:`paircert.plugin.verdicts.device_broke`).
    """
    __tracebackhide__ = True
    resp = camera.list()
    data = step_success(request, "CP-LIST-GET", resp, step="GET of the camerapairings collection (admin)")
    if not isinstance(data, list):
        device_broke(
            request,
            "DCA-COLLECTION-ARRAY",
            f"GET of the camerapairings collection answered data that is a JSON {_json_kind(data)}, not an array",
            expected="success whose data is a JSON array of the pairings",
            resp=resp,
        )
    return data


def _unblock(request: pytest.FixtureRequest) -> str:
    """What would let the run vacate a device in use (see :mod:`paircert.plugin.vacating`), as a suffix."""
    hint = request.config.stash[STATE_KEY].vacating.blocked_hint
    return f" ({hint})" if hint else ""


@pytest.fixture
def empty_camera(request: pytest.FixtureRequest, camera: CameraPairingClient) -> Iterator[CameraPairingClient]:
    """An admin client on a device with no pairing; every pairing present afterwards is removed.

    A device that holds a pairing already blocks the test (a configuration nobody asked the suite
    to touch); one that cannot list its pairings as documented fails (see :func:`read_collection`).
    """
    blocked_by(request, "CP-REMOVE-GONE")
    before = read_collection(request, camera)
    if before:
        blocked(f"the device already has {len(before)} camera pairing(s); the test needs none{_unblock(request)}")
    yield camera
    left, gone = [], []
    for pairing_id in dict.fromkeys([*camera.created, *_listed_ids(camera.list())]):
        removed = camera.remove(pairing_id)
        if removed.ok:
            gone.append(pairing_id)
        elif removed.status_code != 404:
            left.append(f"{pairing_id} (HTTP {removed.status_code})")
    if left:
        pytest.fail(f"cleanup: could not remove camera pairing(s) {', '.join(left)}; the device is not as it was found")
    kept = [pairing_id for pairing_id in _listed_ids(camera.list()) if pairing_id in gone] if gone else []
    if kept:
        # Otherwise every later test would be blocked as if the device had been in use.
        device_broke(
            request,
            "CP-REMOVE-GONE",
            f"REMOVE of {kept[0]} answered success, yet the collection still lists it",
            expected="the pairing gone from the collection once REMOVE answered success",
        )


def _listed_ids(resp: ApiResponse) -> list[str]:
    if not (resp.ok and isinstance(resp.data, list)):
        return []
    return [p["id"] for p in resp.data if isinstance(p, dict) and isinstance(p.get("id"), str)]


def _radar_configured(resp: Any) -> bool:
    data = resp.data if resp.ok and isinstance(resp.data, dict) else {}
    return data.get("state") not in (None, "not-configured") or bool(data.get("address"))


@pytest.fixture
def empty_radar(request: pytest.FixtureRequest, radar: RadarClient) -> Iterator[RadarClient]:
    """An admin radar client on a device with no radar configuration; cleared again afterwards.

    An existing configuration blocks the test; a getRadarConnection the admin cannot read breaks
    RP-GET-CONNECTION (the first test fails for it, the later ones are blocked by it).
    """
    blocked_by(request, "RP-CLEAR")
    before = radar.get_radar_connection()
    step_success(request, "RP-GET-CONNECTION", before, step="getRadarConnection (admin)")
    if _radar_configured(before):
        active = radar.get_active()
        if not active.ok and active.error_code == 2201:  # getActive: there is no configuration
            device_broke(
                request,
                "RP-STATE-NOT-CONFIGURED",
                f"getRadarConnection reports state {before.data.get('state')!r} while getActive answers 2201 "
                "(no configuration)",
                expected="state not-configured",
                resp=before,
            )
        blocked(
            f"the device already has a radar configuration (state {before.data.get('state')!r}); "
            f"the test needs none{_unblock(request)}"
        )
    yield radar
    if _radar_configured(radar.get_radar_connection()):
        radar.set_active(False)
        cleared = radar.clear_configuration()
        if not cleared.ok:
            pytest.fail(
                f"cleanup: clearConfiguration failed (error {cleared.error_code}); the device is not as it was found"
            )
        after = radar.get_radar_connection()
        if _radar_configured(after):
            # Otherwise every later test would be blocked as if the device had been in use.
            device_broke(
                request,
                "RP-CLEAR",
                f"clearConfiguration answered success, yet getRadarConnection still reports state "
                f"{after.data.get('state')!r}",
                expected="state not-configured once clearConfiguration answered success",
                resp=after,
            )


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
        # Values lose secrets one by one (password fields, echoed secrets); keys and shape stay.
        redacted = paircert_state.transcript.scrub_json(json.loads(json.dumps(value, default=str)))
        text = json.dumps(redacted, sort_keys=True, ensure_ascii=False)
        request.node.user_properties.append((f"{OBSERVED_PREFIX}{key}", text))

    return record


# --- peers and link states (the streaming suite) ---------------------------------------------


def _hosted(paircert_state: SessionState, kind: PeerKind) -> Iterator[HostedPeer]:
    try:
        peer = paircert_state.peers.peer(kind)
    except PeersUnavailable as exc:
        blocked(str(exc))
    peer.reset()
    yield peer
    peer.reset()


@pytest.fixture
def peer_camera(paircert_state: SessionState, target: TargetConfig) -> Iterator[HostedPeer]:
    """The run's peer camera, honest (no faults, trusted certificate, no records) at the start of the
    test and again at its end; blocked when the run cannot host it (the reason says what to pass)."""
    yield from _hosted(paircert_state, "camera")


@pytest.fixture
def peer_radar(paircert_state: SessionState, target: TargetConfig) -> Iterator[HostedPeer]:
    """The run's peer radar, like :func:`peer_camera`."""
    yield from _hosted(paircert_state, "radar")


@pytest.fixture
def peer_ca_trusted(paircert_state: SessionState, target: TargetConfig) -> bool:
    """Whether the device trusts the CA of the peers' ``trusted`` certificate: the embedded emulator
    does; a device when the user installed the CA and passed ``--device-trusts-peer-ca``."""
    return target.embedded or paircert_state.run.peers.device_trusts_ca


def _status_unwaitable(resp: ApiResponse | None) -> bool:
    """A success whose data is no status string, or a 404 for the pairing the test created and
    still holds: no documented device answers either, and waiting cannot turn them into a status."""
    return resp is not None and ((resp.ok and not isinstance(resp.data, str)) or resp.status_code == 404)


def _state_unwaitable(resp: ApiResponse | None) -> bool:
    """A getRadarConnection success without a string ``state``, or a 404 for the radar CGI."""
    if resp is None:
        return False
    data = resp.data if isinstance(resp.data, dict) else {}
    return (resp.ok and not isinstance(data.get("state"), str)) or resp.status_code == 404


class StatusWatcher:
    """``wait_for_status(pairing_id, until, label=...)`` polls ``GET .../<id>/status``, bounded."""

    def __init__(self, camera: CameraPairingClient, record: Callable[[str, Any], None]) -> None:
        self.camera = camera
        self.record = record

    def _poller(self, pairing_id: str, interval: float | None) -> Poller:
        def read() -> tuple[str | None, Any]:
            resp = self.camera.get_property(pairing_id, "status")
            if resp.ok and isinstance(resp.data, str):
                return resp.data, resp
            return f"<HTTP {resp.status_code} error {resp.error_code}>", resp

        kwargs = {"interval": interval} if interval is not None else {}
        return Poller(f"camera pairing status of {pairing_id}", read, self.record, final=_status_unwaitable, **kwargs)

    def __call__(
        self,
        pairing_id: str,
        until: str | Collection[str],
        *,
        label: str,
        timeout: float = 10.0,
        required: bool = True,
        interval: float | None = None,
    ) -> Watch:
        __tracebackhide__ = True
        return self._poller(pairing_id, interval)(until, label=label, timeout=timeout, required=required)

    def holds(self, pairing_id: str, value: str, seconds: float, *, label: str) -> Watch:
        __tracebackhide__ = True
        return self._poller(pairing_id, None).holds(value, seconds, label=label)


class StateWatcher:
    """``wait_for_state(until, label=...)`` polls getRadarConnection's ``state``, bounded."""

    def __init__(self, radar: RadarClient, record: Callable[[str, Any], None]) -> None:
        self.radar = radar
        self.record = record

    def _poller(self, interval: float | None) -> Poller:
        def read() -> tuple[str | None, Any]:
            resp = self.radar.get_radar_connection()
            data = resp.data if resp.ok and isinstance(resp.data, dict) else None
            if data is not None and isinstance(data.get("state"), str):
                return data["state"], resp
            return f"<HTTP {resp.status_code} error {resp.error_code}>", resp

        kwargs = {"interval": interval} if interval is not None else {}
        return Poller("radar state", read, self.record, final=_state_unwaitable, **kwargs)

    def __call__(
        self,
        until: str | Collection[str],
        *,
        label: str,
        timeout: float = 10.0,
        required: bool = True,
        interval: float | None = None,
    ) -> Watch:
        __tracebackhide__ = True
        return self._poller(interval)(until, label=label, timeout=timeout, required=required)

    def holds(self, value: str, seconds: float, *, label: str) -> Watch:
        __tracebackhide__ = True
        return self._poller(None).holds(value, seconds, label=label)


@pytest.fixture
def wait_for_status(camera: CameraPairingClient, observe: Callable[[str, Any], None]) -> StatusWatcher:
    """Bounded polling of a camera pairing's status; every transition and its time goes to the report."""
    return StatusWatcher(camera, observe)


@pytest.fixture
def wait_for_state(radar: RadarClient, observe: Callable[[str, Any], None]) -> StateWatcher:
    """Bounded polling of the radar's state; every transition and its time goes to the report."""
    return StateWatcher(radar, observe)
