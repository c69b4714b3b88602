"""RTP packets (RFC 3550 §5.1) and the ONVIF replay header extension (profile 0xABAC).

The ONVIF extension carries the capture time of every packet as a 64-bit NTP timestamp, which is
what lets paircert measure stream latency with one clock. NTP helpers live here because that is
the only place wall-clock time enters an RTP packet.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from paircert.rtsp.errors import MalformedPacket

__all__ = ["HeaderExtension", "OnvifReplay", "RtpPacket", "ntp_to_unix", "unix_to_ntp"]

ONVIF_REPLAY_PROFILE = 0xABAC
NTP_UNIX_OFFSET = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
_HEADER = struct.Struct("!BBHII")


def unix_to_ntp(seconds: float) -> int:
    """64-bit NTP timestamp (32.32 fixed point since 1900) for a Unix time."""
    return round((seconds + NTP_UNIX_OFFSET) * (1 << 32)) & 0xFFFF_FFFF_FFFF_FFFF


def ntp_to_unix(ntp: int) -> float:
    """Unix time of a 64-bit NTP timestamp.

    NTP seconds wrap in February 2036; as RFC 4330 §3 advises, a timestamp whose top bit is clear
    is read as after the wrap, so the mapping holds from 1968 to 2104.
    """
    era = 1 << 64 if not ntp & (1 << 63) else 0
    return (ntp + era) / (1 << 32) - NTP_UNIX_OFFSET


@dataclass(frozen=True)
class HeaderExtension:
    """The RFC 3550 §5.3.1 extension: a 16-bit profile word and data in whole 32-bit words."""

    profile: int
    data: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.profile <= 0xFFFF or len(self.data) % 4 or len(self.data) > 0xFFFF * 4:
            raise MalformedPacket("extension profile out of range or data not whole 32-bit words")


@dataclass(frozen=True)
class OnvifReplay:
    """ONVIF Streaming Specification §6.3: capture time and the C/E/D/T flags of a packet.

    ``clean_point`` marks a packet that starts a decodable frame (a key frame), ``end`` the last
    packet of a contiguous section, ``discontinuity`` a gap before this packet, ``terminal`` the
    last packet of the stream; ``cseq`` is the low byte of the CSeq of the PLAY that started it.
    """

    ntp: int
    clean_point: bool = False
    end: bool = False
    discontinuity: bool = False
    terminal: bool = False
    cseq: int = 0

    def to_extension(self) -> HeaderExtension:
        flags = (self.clean_point << 7) | (self.end << 6) | (self.discontinuity << 5) | (self.terminal << 4)
        return HeaderExtension(ONVIF_REPLAY_PROFILE, struct.pack("!QBBH", self.ntp, flags, self.cseq & 0xFF, 0))

    @classmethod
    def from_extension(cls, extension: HeaderExtension) -> OnvifReplay:
        if extension.profile != ONVIF_REPLAY_PROFILE or len(extension.data) < 12:
            raise MalformedPacket("not an ONVIF replay extension")
        ntp, flags, cseq, _ = struct.unpack_from("!QBBH", extension.data)
        return cls(ntp, bool(flags & 0x80), bool(flags & 0x40), bool(flags & 0x20), bool(flags & 0x10), cseq)

    @property
    def unix_time(self) -> float:
        return ntp_to_unix(self.ntp)


@dataclass(frozen=True)
class RtpPacket:
    """One RTP packet. Padding is removed on parse and never added on serialise."""

    payload_type: int
    sequence_number: int
    timestamp: int
    ssrc: int
    payload: bytes = b""
    marker: bool = False
    csrc: tuple[int, ...] = field(default=())
    extension: HeaderExtension | None = None

    @property
    def onvif_replay(self) -> OnvifReplay | None:
        """The ONVIF replay extension, when this packet carries one."""
        if self.extension is None or self.extension.profile != ONVIF_REPLAY_PROFILE:
            return None
        return OnvifReplay.from_extension(self.extension)

    @property
    def header_size(self) -> int:
        extension = 0 if self.extension is None else 4 + len(self.extension.data)
        return 12 + 4 * len(self.csrc) + extension

    def serialize(self) -> bytes:
        if not (0 <= self.payload_type <= 127 and len(self.csrc) <= 15):
            raise MalformedPacket("payload type or CSRC count out of range")
        first = 0x80 | (0x10 if self.extension is not None else 0) | len(self.csrc)
        second = (0x80 if self.marker else 0) | self.payload_type
        parts = [
            _HEADER.pack(first, second, self.sequence_number & 0xFFFF, self.timestamp & 0xFFFF_FFFF, self.ssrc),
            *(struct.pack("!I", c) for c in self.csrc),
        ]
        if self.extension is not None:
            parts.append(struct.pack("!HH", self.extension.profile, len(self.extension.data) // 4))
            parts.append(self.extension.data)
        parts.append(self.payload)
        return b"".join(parts)

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < 12:
            raise MalformedPacket(f"RTP packet of {len(data)} bytes is shorter than its header")
        first, second, seq, timestamp, ssrc = _HEADER.unpack_from(data)
        if first >> 6 != 2:
            raise MalformedPacket(f"RTP version {first >> 6}, expected 2")
        offset = 12 + 4 * (first & 0x0F)
        if len(data) < offset:
            raise MalformedPacket("RTP packet truncated inside its CSRC list")
        csrc = struct.unpack_from(f"!{first & 0x0F}I", data, 12)
        extension = None
        if first & 0x10:
            if len(data) < offset + 4:
                raise MalformedPacket("RTP packet truncated inside its extension header")
            profile, words = struct.unpack_from("!HH", data, offset)
            end = offset + 4 + 4 * words
            if len(data) < end:
                raise MalformedPacket("RTP packet truncated inside its extension")
            extension = HeaderExtension(profile, bytes(data[offset + 4 : end]))
            offset = end
        stop = len(data)
        if first & 0x20:
            padding = data[-1]
            if padding == 0 or offset + padding > len(data):
                raise MalformedPacket("RTP padding longer than the packet")
            stop -= padding
        return cls(second & 0x7F, seq, timestamp, ssrc, bytes(data[offset:stop]), bool(second & 0x80), csrc, extension)
