"""Errors of the RTSP core, split by who broke the protocol (the h11 convention).

A conformance tool must tell "the device sent garbage" (a finding about the device) from "we sent
garbage" (a bug in paircert). Every framing or state violation raises one of the two; packet
classes raise :class:`MalformedPacket` because a bad RTP payload is data, not framing.
"""

from __future__ import annotations

__all__ = ["LocalProtocolError", "MalformedPacket", "ProtocolError", "RemoteProtocolError"]


class ProtocolError(Exception):
    """The RTSP conversation cannot go on.

    ``error_status_hint`` is the status a server should answer before closing (400 unless the
    cause says otherwise), as in h11.
    """

    def __init__(self, message: str, *, error_status_hint: int = 400) -> None:
        super().__init__(message)
        self.error_status_hint = error_status_hint


class RemoteProtocolError(ProtocolError):
    """The other side broke RTSP: malformed bytes, oversize headers, unmatched CSeq."""


class LocalProtocolError(ProtocolError):
    """We tried to send something RTSP forbids: a bug in the caller, never the peer's fault."""


class MalformedPacket(ValueError):
    """An RTP, RTCP, SDP or H.264 payload that cannot be parsed."""
