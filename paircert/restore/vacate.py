"""Empty a device in use for the run: remove what the journal's snapshot holds, step by step.

The journal, snapshot included, is on disk before this runs; each removal is journalled as soon as
the device confirms it, so a restore knows what is gone (and reads the device for anything a crash
kept out of the journal).
"""

from __future__ import annotations

from paircert.restore.device import Device
from paircert.restore.journal import Journal
from paircert.restore.restorer import RestoreError, refused

__all__ = ["vacate"]


def vacate(device: Device, journal: Journal) -> None:
    """Remove the snapshot's camera pairing(s), then deactivate and clear its radar configuration."""
    snapshot = journal.snapshot
    camera = device.camera
    for pairing in snapshot.cameras:
        if camera is None:
            raise RestoreError("the camera pairing API is not offered, yet the snapshot holds a pairing")
        removed = camera.remove(pairing.id)
        if not removed.ok:
            raise refused(f"REMOVE of camera pairing {pairing.id}", removed)
        journal.add("vacated-camera", pairing=pairing.id)
    if snapshot.radar is not None:
        radar = device.radar
        if radar is None:
            raise RestoreError("the radar pairing API is not offered, yet the snapshot holds a configuration")
        if snapshot.radar.active:
            inactive = radar.set_active(False)
            if not inactive.ok:
                raise refused("setActive(false)", inactive)
        cleared = radar.clear_configuration()
        if not cleared.ok:
            raise refused("clearConfiguration", cleared)
        journal.add("vacated-radar")
