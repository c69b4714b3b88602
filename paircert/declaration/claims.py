"""The vendor's claims file: which APIs, revisions and options a device claims, and its waivers.

The file is TOML because vendors write it by hand; it is checked the way Schemathesis 4 checks its
own configuration: the TOML document becomes JSON values (a TOML date becomes its ISO 8601 text),
the JSON Schema ``schemas/claims/claims.json`` judges it, and only then are the fields read into
frozen records. A wrong file is one line naming the first problem, never a traceback.

A waiver is versioned data: it names one documented requirement, the firmware range it was granted
for and the day it expires. Whether it applies is decided per run (:meth:`Waiver.standing`), because
the same file outlives firmware releases and a lapsed waiver must not quietly keep excusing a failure.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from paircert import schemas
from paircert.ledger import load_ledger

__all__ = [
    "CLAIMS_SCHEMA",
    "Claims",
    "ClaimsError",
    "Waiver",
    "WaiverStanding",
    "firmware_key",
    "load_claims",
    "parse_claims",
]

CLAIMS_SCHEMA = "claims/claims"
WaiverStanding = Literal["applies", "expired", "outside-firmware-range", "firmware-unknown"]
_LEADING_VERSION = re.compile(r"\d+(?:\.\d+)*")


class ClaimsError(ValueError):
    """The claims file cannot be used; ``str()`` is one line naming the file and the problem."""


def firmware_key(version: str) -> tuple[int, ...] | None:
    """Comparable form of a firmware version: its leading dotted numbers (``11.11.73 LTS`` -> 11, 11, 73).

    Trailing zeros are dropped so that ``12.0`` and ``12.0.0`` are the same release.
    """
    found = _LEADING_VERSION.match(version.strip())
    if found is None:
        return None
    parts = [int(part) for part in found.group().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True)
class Waiver:
    """A documented requirement the vendor is excused from, for a firmware range, until a day."""

    requirement: str
    reason: str
    firmware_min: str
    firmware_max: str
    expires: dt.date

    def standing(self, firmware: str | None, today: dt.date) -> WaiverStanding:
        """Whether this waiver excuses the device on ``firmware`` on ``today`` (the run's day, UTC)."""
        if today > self.expires:
            return "expired"
        key = firmware_key(firmware) if firmware else None
        if key is None:
            return "firmware-unknown"
        low, high = firmware_key(self.firmware_min), firmware_key(self.firmware_max)
        assert low is not None and high is not None  # the schema's pattern holds dotted numbers
        return "applies" if low <= key <= high else "outside-firmware-range"

    def to_dict(self) -> dict[str, str]:
        return {
            "requirement": self.requirement,
            "reason": self.reason,
            "firmware_min": self.firmware_min,
            "firmware_max": self.firmware_max,
            "expires": self.expires.isoformat(),
        }


@dataclass(frozen=True)
class Claims:
    """What the vendor claims. ``None`` (or empty) means the file does not say."""

    apis: tuple[str, ...]
    radar_revision: str | None = None
    set_method: str | None = None
    streaming_protocols: tuple[str, ...] | None = None
    model: str | None = None
    firmware: str | None = None
    waivers: tuple[Waiver, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "apis": list(self.apis),
            "radar_revision": self.radar_revision,
            "set_method": self.set_method,
            "streaming_protocols": None if self.streaming_protocols is None else list(self.streaming_protocols),
            "model": self.model,
            "firmware": self.firmware,
        }


def _json_values(node: Any) -> Any:
    """TOML's values as JSON's: dates and times become ISO 8601 text, as a JSON document would hold them."""
    if isinstance(node, Mapping):
        return {str(key): _json_values(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_json_values(item) for item in node]
    if isinstance(node, dt.date | dt.time):
        return node.isoformat()
    return node


def _waiver(entry: Mapping[str, Any], where: str) -> Waiver:
    low, high = firmware_key(entry["firmware_min"]), firmware_key(entry["firmware_max"])
    if low is None or high is None or low > high:
        raise ClaimsError(
            f"{where}: firmware_min {entry['firmware_min']} is above firmware_max {entry['firmware_max']}"
        )
    try:
        expires = dt.date.fromisoformat(entry["expires"])
    except ValueError:
        raise ClaimsError(f"{where}: expires: not a date: {entry['expires']!r}") from None
    return Waiver(entry["requirement"], entry["reason"], entry["firmware_min"], entry["firmware_max"], expires)


def parse_claims(document: Mapping[str, Any], source: str = "claims") -> Claims:
    """Check a parsed TOML document against the claims schema and the ledger, into :class:`Claims`."""
    data = _json_values(document)
    problems = schemas.validate(CLAIMS_SCHEMA, data, check_formats=True)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ClaimsError(f"{source}: {problems[0]}{more}")
    ledger = load_ledger()
    waivers = []
    for index, entry in enumerate(data.get("waiver", [])):
        where = f"{source}: waiver[{index}]"
        requirement = ledger.get(entry["requirement"])
        if requirement is None or requirement.level != "documented":
            raise ClaimsError(f"{where}: {entry['requirement']} is not a documented requirement of the ledger")
        waivers.append(_waiver(entry, where))
    claimed = data["claims"]
    device = data.get("device", {})
    protocols = claimed.get("streaming_protocols")
    return Claims(
        apis=tuple(claimed["apis"]),
        radar_revision=claimed.get("radar_revision"),
        set_method=claimed.get("set_method"),
        streaming_protocols=tuple(protocols) if protocols is not None else None,
        model=device.get("model"),
        firmware=device.get("firmware"),
        waivers=tuple(waivers),
    )


def load_claims(path: Path) -> Claims:
    """Read and check a claims file; every problem is a :class:`ClaimsError` of one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClaimsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ClaimsError(f"{path}: not UTF-8 text") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClaimsError(f"{path}: not TOML: {exc}") from None
    return parse_claims(document, str(path))
