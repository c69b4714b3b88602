"""Basic device information (API discovery id ``basic-device-info``): the property set and its split.

Clients in the wild read the whole property set, so every simulated device serves all of it;
``getAllUnrestrictedProperties`` answers the unrestricted part without credentials.
"""

from __future__ import annotations

from importlib import metadata

from paircert.vapix.paths import DEVICEINFO_PATH

__all__ = ["DEVICEINFO_PATH", "RESTRICTED", "UNRESTRICTED", "VERSION", "properties"]

VERSION = "1.3"

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
