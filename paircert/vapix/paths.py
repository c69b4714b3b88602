"""Where each API lives on a device: the one statement of every path paircert sends to or serves.

The emulator routes these, the clients call them and the report classifies traffic by them; a path
written twice drifts (the camera API root once lived in four places). PROTOCOL-NOTES §1-§3 give them.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "APIDISCOVERY_PATH",
    "CAMERA_API_ROOT",
    "CAMERA_COLLECTION",
    "DCA_DISCOVER_ROOT",
    "DEVICEINFO_PATH",
    "MEDIA_PATH",
    "RADAR_METADATA_PATH",
    "RADAR_PATHS",
]

CAMERA_API_ROOT: Final = "/config/rest/camera-pairing/v1beta"
"""PROTOCOL-NOTES §1: the camera pairing API root (DCA-API-ROOT)."""

CAMERA_COLLECTION: Final = f"{CAMERA_API_ROOT}/camerapairings"

DCA_DISCOVER_ROOT: Final = "/config/discover"
"""PROTOCOL-NOTES §1: DCA discovery, where the camera pairing API is listed."""

APIDISCOVERY_PATH: Final = "/axis-cgi/apidiscovery.cgi"
"""PROTOCOL-NOTES §2: the classic VAPIX API discovery CGI, where the radar API is listed."""

DEVICEINFO_PATH: Final = "/axis-cgi/basicdeviceinfo.cgi"
"""PROTOCOL-NOTES §3: basic device information, how a device learns who its peer is."""

RADAR_PATHS: Final = ("/axis-cgi/networkradarpairing.cgi", "/networkradarpairing.cgi")
"""PROTOCOL-NOTES §2: every other Axis JSON CGI lives under /axis-cgi/; the document shows the bare
path. Devices may answer either, so both are served and probed in this order (VAPIX-CGI-PATH)."""

MEDIA_PATH: Final = "/axis-media/media.amp"
"""PROTOCOL-NOTES §3: the RTSP/RTSPS media path of an Axis device, the peers' and the emulator's."""

RADAR_METADATA_PATH: Final = f"{MEDIA_PATH}?video=0&audio=0&analytics=polygon"
"""PROTOCOL-NOTES §3: the radar's metadata stream (ONVIF metadata, no video, no audio)."""
