"""The emulator re-serves what its links receive, through the project's one RTSP client.

The paired camera's video at ``/axis-media/media.amp?camera=2`` and the radar's frames on the
metadata stream (``video=0&audio=0&analytics=polygon``), over RTSP and RTSPS with the emulator's
own Digest accounts. Packets are forwarded, not re-encoded: the capture time the peer stamped on
each frame (ONVIF replay extension) must arrive unchanged, under one SSRC with consecutive
sequence numbers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from test_emulator_links_peer import (  # noqa: F401  (fixtures are used by name)
    ADMIN_PASSWORD,
    PEER_HOST,
    PEER_PASSWORD,
    PEER_USER,
    PPS,
    SPS,
    Rig,
    frame_number,
    peer_loop,
    rigs,
    trusted_ca,
    trusted_ca_file,
)

from paircert.rtsp.client import RequestFailed, RtspClient
from paircert.rtsp.rtcp import SenderReport
from paircert.rtsp.rtp import RtpPacket
from paircert.rtsp.sdp import SessionDescription

CAMERA = "/axis-media/media.amp?camera=2"
METADATA = "/axis-media/media.amp?video=0&audio=0&analytics=polygon"


@dataclass
class Pulled:
    sdp: SessionDescription
    packets: list[RtpPacket]
    reports: list[SenderReport]


def pull(rig: Rig, url: str, count: int, *, password: str = ADMIN_PASSWORD, **client: object) -> Pulled:
    """DESCRIBE/SETUP/PLAY ``url`` on the emulator and collect ``count`` RTP packets."""

    async def run() -> Pulled:
        async with RtspClient(url, username="admin", password=password, timeout=5, **client) as rtsp:  # type: ignore[arg-type]
            sdp = await rtsp.describe()
            (media,) = sdp.media
            assert media.control is not None
            channel, _ = await rtsp.setup(media.control)
            await rtsp.play()
            packets: list[RtpPacket] = []
            async for received in rtsp.packets(channel, idle_timeout=5):
                packets.append(received.rtp())
                if len(packets) >= count:
                    break
            reports: list[SenderReport] = []
            try:
                received = await asyncio.wait_for(anext(rtsp.packets(channel + 1).__aiter__()), 3)
                reports = [r for r in received.rtcp() if isinstance(r, SenderReport)]
            except TimeoutError:
                pass
            await rtsp.teardown()
            return Pulled(sdp, packets, reports)

    return rig.peer.loop.run(run(), timeout=30)


def assert_forwarded(rig: Rig, packets: list[RtpPacket]) -> None:
    """Capture times as the peer stamped them, one SSRC, consecutive sequence numbers."""
    assert packets
    for packet in packets:
        assert packet.onvif_replay is not None
        assert packet.onvif_replay.ntp == rig.peer.source.capture[frame_number(packet)]
    assert len({p.ssrc for p in packets}) == 1 and packets[0].ssrc not in (0x1111, 0x2222)
    sequence = [p.sequence_number for p in packets]
    assert sequence == [(sequence[0] + i) & 0xFFFF for i in range(len(sequence))]


def pair_camera(rig: Rig, **overrides: object) -> str:
    pairing = rig.add(**overrides)
    rig.watch(pairing).until("Paired", timeout=5)
    return pairing


def test_the_paired_cameras_video_is_re_served_with_capture_times_preserved(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    pair_camera(rig)
    pulled = pull(rig, rig.emulator.rtsp_url + CAMERA, 12)
    (media,) = pulled.sdp.media
    assert media.rtpmap(media.payload_type) == ("H264", 90000)
    assert media.sprop_parameter_sets() == [SPS, PPS]  # the camera's own parameter sets
    assert_forwarded(rig, pulled.packets)
    assert pulled.packets[0].payload[:2] == b"\x7c\x85"  # starts at a frame boundary
    assert sum(p.marker for p in pulled.packets) == 6
    # The emulator's first sender report maps RTP time to the peer's capture clock exactly.
    (report, *_) = pulled.reports
    by_timestamp = {p.timestamp: p.onvif_replay.ntp for p in pulled.packets if p.onvif_replay}
    assert report.ssrc == pulled.packets[0].ssrc
    assert by_timestamp[report.rtp_timestamp] == report.ntp_timestamp


def test_the_video_is_re_served_over_rtsps_with_verification(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    pair_camera(rig, streamingprotocol="SRTSP", verifycertificate=True)
    url = rig.emulator.rtsps_url + CAMERA
    assert url.startswith("rtsps://")
    pulled = pull(rig, url, 6, ca_file=str(rig.emulator.ca_file))
    assert_forwarded(rig, pulled.packets)


def test_camera_2_is_404_without_a_paired_camera_and_401_with_a_wrong_password(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    with pytest.raises(RequestFailed) as missing:
        pull(rig, rig.emulator.rtsp_url + CAMERA, 1)
    assert missing.value.response.status == 404
    pairing = pair_camera(rig)
    with pytest.raises(RequestFailed) as refused:
        pull(rig, rig.emulator.rtsp_url + CAMERA, 1, password="wrong")
    assert refused.value.response.status == 401
    assert rig.api.delete(f"/config/rest/camera-pairing/v1beta/camerapairings/{pairing}").status_code == 200
    with pytest.raises(RequestFailed) as removed:
        pull(rig, rig.emulator.rtsp_url + CAMERA, 1)
    assert removed.value.response.status == 404


def test_the_radars_frames_are_re_served_on_the_metadata_stream(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    rig.radar(
        "setRadarConnection",
        {"address": PEER_HOST, "user": PEER_USER, "password": PEER_PASSWORD, "tls": False, "tls-verify": False},
    )
    rig.radar("setActive", {"active": True})
    rig.radar_watch().until("ok", timeout=5)
    pulled = pull(rig, rig.emulator.rtsp_url + METADATA, 8)
    (media,) = pulled.sdp.media
    assert media.rtpmap(media.payload_type) == ("vnd.onvif.metadata", 90000)
    assert_forwarded(rig, pulled.packets)
    assert all(p.marker and b"MetadataStream" in p.payload for p in pulled.packets)
