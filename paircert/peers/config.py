"""What a peer is told at start: kind, address, ports, account, certificate, identity and media."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from paircert.auth import digest_algorithms
from paircert.media.metadata import MetadataSettings
from paircert.media.video import VideoSettings

from .certs import CERT_KINDS, CertKind

__all__ = ["IDENTITIES", "PeerConfig", "PeerKind"]

PeerKind = Literal["camera", "radar"]

# (ProdNbr, ProdFullName, ProdType, SerialNumber) a peer of each kind answers by default.
IDENTITIES: dict[str, tuple[str, str, str, str]] = {
    "camera": ("I7010-VE", "AXIS I7010-VE Network Intercom", "Network Intercom", "B8A44F0A0001"),
    "radar": ("D2110-VE", "AXIS D2110-VE Security Radar", "Radar", "B8A44F0B0001"),
}


@dataclass(kw_only=True)
class PeerConfig:
    """Peer settings. A port of None serves nothing there; 0 picks a free port (tests).

    ``digest_algorithms`` is what every Digest challenge of the peer (HTTP and RTSP) offers, in
    offer order; MD5 alone by default, because that is what every common client speaks.
    """

    kind: PeerKind = "camera"
    password: str = field(repr=False)
    user: str = "root"
    address: str = "127.0.0.2"
    rtsp_port: int | None = 554
    rtsps_port: int | None = 322
    http_port: int | None = 80
    https_port: int | None = 443
    cert: CertKind = "trusted"
    hostnames: tuple[str, ...] = ()
    ca_dir: Path | None = None
    ca_cert: Path | None = None
    ca_key: Path | None = None
    prod_nbr: str | None = None
    prod_full_name: str | None = None
    video: VideoSettings = field(default_factory=VideoSettings)
    metadata: MetadataSettings = field(default_factory=MetadataSettings)
    rtsp_schemes: tuple[str, ...] = ("digest",)
    http_schemes: tuple[str, ...] = ("digest",)
    digest_algorithms: tuple[str, ...] = ("MD5",)
    session_timeout: float = 60.0
    stall_timeout: float = 5.0

    def __post_init__(self) -> None:
        if self.kind not in IDENTITIES:
            raise ValueError(f"unknown peer kind {self.kind!r}")
        if self.cert not in CERT_KINDS:
            raise ValueError(f"unknown certificate kind {self.cert!r}; choose from {', '.join(CERT_KINDS)}")
        if not self.user or ":" in self.user:
            raise ValueError("the peer user name must be non-empty and free of ':'")
        if not self.password:
            raise ValueError("the peer needs a password")
        self.digest_algorithms = digest_algorithms(self.digest_algorithms)
        for port in (self.rtsp_port, self.rtsps_port, self.http_port, self.https_port):
            if port is not None and not 0 <= port <= 65535:
                raise ValueError(f"port {port} out of range")

    def properties(self) -> dict[str, str]:
        """Basic device info overrides for this peer's identity."""
        number, full, kind, serial = IDENTITIES[self.kind]
        number = self.prod_nbr or number
        full = self.prod_full_name or full
        return {
            "ProdNbr": number,
            "ProdFullName": full,
            "ProdShortName": f"AXIS {number}",
            "ProdType": kind,
            "SerialNumber": serial,
            "HardwareID": "PCP" + self.kind[0].upper(),
        }
