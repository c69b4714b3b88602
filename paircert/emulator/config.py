"""What an emulator instance is told at start: where it listens, who may log in, what it may dial.

The configuration is the only input besides the state directory, so two emulators with equal
configurations and equal state files behave alike; nothing is read from the environment here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..auth import digest_algorithms
from .choices import REFERENCE, Choices
from .faults import NO_FAULTS, FaultSet

__all__ = ["AuthMode", "EmulatorConfig", "FaultSet", "PeerLink", "RadarRevision", "Role", "User"]

Role = Literal["admin", "operator", "viewer"]
PeerLink = Literal["stream", "tcp"]
AuthMode = Literal["digest", "basic", "both"]
RadarRevision = Literal["2025-08", "2026-01"]

_ROLES = ("admin", "operator", "viewer")
_AUTH_MODES = ("digest", "basic", "both")
_PEER_LINKS = ("stream", "tcp")


@dataclass(frozen=True)
class User:
    """A device account. The password is kept out of ``repr`` so a logged config leaks nothing."""

    name: str
    password: str
    role: Role

    def __post_init__(self) -> None:
        if self.role not in _ROLES:
            raise ValueError(f"unknown role {self.role!r} for user {self.name!r}")
        if not self.name or ":" in self.name:
            raise ValueError("a user name must be non-empty and free of ':'")

    def __repr__(self) -> str:
        return f"User(name={self.name!r}, password=<redacted>, role={self.role!r})"


@dataclass(kw_only=True)
class EmulatorConfig:
    """Emulator settings; ports 0 mean "pick a free port" and the real ones are reported on ready.

    ``rtsp_port``/``rtsps_port`` are where the emulator re-serves its paired peers' media (554 and
    322 on a real device; 0 here, so tests get free ports). ``peer_*_port`` are where it looks for
    a peer's RTSP, RTSPS, HTTP and HTTPS services (a paired address has no port).
    ``trust_ca_file`` is the emulator's trust store for peer certificates (the CA that signs the
    peers' "trusted" certificate; None: the system store). ``peer_link`` picks how a link judges a
    peer: ``stream`` runs the reference link sequence (PROTOCOL-NOTES §3: basicdeviceinfo.cgi,
    then RTSP until frames flow); ``tcp`` is the old stand-in (a TCP connect to the peer's RTSP
    port counts as up), kept only for API tests that host no peer. ``digest_algorithms`` is what
    every Digest challenge of the emulator (HTTP and the RTSP re-serve) offers, in offer order.
    ``choices`` is what the emulator does where the documents are silent (``paircert.emulator.choices``).
    ``faults`` are the seeded deviations it runs with (``paircert.emulator.faults``; none by default).
    """

    state_dir: Path
    users: list[User]
    host: str = "127.0.0.1"
    http_port: int = 0
    https_port: int = 0
    own_addresses: list[str] = field(default_factory=list)
    dial_allow: list[str] = field(default_factory=lambda: ["127.0.0.0/8", "::1/128"])
    name_table: dict[str, list[str]] = field(default_factory=lambda: {"localhost": ["127.0.0.1", "::1"]})
    auth_http: AuthMode = "digest"
    auth_https: AuthMode = "basic"
    digest_algorithms: tuple[str, ...] = ("MD5",)
    certfile: Path | None = None
    keyfile: Path | None = None
    peer_rtsp_port: int = 554
    peer_rtsps_port: int = 322
    peer_http_port: int = 80
    peer_https_port: int = 443
    rtsp_port: int = 0
    rtsps_port: int = 0
    trust_ca_file: Path | None = None
    peer_link: PeerLink = "stream"
    radar_revision: RadarRevision = "2025-08"
    radar_versions: list[str] = field(default_factory=lambda: ["1.0"])
    choices: Choices = REFERENCE
    faults: FaultSet = NO_FAULTS

    def __post_init__(self) -> None:
        self.state_dir = Path(self.state_dir)
        for mode in (self.auth_http, self.auth_https):
            if mode not in _AUTH_MODES:
                raise ValueError(f"unknown auth mode {mode!r}")
        self.digest_algorithms = digest_algorithms(self.digest_algorithms)
        if self.peer_link not in _PEER_LINKS:
            raise ValueError(f"unknown peer link {self.peer_link!r}")
        if self.trust_ca_file is not None:
            self.trust_ca_file = Path(self.trust_ca_file)
        if self.radar_revision not in ("2025-08", "2026-01"):
            raise ValueError(f"unknown radar revision {self.radar_revision!r}")
        if (self.certfile is None) != (self.keyfile is None):
            raise ValueError("certfile and keyfile go together")
        if not self.radar_versions:
            raise ValueError("the radar API needs at least one supported version")
        names = [user.name for user in self.users]
        if len(names) != len(set(names)):
            raise ValueError("user names must be unique")

    def user(self, name: str) -> User | None:
        return next((user for user in self.users if user.name == name), None)
