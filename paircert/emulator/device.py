"""The device service: the model, its state file and its links, changed together.

Every change goes model -> state file -> links, and is rolled back in the model if the state file
cannot be written, so what a client sees acknowledged is exactly what is on disk. Everything here
runs on the server's event loop; handlers call it without locks because nothing awaits between
the model change and the save.

Link states come only from link outcomes. A camera pairing is ``Connecting`` from ADD (or a PATCH
that changes the link) until its first outcome, then ``Paired`` or ``Error`` with the code of the
latest outcome, which stands while a retry waits or runs. An active radar is ``failed`` from
``setActive(true)`` until its first outcome (the documented catch-all: nothing specific has been
observed yet, and a more specific failure, or ``ok``, would claim something the wire has not
shown), then the latest outcome, which likewise stands while a retry runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import secrets
import time
import uuid
from dataclasses import replace
from typing import Any

from .config import EmulatorConfig
from .dialer import Dialer
from .links import LinkManager, LinkStep, LinkTarget, Outcome, PeerIdentity, Retry, tcp_step
from .model import MAX_PAIRINGS, CameraStatus, DeviceModel, Pairing, RadarConfig, RadarState
from .peerlink import CAMERA_PATH, RADAR_PATH, stream_step
from .restream import Relay
from .store import StateStore

__all__ = ["LINK_AFFECTING", "Device"]

log = logging.getLogger("paircert.emulator.device")

# Properties whose change means a new session to the peer.
LINK_AFFECTING = frozenset({"address", "username", "password", "streamingprotocol", "verifycertificate"})

_CAMERA_ERRORS: dict[Outcome, int] = {
    "address": 108,
    "connect": 108,
    "auth": 107,
    "transfer": 106,
    "lost": 106,
    "failed": 108,
}
_RADAR_STATES: dict[Outcome, RadarState] = {
    "up": "ok",
    "address": "address-failed",
    "connect": "connect-failed",
    "auth": "authentication-failed",
    "transfer": "transfer-failed",
    "lost": "transfer-failed",
    "failed": "failed",
}
# Faults that report one outcome as another: fault name -> (what the wire said, what is reported).
_CAMERA_CODE_FAULTS = {
    "could-not-connect-as-106": (108, 106),
    "lost-connection-as-108": (106, 108),
    "unauthorized-as-108": (107, 108),
}
_RADAR_STATE_FAULTS: dict[str, tuple[RadarState, RadarState]] = {
    "radar-ok-as-failed": ("ok", "failed"),
    "radar-address-failed-as-connect-failed": ("address-failed", "connect-failed"),
    "radar-connect-failed-as-transfer-failed": ("connect-failed", "transfer-failed"),
    "radar-auth-failed-as-connect-failed": ("authentication-failed", "connect-failed"),
    "radar-transfer-failed-as-ok": ("transfer-failed", "ok"),
}
FAULT_ID_LENGTH = 80  # the id-too-long fault
FAULT_NAME_LENGTH = 70  # the product-name-overlong fault
LATE_RECOVERY = Retry(delay=60.0)
NO_RECONNECT = Retry(again=False)
_RADAR_KEY = "radar"
# How long setActive(true) waits for the link's first outcome when the choices say it answers after it.
FIRST_OUTCOME_WAIT = 5.0

_Snapshot = tuple[dict[str, Any], dict[str, tuple[CameraStatus, int | None]], RadarState]


def _same_address(a: str, b: str) -> bool:
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a.lower().rstrip(".") == b.lower().rstrip(".")


class Device:
    def __init__(self, config: EmulatorConfig, *, step: LinkStep | None = None) -> None:
        """``step`` replaces both link steps (for unit tests); by default ``config.peer_link`` decides."""
        self.config = config
        self.faults = config.faults
        self.store = StateStore(config.state_dir)
        self.dialer = Dialer(config.dial_allow, config.name_table)
        self.relay = Relay()
        self.camera_step: LinkStep
        self.radar_step: LinkStep
        if step is not None:
            self.camera_step = self.radar_step = step
        elif config.peer_link == "tcp":
            self.camera_step = self.radar_step = tcp_step(self.dialer)
        else:
            trust = config.trust_ca_file
            self.camera_step = stream_step(
                self.dialer,
                path=CAMERA_PATH,
                media="video",
                feed=self.relay.camera,
                trust_ca_file=trust,
                faults=config.faults,
            )
            self.radar_step = stream_step(
                self.dialer,
                path=RADAR_PATH,
                media="application",
                feed=self.relay.radar,
                trust_ca_file=trust,
                faults=config.faults,
            )
        retry = Retry()
        if self.faults.active("late-recovery"):
            retry = LATE_RECOVERY
        if self.faults.active("no-reconnect"):
            retry = NO_RECONNECT
        self.links = LinkManager(self.camera_step, retry)
        self.model = DeviceModel()
        self._removals = 0
        self._drift = 0  # the pairing-limit-drifts fault's miscount: pairings not counted

    async def start(self) -> None:
        """Load the saved state and bring its links up (statuses are recomputed, not restored)."""
        record = self.store.load()
        if record is not None:
            self.model = DeviceModel.from_persisted(record)
        for pairing in self.model.pairings.values():
            self._start_pairing_link(pairing)
        if self.model.radar_active:
            self._start_radar_link()

    async def stop(self) -> None:
        await self.links.stop_all()

    def _snapshot(self) -> _Snapshot:
        runtime = {pid: (p.status, p.error_code) for pid, p in self.model.pairings.items()}
        return self.model.persisted(), runtime, self.model.radar_link_state

    def _save(self, snapshot: _Snapshot, unsaved_by: str = "") -> None:
        """Write the model; if that fails, put the model back as it was (runtime fields included).

        ``unsaved_by`` names the persistence fault that skips this write."""
        if self.faults.active(unsaved_by):
            return
        try:
            self.store.save(self.model.persisted())
        except BaseException:
            persisted, runtime, link_state = snapshot
            self.model = DeviceModel.from_persisted(persisted)
            for pairing_id, (status, error_code) in runtime.items():
                pairing = self.model.pairings.get(pairing_id)
                if pairing is not None:
                    pairing.status, pairing.error_code = status, error_code
            self.model.radar_link_state = link_state
            raise

    # own addresses

    def own_addresses(self) -> list[str]:
        own = [self.config.host, *self.config.own_addresses]
        names = [
            name
            for name, addresses in self.config.name_table.items()
            if any(_same_address(address, mine) for address in addresses for mine in own)
        ]
        return own + names

    def is_own(self, address: str) -> bool:
        return any(_same_address(address, mine) for mine in self.own_addresses())

    # camera pairing

    def new_pairing_id(self) -> str:
        if self.config.choices.pairing_id == "uuid":
            pairing_id = str(uuid.uuid4())
        else:
            pairing_id = f"CameraPairing-{int(time.time())}-{secrets.randbelow(10**6):06d}"
        return pairing_id.ljust(FAULT_ID_LENGTH, "0") if self.faults.active("id-too-long") else pairing_id

    def _limit_waived(self) -> bool:
        """Whether a fault lets this ADD past the one-pairing limit."""
        if self.faults.active("second-add-accepted"):
            return True
        return bool(self._drift) and len(self.model.pairings) - self._drift < MAX_PAIRINGS

    def _connecting(self) -> CameraStatus:
        """The status of a pairing whose link starts over."""
        return "Paired" if self.faults.active("add-starts-paired") else "Connecting"

    def add_pairing(self, fields: dict[str, Any]) -> Pairing:
        snapshot = self._snapshot()
        pairing_id = self.new_pairing_id()
        while pairing_id in self.model.pairings:
            pairing_id = self.new_pairing_id()
        pairing = Pairing(id=pairing_id, status=self._connecting(), **fields)
        if self._limit_waived():
            self.model.pairings[pairing_id] = pairing
        else:
            self.model.add_pairing(pairing)
        self._save(snapshot, "add-not-persisted")
        self._start_pairing_link(pairing)
        return pairing

    async def remove_pairing(self, pairing_id: str) -> None:
        snapshot = self._snapshot()
        self.model.remove_pairing(pairing_id)
        self._removals += 1
        if self._removals == 2 and self.faults.active("pairing-limit-drifts"):  # the second REMOVE counts twice
            self._drift = 1
        self._save(snapshot, "remove-not-persisted")
        await self.links.stop(pairing_id)  # the link sends TEARDOWN before it ends
        self.relay.camera.reset()

    def set_pairing_property(self, pairing_id: str, name: str, value: Any) -> None:
        snapshot = self._snapshot()
        pairing = self.model.set_property(pairing_id, name, value)
        if name == "address":  # what the old address said about itself is not the new peer's
            pairing.productmodel = pairing.productname = ""
        self._save(snapshot, "set-not-persisted")
        relinks = LINK_AFFECTING - {"password"} if self.faults.active("password-set-no-relink") else LINK_AFFECTING
        if name in relinks or (name == "description" and self.config.choices.description_relinks):
            pairing = self.model.pairings[pairing_id]
            pairing.status, pairing.error_code = self._connecting(), None
            self._start_pairing_link(pairing)

    def _credentials(self, username: str, password: str) -> tuple[str, str]:
        return ("", "") if self.faults.active("link-credentials-not-sent") else (username, password)

    def _start_pairing_link(self, pairing: Pairing) -> None:
        srtsp = pairing.streamingprotocol == "SRTSP" and not self.faults.active("srtsp-as-rtsp")
        # With the rtsp-checks-certificate fault an RTSP link "verifies" by speaking TLS to plain ports.
        checks = not srtsp and pairing.verifycertificate and self.faults.active("rtsp-checks-certificate")
        username, password = self._credentials(pairing.username, pairing.password)
        target = LinkTarget(
            address=pairing.address,
            port=self.config.peer_rtsps_port if srtsp else self.config.peer_rtsp_port,
            username=username,
            password=password,
            tls=srtsp or checks,
            verify=(srtsp and pairing.verifycertificate and not self.faults.active("srtsp-never-verifies")) or checks,
            http_port=self.config.peer_https_port if srtsp else self.config.peer_http_port,
        )
        pairing_id = pairing.id

        def sink(outcome: Outcome, peer: PeerIdentity | None) -> None:
            current = self.model.pairings.get(pairing_id)
            if current is None or self.faults.active("stuck-in-connecting"):
                return
            if outcome == "up":
                current.status, current.error_code = "Paired", None
                if peer is not None and not self.faults.active("product-not-learned"):
                    if self.faults.active("product-name-overlong"):
                        peer = replace(peer, name=peer.name.ljust(FAULT_NAME_LENGTH, "-"))
                    if (current.productmodel, current.productname) != (peer.model, peer.name):
                        current.productmodel, current.productname = peer.model, peer.name
                        self._save_quietly()
            else:
                code = _CAMERA_ERRORS[outcome]
                for fault, (was, reported) in _CAMERA_CODE_FAULTS.items():
                    if code == was and self.faults.active(fault):
                        code = reported
                        break
                current.status = "NotPaired" if self.faults.active("error-status-not-paired") else "Error"
                current.error_code = code

        self.links.start(pairing_id, target, sink, self.camera_step)

    def _save_quietly(self) -> None:
        """Persist what a link learned; a failed write only loses it until the next change."""
        try:
            self.store.save(self.model.persisted())
        except OSError:
            log.warning("could not save the peer's product model and name")

    # radar pairing

    def set_radar(self, config: RadarConfig) -> None:
        snapshot = self._snapshot()
        self.model.set_radar(config)
        self._save(snapshot)

    def clear_radar(self) -> None:
        snapshot = self._snapshot()
        self.model.clear_radar()
        self._save(snapshot)

    async def set_radar_active(self, active: bool) -> None:
        snapshot = self._snapshot()
        changed = self.model.set_radar_active(active)
        if not changed:
            return
        self._save(snapshot, "radar-active-not-persisted")
        if active:
            first_outcome = self._start_radar_link()
            if self.config.choices.activate_waits_for_outcome:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(first_outcome.wait(), FIRST_OUTCOME_WAIT)
        else:
            await self.links.stop(_RADAR_KEY)

    def _start_radar_link(self) -> asyncio.Event:
        """Start the link; the event is set by its first outcome."""
        radar = self.model.radar
        assert radar is not None
        tls = radar.tls or bool(radar.tls_certificate_cn)
        username, password = self._credentials(radar.user, radar.password)
        target = LinkTarget(
            address=radar.address,
            port=self.config.peer_rtsps_port if tls else self.config.peer_rtsp_port,
            username=username,
            password=password,
            tls=tls,
            verify=(radar.tls_verify or bool(radar.tls_certificate_cn))
            and not self.faults.active("radar-tls-verify-ignored"),
            certificate_cn=radar.tls_certificate_cn,
            http_port=self.config.peer_https_port if tls else self.config.peer_http_port,
        )

        first_outcome = asyncio.Event()

        def sink(outcome: Outcome, peer: PeerIdentity | None) -> None:
            if self.model.radar_active:
                state = _RADAR_STATES[outcome]
                for fault, (was, reported) in _RADAR_STATE_FAULTS.items():
                    if state == was and self.faults.active(fault):
                        state = reported
                        break
                self.model.radar_link_state = state
            first_outcome.set()

        self.links.start(_RADAR_KEY, target, sink, self.radar_step)
        return first_outcome
