"""The device a snapshot, a vacate or a restore speaks to: one client per API it offers."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.discovery import DiscoveryClient
from paircert.clients.radar import RadarClient
from paircert.clients.transcript import Transcript

__all__ = ["CAMERA_PAIRING_API", "Device", "open_device"]

CAMERA_PAIRING_API = "camera-pairing"
"""The camera pairing API's id in ``/config/discover``."""


@dataclass(frozen=True)
class Device:
    """The clients a restore speaks through; None where the device does not offer the API."""

    camera: CameraPairingClient | None
    radar: RadarClient | None


def open_device(
    client: httpx.Client, transcript: Transcript, *, set_method: str, radar_path: str | None = None
) -> Device:
    """Clients for the APIs the device offers: the camera pairing API when ``/config/discover``
    lists it, the radar CGI at ``radar_path`` or wherever it answers."""
    camera = None
    if DiscoveryClient(client, transcript).offers_dca_api(CAMERA_PAIRING_API):
        camera = CameraPairingClient(DcaClient(client, transcript, set_method=set_method))
    radar = RadarClient(client, transcript, radar_path)
    return Device(camera, radar if radar_path is not None or radar.probe() is not None else None)
