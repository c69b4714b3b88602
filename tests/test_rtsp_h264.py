"""RFC 6184 laws: packets fit the MTU, FU-A reassembles exactly, loss is reported, never hidden."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paircert.rtsp.errors import MalformedPacket
from paircert.rtsp.h264 import FU_A, STAP_A, AccessUnit, H264Depacketizer, H264Packetizer, split_annexb
from paircert.rtsp.rtp import OnvifReplay, RtpPacket

MTU = 200
ROOM = MTU - 12  # payload room without extension


def nal(size: int, kind: int = 1, fill: int = 0xAB) -> bytes:
    return bytes([0x60 | kind]) + bytes([fill]) * (size - 1)


def roundtrip(
    nals: list[bytes], mtu: int = MTU, replay: OnvifReplay | None = None
) -> tuple[list[RtpPacket], list[AccessUnit]]:
    packets = H264Packetizer(ssrc=7, mtu=mtu, sequence_number=65530).packetize(
        nals, 3000, replay.to_extension() if replay else None
    )
    depacketizer = H264Depacketizer()
    units = [u for p in packets for u in depacketizer.push(RtpPacket.parse(p.serialize()))]
    return packets, units


TWO_FRAGMENTS = 2 * (ROOM - 2)  # the largest NAL body two FU-A packets carry, plus its header byte


@pytest.mark.parametrize(
    "size", [1, 2, ROOM - 1, ROOM, ROOM + 1, ROOM + 2, TWO_FRAGMENTS, TWO_FRAGMENTS + 1, TWO_FRAGMENTS + 2]
)
def test_nal_sizes_around_the_mtu_boundary_reassemble_exactly(size: int) -> None:
    packets, units = roundtrip([nal(size)])
    assert all(len(p.serialize()) <= MTU for p in packets)
    assert [u.nals for u in units] == [(nal(size),)]
    assert units[0].complete
    if size <= ROOM:
        assert len(packets) == 1 and packets[0].payload == nal(size)
    else:
        assert all(p.payload[0] & 0x1F == FU_A for p in packets)
        assert packets[0].payload[1] & 0x80 and packets[-1].payload[1] & 0x40


def test_fu_a_keeps_nri_and_type() -> None:
    big = bytes([0x65]) + bytes(range(256)) * 2  # IDR slice, NRI 3
    packets, units = roundtrip([big])
    assert {p.payload[0] for p in packets} == {0x60 | FU_A}
    assert {p.payload[1] & 0x1F for p in packets} == {5}
    assert units[0].nals == (big,)


@given(st.lists(st.integers(1, 3 * ROOM), min_size=1, max_size=6), st.integers(40, 400))
def test_any_access_unit_reassembles_and_only_its_last_packet_has_the_marker(sizes: list[int], mtu: int) -> None:
    nals = [nal(size, kind=1 + i % 5, fill=i) for i, size in enumerate(sizes)]
    packets, units = roundtrip(nals, mtu)
    assert all(len(p.serialize()) <= mtu for p in packets)
    assert [p.marker for p in packets] == [False] * (len(packets) - 1) + [True]
    assert [u.nals for u in units] == [tuple(nals)]
    assert [p.sequence_number for p in packets] == [(65530 + i) & 0xFFFF for i in range(len(packets))]


def test_onvif_extension_on_every_packet_and_reported_per_access_unit() -> None:
    replay = OnvifReplay(ntp=123 << 32, clean_point=True)
    packets, units = roundtrip([nal(3 * ROOM)], replay=replay)
    assert all(p.onvif_replay == replay for p in packets)
    assert all(len(p.serialize()) <= MTU for p in packets)
    assert units[0].replay == replay


def test_mtu_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        H264Packetizer(ssrc=1, mtu=14).packetize([nal(100)], 0)


def frames(count: int, size: int = 3 * ROOM) -> tuple[list[list[RtpPacket]], list[bytes]]:
    packetizer = H264Packetizer(ssrc=1, mtu=MTU)
    nals = [nal(size, fill=i) for i in range(count)]
    return [packetizer.packetize([n], 3000 * i) for i, n in enumerate(nals)], nals


def test_a_lost_middle_fragment_damages_only_its_frame() -> None:
    per_frame, nals = frames(3)
    depacketizer = H264Depacketizer()
    units = []
    for index, packets in enumerate(per_frame):
        for position, packet in enumerate(packets):
            if index == 1 and position == 1:
                continue
            units += depacketizer.push(packet)
    assert [u.complete for u in units] == [True, False, True]
    assert units[0].nals == (nals[0],) and units[2].nals == (nals[2],)
    assert units[1].nals == ()  # the broken NAL unit is not handed on
    assert depacketizer.lost_packets == 1 and len(depacketizer.gaps) == 1


def test_a_lost_marker_packet_is_noticed_at_the_next_timestamp() -> None:
    per_frame, nals = frames(2)
    depacketizer = H264Depacketizer()
    units = [u for p in per_frame[0][:-1] + per_frame[1] for u in depacketizer.push(p)]
    assert [u.complete for u in units] == [False, False]  # the gap may belong to either frame
    assert units[1].nals == (nals[1],)


def test_duplicates_and_late_packets_are_counted_and_dropped() -> None:
    per_frame, nals = frames(1, size=10)
    depacketizer = H264Depacketizer()
    assert depacketizer.push(per_frame[0][0])[0].nals == (nals[0],)
    assert depacketizer.push(per_frame[0][0]) == []
    assert depacketizer.late_packets == 1


def test_stap_a_is_unpacked() -> None:
    sps, pps = b"\x67\x64\x00\x1f", b"\x68\xeb"
    payload = bytes([STAP_A]) + len(sps).to_bytes(2, "big") + sps + len(pps).to_bytes(2, "big") + pps
    units = H264Depacketizer().push(RtpPacket(96, 0, 0, 1, payload, marker=True))
    assert units[0].nals == (sps, pps)


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00", b"\x1d\x81", b"\x1c", b"\x1c\xc5ab", bytes([STAP_A, 0, 9, 1])],
)
def test_malformed_payloads_raise(payload: bytes) -> None:
    with pytest.raises(MalformedPacket):
        H264Depacketizer().push(RtpPacket(96, 0, 0, 1, payload, marker=True))


def test_split_annexb_handles_three_and_four_byte_start_codes() -> None:
    stream = b"\x00\x00\x00\x01\x67\x64\x00\x00\x01\x68\xeb\x00\x00\x00\x01\x65\x88\x00\x01"
    assert split_annexb(stream) == [b"\x67\x64", b"\x68\xeb", b"\x65\x88\x00\x01"]
    unit = H264Depacketizer().push(RtpPacket(96, 0, 0, 1, b"\x65\x88", marker=True))[0]
    assert split_annexb(unit.annexb()) == [b"\x65\x88"]
