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


def _check_value(name: str, value: Any) -> None:
    if name == "verifycertificate":
        if not isinstance(value, bool):
            raise Invalid(f"{name} must be a boolean")
        return
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a string")
    if name == "streamingprotocol":
        if value not in PROTOCOLS:
            raise Invalid(f"{name} must be one of {', '.join(PROTOCOLS)}")
        return
    limit = LENGTH_LIMITS[name]
    if len(value) > limit:
        raise Invalid(f"{name} is longer than {limit} characters")


def _check_address(value: str, zone_index: bool) -> None:
    if classify_address(value, zone_index=zone_index) is None:
        raise Invalid(catalogue("camera-pairing")[102].message, code=102)


def check_add(data: Any, *, zone_index: bool = False) -> dict[str, Any]:
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
            _check_value(name, data[name])
    _check_value("address", data["address"])
    _check_address(data["address"], zone_index)
    return {name: data[name] for name in ADD_FIELDS}


def check_property(name: str, value: Any, *, zone_index: bool = False) -> Any:
    """Check a SET value for one settable property."""
    _check_value(name, value)
    if name == "address":
        _check_address(value, zone_index)
    return value
