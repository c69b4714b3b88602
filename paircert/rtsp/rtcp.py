"""RTCP (RFC 3550 §6): sender and receiver reports, BYE, and compound packets.

Sender reports map RTP time to NTP wall-clock time, which receivers need to turn RTP timestamps
into capture times when the ONVIF extension is absent. Other packet types (SDES, APP, feedback)
are kept as raw :class:`RtcpUnknown` so a compound packet always round-trips.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from paircert.rtsp.errors import MalformedPacket

__all__ = ["Bye", "ReceiverReport", "ReportBlock", "RtcpPacket", "RtcpUnknown", "SenderReport", "parse_compound"]

SR, RR, BYE = 200, 201, 203
_BLOCK = struct.Struct("!IB3sIIII")


@dataclass(frozen=True)
class ReportBlock:
    """Reception statistics about one source (RFC 3550 §6.4.1)."""

    ssrc: int
    fraction_lost: int = 0
    packets_lost: int = 0
    highest_sequence: int = 0
    jitter: int = 0
    last_sr: int = 0
    delay_since_last_sr: int = 0

    def serialize(self) -> bytes:
        lost = (self.packets_lost & 0xFFFFFF).to_bytes(3, "big")
        return _BLOCK.pack(
            self.ssrc,
            self.fraction_lost,
            lost,
            self.highest_sequence,
            self.jitter,
            self.last_sr,
            self.delay_since_last_sr,
        )

    @classmethod
    def parse(cls, data: bytes, offset: int) -> ReportBlock:
        ssrc, fraction, lost, highest, jitter, lsr, dlsr = _BLOCK.unpack_from(data, offset)
        return cls(ssrc, fraction, int.from_bytes(lost, "big", signed=True), highest, jitter, lsr, dlsr)


def _header(count: int, packet_type: int, body: bytes) -> bytes:
    if count > 31 or len(body) % 4:
        raise MalformedPacket("more than 31 items in one RTCP packet, or a body not in whole words")
    return struct.pack("!BBH", 0x80 | count, packet_type, len(body) // 4) + body


@dataclass(frozen=True)
class SenderReport:
    ssrc: int
    ntp_timestamp: int
    rtp_timestamp: int
    packet_count: int
    octet_count: int
    reports: tuple[ReportBlock, ...] = field(default=())

    def serialize(self) -> bytes:
        rtp = self.rtp_timestamp & 0xFFFF_FFFF
        body = struct.pack("!IQIII", self.ssrc, self.ntp_timestamp, rtp, self.packet_count, self.octet_count)
        return _header(len(self.reports), SR, body + b"".join(r.serialize() for r in self.reports))


@dataclass(frozen=True)
class ReceiverReport:
    ssrc: int
    reports: tuple[ReportBlock, ...] = field(default=())

    def serialize(self) -> bytes:
        blocks = b"".join(r.serialize() for r in self.reports)
        return _header(len(self.reports), RR, struct.pack("!I", self.ssrc) + blocks)


@dataclass(frozen=True)
class Bye:
    sources: tuple[int, ...] = field(default=())

    def serialize(self) -> bytes:
        return _header(len(self.sources), BYE, b"".join(struct.pack("!I", s) for s in self.sources))


@dataclass(frozen=True)
class RtcpUnknown:
    """A packet type this module does not model, kept byte for byte."""

    packet_type: int
    count: int
    body: bytes

    def serialize(self) -> bytes:
        return _header(self.count, self.packet_type, self.body)


RtcpPacket = SenderReport | ReceiverReport | Bye | RtcpUnknown


def _parse_one(count: int, packet_type: int, body: bytes) -> RtcpPacket:
    if packet_type == SR:
        if len(body) < 24 + 24 * count:
            raise MalformedPacket("sender report shorter than its report count")
        ssrc, ntp, rtp, packets, octets = struct.unpack_from("!IQIII", body)
        blocks = tuple(ReportBlock.parse(body, 24 + 24 * i) for i in range(count))
        return SenderReport(ssrc, ntp, rtp, packets, octets, blocks)
    if packet_type == RR:
        if len(body) < 4 + 24 * count:
            raise MalformedPacket("receiver report shorter than its report count")
        (ssrc,) = struct.unpack_from("!I", body)
        return ReceiverReport(ssrc, tuple(ReportBlock.parse(body, 4 + 24 * i) for i in range(count)))
    if packet_type == BYE:
        if len(body) < 4 * count:
            raise MalformedPacket("BYE shorter than its source count")
        return Bye(struct.unpack_from(f"!{count}I", body))
    return RtcpUnknown(packet_type, count, body)


def parse_compound(data: bytes) -> list[RtcpPacket]:
    """Every packet of a compound RTCP packet; padding is stripped, lengths must add up."""
    packets: list[RtcpPacket] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < 4:
            raise MalformedPacket("RTCP packet shorter than its header")
        first, packet_type, words = struct.unpack_from("!BBH", data, offset)
        if first >> 6 != 2:
            raise MalformedPacket(f"RTCP version {first >> 6}, expected 2")
        end = offset + 4 + 4 * words
        if end > len(data):
            raise MalformedPacket("RTCP length runs past the end of the data")
        body = data[offset + 4 : end]
        if first & 0x20:
            if not body or body[-1] == 0 or body[-1] > len(body):
                raise MalformedPacket("bad RTCP padding")
            body = body[: -body[-1]]
        packets.append(_parse_one(first & 0x1F, packet_type, bytes(body)))
        offset = end
    if not packets:
        raise MalformedPacket("empty RTCP packet")
    return packets
