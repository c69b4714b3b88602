"""The emulator's own field rules for camera pairing and radar requests.

Deliberately independent of ``paircert.schemas``: the suite checks the device against the
schemas, so a device that shared them would agree with the suite even where both are wrong.
Every rule answers with an :class:`Invalid` that names the field, never with the offending value,
because the value may be a password.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Literal

from ..schemas import catalogue
from .faults import NO_FAULTS, FaultSet

__all__ = [
    "ADD_FIELDS",
    "LENGTH_LIMITS",
    "PROTOCOLS",
    "AddressKind",
    "Invalid",
    "check_add",
    "check_property",
    "classify_address",
]

AddressKind = Literal["ipv4", "ipv6", "dns"]

PROTOCOLS = ("RTSP", "SRTSP")
ADD_FIELDS = ("address", "username", "password", "streamingprotocol", "verifycertificate", "description")
LENGTH_LIMITS = {"address": 64, "username": 64, "password": 64, "description": 128}

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# Faults that move a length limit: fault name -> (field, change of the limit).
_LIMIT_FAULTS = {
    "address-limit-63": ("address", -1),
    "username-limit-65": ("username", 1),
    "password-limit-65": ("password", 1),
}


class Invalid(Exception):
    """A request value breaks a rule. ``code`` is the API error code (102) or None for framework 400."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def classify_address(text: str, *, zone_index: bool = False) -> AddressKind | None:
    """Say whether ``text`` is an IPv4 address, an IPv6 address or a DNS name (error 102 otherwise).

    A name whose last label is all digits is a malformed IPv4 address, not a name. An IPv6 zone
    index (RFC 4007) counts only with ``zone_index`` (the documents are silent: a choice).
    """
    if not text or text != text.strip():
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        if "%" in text and not zone_index:  # the reference: no part of an address to pair with
            return None
        return "ipv4" if ip.version == 4 else "ipv6"
    name = text[:-1] if text.endswith(".") else text
    if len(name) > 253:
        return None
    labels = name.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None
    return "dns"


def _check_value(name: str, value: Any, faults: FaultSet = NO_FAULTS) -> None:
    if name == "verifycertificate":
        if not isinstance(value, bool) and not (
            isinstance(value, str) and faults.active("verifycertificate-accepts-strings")
        ):
            raise Invalid(f"{name} must be a boolean")
        return
    if not isinstance(value, str):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and name not in ("address", "streamingprotocol") and faults.active("strings-accept-numbers"):
            return
        raise Invalid(f"{name} must be a string")
    if name == "streamingprotocol":
        if value not in PROTOCOLS and not (value.upper() in PROTOCOLS and faults.active("protocol-any-case")):
            raise Invalid(f"{name} must be one of {', '.join(PROTOCOLS)}")
        return
    limit = LENGTH_LIMITS[name] + sum(
        change for fault, (field, change) in _LIMIT_FAULTS.items() if field == name and faults.active(fault)
    )
    bytewise = name == "description" and faults.active("description-counts-bytes")
    if len(value.encode("utf-8") if bytewise else value) > limit:
        raise Invalid(f"{name} is longer than {limit} characters")


def _check_address(value: str, zone_index: bool, faults: FaultSet = NO_FAULTS) -> None:
    if faults.active("invalid-address-accepted"):
        return
    kind = classify_address(value, zone_index=zone_index)
    if kind is None or (kind == "ipv6" and faults.active("ipv6-address-refused")):
        raise Invalid(catalogue("camera-pairing")[102].message, code=102)


def check_add(data: Any, *, zone_index: bool = False, faults: FaultSet = NO_FAULTS) -> dict[str, Any]:
    """Check an ADD body's ``data``: an object with exactly the six fields, each well formed."""
    if not isinstance(data, Mapping):
        raise Invalid("data must be an object")
    unknown = sorted(set(data) - set(ADD_FIELDS))
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(unknown)}")
    missing = [name for name in ADD_FIELDS if name not in data]
    if missing:
        raise Invalid(f"missing required field(s): {', '.join(missing)}")
    # Type, enum and length faults are reported before address validity (102).
    for name in ADD_FIELDS:
        if name != "address":
            _check_value(name, data[name], faults)
    _check_value("address", data["address"], faults)
    _check_address(data["address"], zone_index, faults)
    return {name: data[name] for name in ADD_FIELDS}


def check_property(name: str, value: Any, *, zone_index: bool = False, faults: FaultSet = NO_FAULTS) -> Any:
    """Check a SET value for one settable property (``faults``: the seeded deviations that act here)."""
    _check_value(name, value, faults)
    if name == "address":
        _check_address(value, zone_index, faults)
    return value
