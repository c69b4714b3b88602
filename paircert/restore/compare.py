"""Before against after, property by property, in three kinds.

``configured``: what the user set (address, user name, protocol, TLS fields, description, the
active state); any difference there means the device is not as it was found. ``identity``: the
pairing id, which the device generates on ADD, so a restored pairing always has a new one: stated,
expected, never a failure. ``derived``: what the link makes of the configuration (a pairing's
status and product names, the radar's state); it follows the peer, so it is reported apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from paircert.restore.snapshot import CAMERA_DERIVED, CAMERA_ID, RADAR_DERIVED, CameraSnapshot, RadarSnapshot

__all__ = ["ABSENT", "Difference", "DifferenceKind", "compare_cameras", "compare_radar"]

DifferenceKind = Literal["configured", "identity", "derived"]


class _Absent:
    """The side of a difference without the property or the whole entity."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


def _shown(value: Any) -> str:
    return repr(ABSENT) if value is ABSENT else json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Difference:
    """``part`` names the entity (``camera pairing <id before>`` or ``radar configuration``)."""

    part: str
    name: str
    before: Any
    after: Any
    kind: DifferenceKind

    def line(self) -> str:
        return f"{self.part}: {self.name} was {_shown(self.before)}, is {_shown(self.after)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "property": self.name,
            "before": None if self.before is ABSENT else self.before,
            "after": None if self.after is ABSENT else self.after,
            "kind": self.kind,
            "line": self.line(),
        }


def _properties(part: str, before: dict[str, Any], after: dict[str, Any], derived: tuple[str, ...]) -> list[Difference]:
    found = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name, ABSENT), after.get(name, ABSENT)
        if old != new or type(old) is not type(new):
            kind: DifferenceKind = "identity" if name == CAMERA_ID else "derived" if name in derived else "configured"
            found.append(Difference(part, name, old, new, kind))
    return found


def compare_cameras(
    before: tuple[CameraSnapshot, ...], after: tuple[CameraSnapshot, ...], restored_ids: dict[str, str]
) -> list[Difference]:
    """Each snapshot pairing against the pairing that now stands for it (``restored_ids``: old id to
    new id; a pairing never removed keeps its id); a pairing the device has now that stands for none
    is a configured difference too."""
    now = {pairing.id: pairing for pairing in after}
    found = []
    matched = set()
    for pairing in before:
        current_id = restored_ids.get(pairing.id, pairing.id)
        part = f"camera pairing {pairing.id}"
        current = now.get(current_id)
        if current is None:
            found.append(Difference(part, "pairing", pairing.id, ABSENT, "configured"))
            continue
        matched.add(current_id)
        found += _properties(part, pairing.properties, current.properties, CAMERA_DERIVED)
    for pairing_id in now:
        if pairing_id not in matched:
            found.append(Difference(f"camera pairing {pairing_id}", "pairing", ABSENT, pairing_id, "configured"))
    return found


def compare_radar(before: RadarSnapshot | None, after: RadarSnapshot | None) -> list[Difference]:
    part = "radar configuration"
    if before is None and after is None:
        return []
    if before is None or after is None:
        return [
            Difference(
                part,
                "configuration",
                "configured" if before else ABSENT,
                "configured" if after else ABSENT,
                "configured",
            )
        ]
    found = _properties(part, before.connection, after.connection, RADAR_DERIVED)
    if before.active != after.active:
        found.append(Difference(part, "active", before.active, after.active, "configured"))
    return found
