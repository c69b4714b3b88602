"""H.264 over RTP (RFC 6184, packetization-mode=1): packetiser and loss-aware depacketiser.

The packetiser turns one access unit (a list of NAL units) into single-NAL and FU-A packets no
larger than the MTU, with the marker bit on the last packet. The depacketiser rebuilds access
units and says which ones lost packets, so a peer or benchmark can tell a damaged frame from a
slow one instead of feeding a decoder garbage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from paircert.rtsp.errors import MalformedPacket
from paircert.rtsp.rtp import HeaderExtension, OnvifReplay, RtpPacket

__all__ = ["AccessUnit", "H264Depacketizer", "H264Packetizer", "split_annexb"]

STAP_A, FU_A = 24, 28
_START_CODE = re.compile(b"\x00\x00\x01")


def split_annexb(data: bytes) -> list[bytes]:
    """NAL units of an Annex B byte stream (what encoders such as FFmpeg emit)."""
    starts = [m.end() for m in _START_CODE.finditer(data)]
    ends = [start - 3 for start in starts[1:]]
    # A NAL unit ends in a non-zero byte (its stop bit), so zeros before the next start code are
    # the leading zero of a four-byte start code or trailing_zero_8bits, not part of the unit.
    nals = [data[start:end].rstrip(b"\x00") for start, end in zip(starts, ends, strict=False)]
    if starts:
        nals.append(data[starts[-1] :])
    return [nal for nal in nals if nal]


class H264Packetizer:
    """Packetises access units of one stream; keeps its sequence number across calls.

    ``mtu`` bounds the whole RTP packet (header, extension and payload), which is what must fit
    a network packet or one interleaved frame.
    """

    def __init__(self, *, ssrc: int, payload_type: int = 96, mtu: int = 1400, sequence_number: int = 0) -> None:
        self.ssrc = ssrc
        self.payload_type = payload_type
        self.mtu = mtu
        self.sequence_number = sequence_number & 0xFFFF

    def _packet(self, payload: bytes, timestamp: int, marker: bool, extension: HeaderExtension | None) -> RtpPacket:
        packet = RtpPacket(
            self.payload_type, self.sequence_number, timestamp, self.ssrc, payload, marker, (), extension
        )
        self.sequence_number = (self.sequence_number + 1) & 0xFFFF
        return packet

    def packetize(
        self, nals: Sequence[bytes], timestamp: int, extension: HeaderExtension | None = None
    ) -> list[RtpPacket]:
        """Packets for one access unit; ``extension`` (e.g. ONVIF replay) goes on every packet."""
        room = self.mtu - 12 - (0 if extension is None else 4 + len(extension.data))
        if room < 3:
            raise ValueError(f"MTU {self.mtu} leaves no room for an FU-A fragment")
        payloads: list[bytes] = []
        for nal in nals:
            if not nal:
                raise MalformedPacket("empty NAL unit")
            if len(nal) <= room:
                payloads.append(nal)
                continue
            indicator = (nal[0] & 0xE0) | FU_A
            body = nal[1:]
            chunk = room - 2
            for offset in range(0, len(body), chunk):
                start = 0x80 if offset == 0 else 0
                end = 0x40 if offset + chunk >= len(body) else 0
                payloads.append(bytes([indicator, start | end | (nal[0] & 0x1F)]) + body[offset : offset + chunk])
        return [
            self._packet(payload, timestamp, index == len(payloads) - 1, extension)
            for index, payload in enumerate(payloads)
        ]


@dataclass(frozen=True)
class AccessUnit:
    """One reassembled frame. ``complete`` is False when any of its packets was lost."""

    timestamp: int
    nals: tuple[bytes, ...]
    complete: bool
    replay: OnvifReplay | None = None

    def annexb(self) -> bytes:
        return b"".join(b"\x00\x00\x00\x01" + nal for nal in self.nals)


class H264Depacketizer:
    """Reassembles access units from RTP packets in arrival order (TCP keeps order).

    A gap in sequence numbers counts as lost packets and damages the access unit it falls in
    (both, when the gap spans a frame boundary); late or duplicate packets are counted and
    dropped. A new timestamp closes a frame whose marker packet was lost.
    """

    def __init__(self) -> None:
        self.lost_packets = 0
        self.late_packets = 0
        self.gaps: list[tuple[int, int]] = []
        self._expected: int | None = None
        self._timestamp: int | None = None
        self._nals: list[bytes] = []
        self._fu: bytearray | None = None
        self._damaged = False
        self._replay: OnvifReplay | None = None

    def push(self, packet: RtpPacket) -> list[AccessUnit]:
        """Feed one packet; returns the access units it completed (zero, one or two)."""
        gap = False
        if self._expected is not None:
            delta = (packet.sequence_number - self._expected) & 0xFFFF
            if delta >= 0x8000:
                self.late_packets += 1
                return []
            if delta:
                gap = True
                self.lost_packets += delta
                self.gaps.append((self._expected, packet.sequence_number))
        self._expected = (packet.sequence_number + 1) & 0xFFFF
        done: list[AccessUnit] = []
        if self._timestamp is not None and packet.timestamp != self._timestamp:
            self._damaged = self._damaged or gap
            done += self._finish()
        if self._timestamp is None:
            self._timestamp = packet.timestamp
            self._replay = packet.onvif_replay
        self._damaged = self._damaged or gap
        if gap:
            self._fu = None
        self._take(packet.payload)
        if packet.marker:
            done += self._finish()
        return done

    def _take(self, payload: bytes) -> None:
        if not payload:
            raise MalformedPacket("empty H.264 RTP payload")
        kind = payload[0] & 0x1F
        if 1 <= kind <= 23:
            self._nals.append(payload)
        elif kind == STAP_A:
            offset = 1
            while offset < len(payload):
                size = int.from_bytes(payload[offset : offset + 2], "big")
                if size == 0 or offset + 2 + size > len(payload):
                    raise MalformedPacket("STAP-A unit runs past the packet")
                self._nals.append(payload[offset + 2 : offset + 2 + size])
                offset += 2 + size
        elif kind == FU_A:
            self._take_fragment(payload)
        else:
            raise MalformedPacket(f"NAL unit type {kind} is not allowed in packetization-mode=1")

    def _take_fragment(self, payload: bytes) -> None:
        if len(payload) < 2:
            raise MalformedPacket("FU-A packet without an FU header")
        header = payload[1]
        start, end = bool(header & 0x80), bool(header & 0x40)
        if start and end:
            raise MalformedPacket("FU-A with both start and end bits")
        if start:
            self._fu = bytearray([(payload[0] & 0xE0) | (header & 0x1F)])
        elif self._fu is None:  # the start was lost; the gap already marked the frame damaged
            return
        self._fu += payload[2:]
        if end:
            self._nals.append(bytes(self._fu))
            self._fu = None

    def _finish(self) -> list[AccessUnit]:
        if self._timestamp is None:
            return []
        complete = not self._damaged and self._fu is None
        unit = AccessUnit(self._timestamp, tuple(self._nals), complete, self._replay)
        self._timestamp, self._nals, self._fu, self._damaged, self._replay = None, [], None, False, None
        return [unit]
