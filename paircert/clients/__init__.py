"""Protocol clients the suites use to speak to a target (a device or the emulator) over HTTP."""

from __future__ import annotations

from paircert.clients.camera_pairing import API_ROOT, CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.discovery import DeviceInfoClient, DiscoveryClient
from paircert.clients.http import Credentials, open_client
from paircert.clients.radar import RADAR_PATHS, RadarClient
from paircert.clients.response import ApiResponse
from paircert.clients.transcript import REDACTED, Exchange, Transcript, redact_json, redact_text

__all__ = [
    "API_ROOT",
    "RADAR_PATHS",
    "REDACTED",
    "ApiResponse",
    "CameraPairingClient",
    "Credentials",
    "DcaClient",
    "DeviceInfoClient",
    "DiscoveryClient",
    "Exchange",
    "RadarClient",
    "Transcript",
    "open_client",
    "redact_json",
    "redact_text",
]
