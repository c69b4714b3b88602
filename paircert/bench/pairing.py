"""Pairing the target with a hosted peer for a benchmark, watching its status, and undoing it.

A benchmark, like the suites, changes nothing it did not create: it refuses a device that already
has a camera pairing or a radar configuration (:class:`BenchBlocked`, with the reason) and
removes what it added.
"""

from __future__ import annotations

import time
from typing import Any

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.radar import RadarClient

__all__ = ["BenchBlocked", "add_pairing", "link_radar", "pairing_status", "unlink_radar", "wait_status"]


class BenchBlocked(Exception):
    """A precondition of the benchmark does not hold; the message says which."""


def add_pairing(client: CameraPairingClient, address: str, user: str, password: str, description: str) -> str:
    """ADD an RTSP pairing on an empty device; its id."""
    listing = client.list()
    if not listing.ok or not isinstance(listing.json, dict):
        raise BenchBlocked(f"the camera pairing collection did not answer (HTTP {listing.status_code})")
    if listing.json.get("data"):
        raise BenchBlocked("the device already has a camera pairing; remove it (or use a lab device) to benchmark")
    fields = {
        "address": address,
        "username": user,
        "password": password,
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": description,
    }
    resp = client.add(fields)
    if not resp.ok:
        raise BenchBlocked(f"ADD of a pairing was refused (HTTP {resp.status_code}, error {resp.error_code})")
    data = resp.json.get("data") if isinstance(resp.json, dict) else None
    if isinstance(data, dict) and "id" in data:
        return str(data["id"])
    listing = client.list()
    items = listing.json.get("data") if isinstance(listing.json, dict) else None
    if not isinstance(items, list) or len(items) != 1:
        raise BenchBlocked("after one ADD on an empty device the collection does not hold exactly one pairing")
    pairing_id = str(items[0]["id"])
    client.created.append(pairing_id)
    return pairing_id


def pairing_status(client: CameraPairingClient, pairing_id: str) -> str | None:
    resp = client.get_property(pairing_id, "status")
    data = resp.json.get("data") if resp.ok and isinstance(resp.json, dict) else None
    return data if isinstance(data, str) else None


def wait_status(
    client: CameraPairingClient, pairing_id: str, wanted: str, *, timeout: float, interval: float = 0.02
) -> float | None:
    """The Unix time the status was first read as ``wanted``; None when it was not within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pairing_status(client, pairing_id) == wanted:
            return time.time()
        time.sleep(interval)
    return None


def link_radar(client: RadarClient, address: str, user: str, password: str, *, activate: bool = True) -> None:
    """setRadarConnection without TLS (in the device's document revision), then setActive(true)."""
    current = client.get_radar_connection()
    data: Any = current.json.get("data") if current.ok and isinstance(current.json, dict) else None
    if not isinstance(data, dict):
        raise BenchBlocked(f"getRadarConnection did not answer (HTTP {current.status_code})")
    if data.get("address"):
        raise BenchBlocked("the device already has a radar configuration; clear it (or use a lab device) to benchmark")
    params: dict[str, Any] = {"address": address, "user": user, "password": password}
    if "tls-certificate-cn" in data:
        params["tls-certificate-cn"] = ""
    else:
        params["tls"], params["tls-verify"] = False, False
    resp = client.call("setRadarConnection", params)
    if not resp.ok:
        raise BenchBlocked(f"setRadarConnection was refused (HTTP {resp.status_code}, error {resp.error_code})")
    resp = client.set_active(True) if activate else resp
    if not resp.ok:
        raise BenchBlocked(f"setActive(true) was refused (error {resp.error_code})")


def unlink_radar(client: RadarClient) -> None:
    client.set_active(False)
    client.clear_configuration()
