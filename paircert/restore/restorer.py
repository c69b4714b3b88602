"""Put back what a run removed, then prove it by reading it back.

The journal decides what is left to do: a part it records as restored is never restored again.
Where it records nothing (a crash between a change and its journal entry), the device is read
first: a pairing still there was never removed, one found configured as the snapshot was is the
one an earlier attempt added, and anything else the run left behind is journalled, then removed,
before the snapshot's configuration is added back. Every part is retried a bounded number of
times, with growing waits, when the device does not answer; a part starts over from its reading
each time, so a retry never adds twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import httpx

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.radar import RadarClient
from paircert.clients.response import ApiResponse
from paircert.restore.compare import Difference, compare_cameras, compare_radar
from paircert.restore.device import Device
from paircert.restore.journal import Journal
from paircert.restore.outcome import RestoreOutcome
from paircert.restore.snapshot import CameraSnapshot, RadarSnapshot, SnapshotError, read_pairings, read_radar

__all__ = ["Patience", "RestoreError", "RestorePasswords", "refused", "restore"]

T = TypeVar("T")
CAMERA_PASSWORD_HINT = "--restore-password (or PAIRCERT_RESTORE_PASSWORD)"
RADAR_PASSWORD_HINT = "--restore-radar-password (or PAIRCERT_RESTORE_RADAR_PASSWORD)"


class RestoreError(Exception):
    """A restore step the device refused or never answered; ``str()`` is one line without secrets."""


@dataclass(frozen=True)
class RestorePasswords:
    """The passwords a restore sends (neither API lets one be read back); never in a repr."""

    camera: str | None = field(default=None, repr=False)
    radar: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Patience:
    """How long a restore keeps at it: ``attempts`` tries per part when the device does not answer,
    ``retry_wait`` seconds before the second (doubling after), ``settle`` seconds for derived
    properties to come back, read every ``poll`` seconds."""

    attempts: int = 4
    retry_wait: float = 1.0
    settle: float = 15.0
    poll: float = 0.5


def refused(what: str, resp: ApiResponse) -> RestoreError:
    code = f" error {resp.error_code}" if resp.error_code is not None else ""
    return RestoreError(f"{what} answered HTTP {resp.status_code}{code}")


class _Restore:
    def __init__(
        self,
        device: Device,
        journal: Journal,
        passwords: RestorePasswords,
        patience: Patience,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.device = device
        self.journal = journal
        self.passwords = passwords
        self.patience = patience
        self.sleep = sleep
        self.clock = clock

    def retrying(self, what: str, part: Callable[[], T]) -> T:
        wait = self.patience.retry_wait
        for attempt in range(1, self.patience.attempts + 1):
            try:
                return part()
            except httpx.TransportError as exc:
                if attempt == self.patience.attempts:
                    raise RestoreError(
                        f"{what}: the device did not answer in {attempt} attempts ({type(exc).__name__})"
                    ) from None
            except SnapshotError as exc:
                raise RestoreError(f"{what}: {exc}") from None
            self.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    # --- the camera pairing ----------------------------------------------------------------

    def camera(self, camera: CameraPairingClient, pairing: CameraSnapshot) -> str:
        done = self.journal.restored_id(pairing.id)
        if done is not None:
            return f"camera pairing {pairing.id}: put back earlier as {done} (journal)"
        present = read_pairings(camera)
        if any(p.id == pairing.id for p in present):
            self.journal.add("restored-camera", pairing=pairing.id, now=pairing.id, note="never removed")
            return f"camera pairing {pairing.id}: never removed"
        ours = {p.id for p in self.journal.snapshot.cameras} | {
            s.now for s in self.journal.steps if s.step == "restored-camera" and s.now
        }
        strangers = [p for p in present if p.id not in ours]
        same = [p for p in strangers if p.writable() == pairing.writable()]
        if same:
            self.journal.add("restored-camera", pairing=pairing.id, now=same[0].id, note="found as configured")
            return f"camera pairing {pairing.id}: found added back as {same[0].id}"
        if self.passwords.camera is None:
            raise RestoreError(f"camera pairing {pairing.id} cannot be added back without {CAMERA_PASSWORD_HINT}")
        for leftover in strangers:
            self.journal.add("removed-leftover-camera", pairing=leftover.id, note="left by the run")
            removed = camera.remove(leftover.id)
            if not removed.ok and removed.status_code != 404:
                raise refused(f"REMOVE of the run's leftover camera pairing {leftover.id}", removed)
        added = camera.add({**pairing.writable(), "password": self.passwords.camera})
        if not added.ok:
            raise refused(f"ADD of camera pairing {pairing.id}", added)
        new_id = added.data.get("id") if isinstance(added.data, dict) else None
        if not isinstance(new_id, str):  # the framework's ADD may answer 201 without the entity
            found = [p.id for p in read_pairings(camera) if p.id not in ours and p.writable() == pairing.writable()]
            if not found:
                raise RestoreError(f"camera pairing {pairing.id} was added back but is not listed")
            new_id = found[0]
        self.journal.add("restored-camera", pairing=pairing.id, now=new_id, note="added again")
        return f"camera pairing {pairing.id}: added again as {new_id}"

    # --- the radar configuration -----------------------------------------------------------

    def _set_active(self, radar: RadarClient, active: bool) -> None:
        resp = radar.set_active(active)
        if not resp.ok:
            raise refused(f"setActive({str(active).lower()})", resp)

    def radar(self, radar: RadarClient, snapshot: RadarSnapshot) -> str:
        state = "active" if snapshot.active else "inactive"
        if self.journal.has("restored-radar"):
            return "radar configuration: put back earlier (journal)"
        current = read_radar(radar)
        if current is not None and current.params() == snapshot.params():
            if current.active != snapshot.active:
                self._set_active(radar, snapshot.active)
            self.journal.add("restored-radar", note="never removed")
            return f"radar configuration: never removed ({state})"
        if self.passwords.radar is None:
            raise RestoreError(f"the radar configuration cannot be set again without {RADAR_PASSWORD_HINT}")
        if current is not None:
            self.journal.add("removed-leftover-radar", note="left by the run")
            if current.active:
                self._set_active(radar, False)
            cleared = radar.clear_configuration()
            if not cleared.ok:
                raise refused("clearConfiguration of the run's leftover radar configuration", cleared)
        params: dict[str, Any] = {**snapshot.params(), "password": self.passwords.radar}
        resp = radar.call("setRadarConnection", params)
        if not resp.ok:
            raise refused("setRadarConnection", resp)
        self._set_active(radar, snapshot.active)
        self.journal.add("restored-radar", note="set again")
        return f"radar configuration: set again ({state})"

    # --- reading back ----------------------------------------------------------------------

    def differences(self) -> list[Difference]:
        snapshot = self.journal.snapshot
        found: list[Difference] = []
        if self.device.camera is not None:
            restored = {
                s.pairing: s.now for s in self.journal.steps if s.step == "restored-camera" and s.pairing and s.now
            }
            found += compare_cameras(snapshot.cameras, read_pairings(self.device.camera), restored)
        if self.device.radar is not None:
            found += compare_radar(snapshot.radar, read_radar(self.device.radar))
        return found

    def verify(self) -> list[Difference]:
        """Read back until nothing derived differs any more, or ``settle`` seconds have passed."""
        deadline = self.clock() + self.patience.settle
        while True:
            found = self.retrying("reading the device back", self.differences)
            if not any(d.kind == "derived" for d in found) or self.clock() >= deadline:
                return found
            self.sleep(self.patience.poll)

    def run(self) -> RestoreOutcome:
        snapshot = self.journal.snapshot
        outcome = RestoreOutcome(self.journal.path)
        self.journal.add("restore-started")
        try:
            camera, radar = self.device.camera, self.device.radar
            for pairing in snapshot.cameras:
                if camera is None:
                    raise RestoreError(f"camera pairing {pairing.id}: the device does not offer the camera pairing API")
                outcome.restored.append(
                    self.retrying(f"camera pairing {pairing.id}", partial(self.camera, camera, pairing))
                )
            if snapshot.radar is not None:
                if radar is None:
                    raise RestoreError("radar configuration: the device does not offer the radar pairing API")
                held = snapshot.radar
                outcome.restored.append(self.retrying("radar configuration", lambda: self.radar(radar, held)))
            outcome.differences = self.verify()
        except RestoreError as exc:
            outcome.error = str(exc)
        differing = len(outcome.of_kind("configured"))
        if outcome.verified:
            self.journal.add("verified")
        else:
            self.journal.add("not-verified", note=outcome.error or f"{differing} configured difference(s)")
        return outcome


def restore(
    device: Device,
    journal: Journal,
    passwords: RestorePasswords,
    patience: Patience = Patience(),
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> RestoreOutcome:
    """Put back what ``journal`` says the device held, as far as its steps say it is not back yet,
    and compare the device with the snapshot."""
    return _Restore(device, journal, passwords, patience, sleep, clock).run()
