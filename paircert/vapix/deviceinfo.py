"""Basic device information (API discovery id ``basic-device-info``): the property set and its CGI.

Clients in the wild read the whole property set, so every simulated device serves all of it;
``getAllUnrestrictedProperties`` answers the unrestricted part without credentials. The emulator
and the peers both answer through :class:`DeviceInfoCgi`, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import metadata
from typing import Any

from paircert.vapix.paths import DEVICEINFO_PATH

from .body import BodyError
from .cgi import CgiCall, CgiChoices, CgiError, CgiResult, JsonCgi

__all__ = [
    "DEVICEINFO_PATH",
    "METHODS",
    "OPEN_METHODS",
    "RESTRICTED",
    "UNRESTRICTED",
    "VERSION",
    "DeviceInfoCgi",
    "properties",
]

VERSION = "1.3"
OPEN_METHODS = ("getAllUnrestrictedProperties", "getSupportedVersions")
"""The methods that answer without credentials."""
METHODS = ("getAllProperties", "getProperties", *OPEN_METHODS)

UNRESTRICTED = (
    "Brand",
    "BuildDate",
    "HardwareID",
    "ProdFullName",
    "ProdNbr",
    "ProdShortName",
    "ProdType",
    "ProdVariant",
    "SerialNumber",
    "Version",
    "WebURL",
)
RESTRICTED = ("Architecture", "Soc", "SocSerialNumber")


def _version() -> str:
    try:
        return metadata.version("paircert")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def properties(**overrides: str) -> dict[str, str]:
    """The full property set of the reference emulator, with ``overrides`` (e.g. ``ProdNbr``) applied."""
    unknown = set(overrides) - set(UNRESTRICTED) - set(RESTRICTED)
    if unknown:
        raise ValueError(f"unknown basic device info properties {sorted(unknown)}")
    values = {
        "Architecture": "x86_64",
        "Brand": "AXIS",
        "BuildDate": "Jan 01 2026 00:00",
        "HardwareID": "PCE0",
        "ProdFullName": "AXIS paircert Reference Emulator",
        "ProdNbr": "PAIRCERT-EMU",
        "ProdShortName": "paircert emulator",
        "ProdType": "Network Camera",
        "ProdVariant": "",
        "SerialNumber": "B8A44F000001",
        "Soc": "Emulated SoC",
        "SocSerialNumber": "00000000-00000000-00000001",
        "Version": _version(),
        "WebURL": "https://www.axis.com/",
    }
    values.update(overrides)
    return values


class DeviceInfoCgi:
    """The JSON CGI over one property set; the shell says whether the caller authenticated."""

    def __init__(self, values: Mapping[str, str], choices: CgiChoices | None = None) -> None:
        self.properties = dict(values)
        self.cgi = JsonCgi([VERSION], METHODS, choices)
        self._handlers: dict[str, Callable[[CgiCall], Any]] = {
            "getAllProperties": self._all,
            "getAllUnrestrictedProperties": self._unrestricted,
            "getProperties": self._some,
            "getSupportedVersions": self._versions,
        }

    def handle(
        self, http_method: str, body: bytes | BodyError, *, authenticated: bool, refused: bool = False
    ) -> CgiResult:
        """The answer; a 401 result still needs the shell's ``WWW-Authenticate`` challenges.

        ``refused``: the request carried credentials that failed, which no method overlooks.
        """

        def authorize(method: str) -> int | None:
            return None if not refused and (authenticated or method in OPEN_METHODS) else 401

        return self.cgi.handle(http_method, body, self._handlers, authorize=authorize)

    def _all(self, call: CgiCall) -> Any:
        return {"propertyList": dict(self.properties)}

    def _unrestricted(self, call: CgiCall) -> Any:
        return {"propertyList": {name: self.properties[name] for name in UNRESTRICTED}}

    def _some(self, call: CgiCall) -> Any:
        names = call.params.get("propertyList")
        if names is None:
            raise CgiError(2103)
        if not isinstance(names, list) or not all(isinstance(n, str) and n in self.properties for n in names):
            raise CgiError(2104)
        return {"propertyList": {name: self.properties[name] for name in names}}

    def _versions(self, call: CgiCall) -> Any:
        return {"apiVersions": self.cgi.supported()}
