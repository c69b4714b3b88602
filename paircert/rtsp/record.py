"""What a client did on one connection to the RTSP server, for tests and reports.

Conformance cases check the device's side of a link through this record (did it use TLS 1.3, send
SNI, answer Digest, ask for TCP interleaving). It never holds a credential: only the scheme and
whether it was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ClientRecord"]

MAX_METHODS = 1000


@dataclass
class ClientRecord:
    peer: str
    tls_version: str | None = None
    server_name: str | None = None
    auth_scheme: str | None = None
    authenticated: bool = False
    user_agent: str | None = None
    methods: list[str] = field(default_factory=list)
    url: str | None = None
    transport: str | None = None
    frames_sent: int = 0
    frames_dropped: int = 0
    max_queue_depth: int = 0
    protocol_error: str | None = None
    closed_reason: str | None = None

    def saw(self, method: str) -> None:
        """Note a request method (bounded, so a flooding client cannot grow the record)."""
        if len(self.methods) < MAX_METHODS:
            self.methods.append(method)
