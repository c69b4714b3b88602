"""The device's state as data: camera pairings and the radar configuration. No I/O, no clock.

The API modules change it only through these methods, which enforce the rules that do not depend
on the wire format (one pairing at most, no radar change while active). Runtime-only fields
(pairing status, radar link state) live here too but are never persisted: after a restart the
links recompute them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..schemas import ApiName, catalogue

__all__ = [
    "MAX_PAIRINGS",
    "CameraStatus",
    "Conflict",
    "DeviceModel",
    "Pairing",
    "RadarConfig",
    "RadarState",
]

MAX_PAIRINGS = 1

CameraStatus = Literal["NotPaired", "Paired", "Error", "Connecting"]
RadarState = Literal[
    "failed",
    "address-failed",
    "connect-failed",
    "authentication-failed",
    "transfer-failed",
    "not-configured",
    "not-active",
    "ok",
]


class Conflict(Exception):
    """An operation the current state forbids; ``code`` is the API error code (104, 2200, 2201),
    and the message is the catalogue's for it unless one is given."""

    def __init__(self, code: int, message: str | None = None) -> None:
        api: ApiName = "camera-pairing" if code < 1000 else "radar-pairing"
        self.code = code
        self.message = message if message is not None else catalogue(api)[code].message
        super().__init__(self.message)


@dataclass
class Pairing:
    id: str
    address: str
    username: str
    password: str = field(repr=False)
    streamingprotocol: str
    verifycertificate: bool
    description: str
    productmodel: str = ""
    productname: str = ""
    status: CameraStatus = "Connecting"
    error_code: int | None = None

    def public(self) -> dict[str, Any]:
        """The entity as GET shows it: every property except the password."""
        return {
            "id": self.id,
            "address": self.address,
            "username": self.username,
            "status": self.status,
            "streamingprotocol": self.streamingprotocol,
            "verifycertificate": self.verifycertificate,
            "productmodel": self.productmodel,
            "productname": self.productname,
            "description": self.description,
        }

    def persisted(self) -> dict[str, Any]:
        record = self.public()
        del record["status"]
        record["password"] = self.password
        return record


@dataclass
class RadarConfig:
    address: str
    user: str
    password: str = field(repr=False)
    tls: bool = False
    tls_verify: bool = False
    tls_certificate_cn: str = ""

    def persisted(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "user": self.user,
            "password": self.password,
            "tls": self.tls,
            "tls_verify": self.tls_verify,
            "tls_certificate_cn": self.tls_certificate_cn,
        }


@dataclass
class DeviceModel:
    pairings: dict[str, Pairing] = field(default_factory=dict)
    radar: RadarConfig | None = None
    radar_active: bool = False
    radar_link_state: RadarState = "failed"  # until the active link's first outcome (see device.py)

    # camera pairing

    def add_pairing(self, pairing: Pairing) -> Pairing:
        if len(self.pairings) >= MAX_PAIRINGS:
            raise Conflict(104)
        self.pairings[pairing.id] = pairing
        return pairing

    def remove_pairing(self, pairing_id: str) -> Pairing:
        return self.pairings.pop(pairing_id)

    def set_property(self, pairing_id: str, name: str, value: Any) -> Pairing:
        pairing = self.pairings[pairing_id]
        setattr(pairing, name, value)
        return pairing

    # radar pairing

    def radar_state(self) -> RadarState:
        if self.radar is None:
            return "not-configured"
        if not self.radar_active:
            return "not-active"
        return self.radar_link_state

    def set_radar(self, config: RadarConfig) -> None:
        if self.radar_active:
            raise Conflict(2200)
        self.radar = config

    def clear_radar(self) -> None:
        if self.radar_active:
            raise Conflict(2200)
        self.radar = None

    def get_radar_active(self) -> bool:
        if self.radar is None:
            raise Conflict(2201)
        return self.radar_active

    def set_radar_active(self, active: bool) -> bool:
        """Set the flag; answer whether it changed (so the caller starts or stops the link)."""
        if self.radar is None:
            raise Conflict(2201)
        changed = self.radar_active != active
        self.radar_active = active
        if changed:
            self.radar_link_state = "failed"
        return changed

    # persistence shape

    def persisted(self) -> dict[str, Any]:
        return {
            "format": 1,
            "pairings": [pairing.persisted() for pairing in self.pairings.values()],
            "radar": self.radar.persisted() if self.radar else None,
            "radar_active": self.radar_active,
        }

    @classmethod
    def from_persisted(cls, record: dict[str, Any]) -> DeviceModel:
        if record.get("format") != 1:
            raise ValueError(f"unknown state format {record.get('format')!r}")
        pairings = {item["id"]: Pairing(**item) for item in record.get("pairings", [])}
        radar = RadarConfig(**record["radar"]) if record.get("radar") else None
        return cls(pairings=pairings, radar=radar, radar_active=bool(record.get("radar_active")) and radar is not None)
