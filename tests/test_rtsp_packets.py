"""Round-trip laws of the pure packet classes: RTP (with the ONVIF 0xABAC extension), RTCP, SDP."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paircert.rtsp.errors import MalformedPacket
from paircert.rtsp.headers import SessionHeader, TransportSpec, parse_transports
from paircert.rtsp.rtcp import Bye, ReceiverReport, ReportBlock, RtcpUnknown, SenderReport, parse_compound
from paircert.rtsp.rtp import HeaderExtension, OnvifReplay, RtpPacket, ntp_to_unix, unix_to_ntp
from paircert.rtsp.sdp import SessionDescription, h264_media, metadata_media

u8, u16, u32 = (st.integers(0, 2**n - 1) for n in (8, 16, 32))
words = st.integers(0, 16).flatmap(lambda n: st.binary(min_size=4 * n, max_size=4 * n))

onvif_replays = st.builds(
    OnvifReplay,
    ntp=st.integers(0, 2**64 - 1),
    clean_point=st.booleans(),
    end=st.booleans(),
    discontinuity=st.booleans(),
    terminal=st.booleans(),
    cseq=u8,
)
extensions = st.one_of(
    st.none(),
    st.builds(HeaderExtension, profile=u16, data=words),
    onvif_replays.map(OnvifReplay.to_extension),
)
rtp_packets = st.builds(
    RtpPacket,
    payload_type=st.integers(0, 127),
    sequence_number=u16,
    timestamp=u32,
    ssrc=u32,
    payload=st.binary(max_size=64),
    marker=st.booleans(),
    csrc=st.lists(u32, max_size=15).map(tuple),
    extension=extensions,
)


@given(rtp_packets)
def test_rtp_parse_inverts_serialize(packet: RtpPacket) -> None:
    assert RtpPacket.parse(packet.serialize()) == packet


@given(onvif_replays)
def test_onvif_replay_survives_an_rtp_round_trip(replay: OnvifReplay) -> None:
    packet = RtpPacket(96, 1, 2, 3, b"x", extension=replay.to_extension())
    assert RtpPacket.parse(packet.serialize()).onvif_replay == replay


def test_onvif_replay_wire_layout_matches_the_onvif_streaming_spec() -> None:
    replay = OnvifReplay(ntp=0x0102030405060708, clean_point=True, discontinuity=True, cseq=0x1FF)
    wire = RtpPacket(96, 0, 0, 0, extension=replay.to_extension()).serialize()
    assert wire[0] & 0x10  # X bit
    assert wire[12:16] == bytes.fromhex("ABAC0003")  # profile, three 32-bit words
    assert wire[16:24] == bytes.fromhex("0102030405060708")
    assert wire[24:28] == bytes([0b1010_0000, 0xFF, 0, 0])  # C and D set, CSeq low byte


@given(st.floats(0, 4_000_000_000, allow_nan=False))
def test_ntp_and_unix_time_convert_both_ways(seconds: float) -> None:
    assert ntp_to_unix(unix_to_ntp(seconds)) == pytest.approx(seconds, abs=1e-6)


def test_ntp_epoch_offset() -> None:
    assert unix_to_ntp(0) == 2_208_988_800 << 32


def test_rtp_padding_is_stripped() -> None:
    wire = bytearray(RtpPacket(96, 1, 2, 3, b"abc").serialize() + b"\x00\x00\x03")
    wire[0] |= 0x20
    assert RtpPacket.parse(bytes(wire)).payload == b"abc"


@pytest.mark.parametrize(
    "wire",
    [
        b"",
        b"\x80" * 11,  # shorter than the fixed header
        b"\x40" + b"\x00" * 11,  # version 1
        b"\x81" + b"\x00" * 11,  # CSRC count past the end
        b"\x90" + b"\x00" * 13,  # extension header past the end
        b"\x90" + b"\x00" * 11 + b"\xab\xac\x00\x05",  # extension words past the end
    ],
)
def test_rtp_rejects_truncated_or_wrong_version_packets(wire: bytes) -> None:
    with pytest.raises(MalformedPacket):
        RtpPacket.parse(wire)


report_blocks = st.builds(
    ReportBlock,
    ssrc=u32,
    fraction_lost=u8,
    packets_lost=st.integers(-(2**23), 2**23 - 1),
    highest_sequence=u32,
    jitter=u32,
    last_sr=u32,
    delay_since_last_sr=u32,
)
rtcp_packets = st.one_of(
    st.builds(
        SenderReport, u32, st.integers(0, 2**64 - 1), u32, u32, u32, st.lists(report_blocks, max_size=3).map(tuple)
    ),
    st.builds(ReceiverReport, u32, st.lists(report_blocks, max_size=3).map(tuple)),
    st.builds(Bye, st.lists(u32, max_size=5).map(tuple)),
    st.builds(RtcpUnknown, st.sampled_from([202, 204, 205, 206]), st.integers(0, 31), words),
)


@given(st.lists(rtcp_packets, min_size=1, max_size=4))
def test_rtcp_compound_parse_inverts_serialize(packets: list[object]) -> None:
    wire = b"".join(p.serialize() for p in packets)  # type: ignore[attr-defined]
    assert parse_compound(wire) == packets


def test_sender_report_wire_layout() -> None:
    wire = SenderReport(0x11223344, 0x0102030405060708, 90000, 7, 1000).serialize()
    assert wire[:4] == bytes([0x80, 200, 0, 6])
    assert parse_compound(wire)[0] == SenderReport(0x11223344, 0x0102030405060708, 90000, 7, 1000)


@pytest.mark.parametrize(
    "wire", [b"", b"\x80\xc8", b"\x80\xc8\x00\x06" + b"\x00" * 8, b"\x40\xc9\x00\x01\x00\x00\x00\x00"]
)
def test_rtcp_rejects_truncated_packets(wire: bytes) -> None:
    with pytest.raises(MalformedPacket):
        parse_compound(wire)


SPS = bytes.fromhex("6764001facd9405005bb011000000300100000030320f1831960")
PPS = bytes.fromhex("68ebe3cb22c0")


def _two_track_sdp() -> SessionDescription:
    return SessionDescription(
        attributes=[("control", "*")],
        media=[h264_media("trackID=1", SPS, PPS), metadata_media("trackID=2")],
    )


def test_sdp_round_trips_through_text() -> None:
    sdp = _two_track_sdp()
    text = sdp.serialize()
    assert SessionDescription.parse(text) == sdp
    assert SessionDescription.parse(text).serialize() == text


def test_sdp_h264_track_carries_what_decoders_need() -> None:
    video = SessionDescription.parse(_two_track_sdp().serialize()).media[0]
    assert video.rtpmap(96) == ("H264", 90000)
    assert video.fmtp(96)["packetization-mode"] == "1"
    assert video.fmtp(96)["profile-level-id"] == "64001F"
    assert video.sprop_parameter_sets() == [SPS, PPS]
    assert video.control == "trackID=1"


def test_sdp_metadata_track() -> None:
    sdp = SessionDescription.parse(_two_track_sdp().serialize())
    metadata = sdp.media_by_control("trackID=2")
    assert metadata is not None and metadata.media == "application"
    assert metadata.rtpmap(107) == ("vnd.onvif.metadata", 90000)


def test_sdp_keeps_unknown_lines_from_a_device() -> None:
    text = (
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=Session streamed with GStreamer\r\ni=rtsp-server\r\nt=0 0\r\n"
        "a=tool:GStreamer\r\na=range:npt=now-\r\nm=video 0 RTP/AVP 96\r\nc=IN IP4 0.0.0.0\r\nb=AS:50000\r\n"
        "a=rtpmap:96 H264/90000\r\na=control:rtsp://10.0.0.1/axis-media/media.amp/stream=0\r\na=recvonly\r\n"
    )
    assert SessionDescription.parse(text).serialize() == text


@pytest.mark.parametrize(
    "text", ["", "o=- 0 0 IN IP4 1.2.3.4\r\n", "v=0\r\nm=video\r\n", "v=1\r\n", "v=0\r\nnonsense\r\n"]
)
def test_sdp_rejects_malformed_text(text: str) -> None:
    with pytest.raises(MalformedPacket):
        SessionDescription.parse(text)


def test_transport_header_alternatives_and_defaults() -> None:
    specs = parse_transports("RTP/AVP;unicast;client_port=5000-5001, RTP/AVP/TCP;unicast;interleaved=4")
    assert [s.is_tcp for s in specs] == [False, True]
    assert specs[1].interleaved == (4, 5)
    assert specs[0].params == (("client_port", "5000-5001"),)
    assert str(TransportSpec(interleaved=(0, 1))) == "RTP/AVP/TCP;unicast;interleaved=0-1"


@pytest.mark.parametrize("value", ["RTP/AVP/TCP;interleaved=x-1", "RTP/AVP/TCP;interleaved=0-300", ";unicast"])
def test_transport_header_rejects_bad_channels(value: str) -> None:
    with pytest.raises(MalformedPacket):
        parse_transports(value)


def test_session_header() -> None:
    assert SessionHeader.parse("12345678;timeout=60") == SessionHeader("12345678", 60)
    assert str(SessionHeader("abc", 30)) == "abc;timeout=30"
    with pytest.raises(MalformedPacket):
        SessionHeader.parse("abc;timeout=soon")
