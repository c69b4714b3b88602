"""Radar metadata frames: ONVIF document, capture time, frame numbers, objects, packetisation, pace."""

from __future__ import annotations

import asyncio
import contextlib
import time
from xml.etree import ElementTree

from paircert.media.metadata import (
    MetadataSettings,
    metadata_xml,
    packetize_metadata,
    parse_metadata,
    radar_frame,
)
from paircert.media.sources import MEDIA_PATH, TRACK, RadarMedia
from paircert.rtsp.rtp import ntp_to_unix
from paircert.rtsp.sdp import SessionDescription

TT = "{http://www.onvif.org/ver10/schema}"
URL = f"rtsp://127.0.0.3{MEDIA_PATH}?video=0&audio=0&analytics=polygon"


def test_a_frame_is_an_onvif_metadata_stream_with_time_number_and_polygons() -> None:
    frame = radar_frame(42, 1_800_000_000.123456, MetadataSettings(objects=4))
    document = metadata_xml(frame)
    root = ElementTree.fromstring(document)
    assert root.tag == f"{TT}MetadataStream"
    element = root.find(f"{TT}VideoAnalytics/{TT}Frame")
    assert element is not None and element.attrib["UtcTime"] == "2027-01-15T08:00:00.123456Z"
    objects = element.findall(f"{TT}Object")
    assert len(objects) == 4
    for obj in objects:
        assert len(obj.findall(f"{TT}Appearance/{TT}Shape/{TT}Polygon/{TT}Point")) == 4
        assert obj.find(f"{TT}Appearance/{TT}Shape/{TT}BoundingBox") is not None
    back = parse_metadata(document)
    assert back.number == 42 and abs(back.capture_time - frame.capture_time) < 1e-6
    assert [o.polygon for o in back.objects] == [o.polygon for o in frame.objects]
    assert all(-1 <= x <= 1 and -1 <= y <= 1 for o in back.objects for x, y in o.polygon)


def test_a_large_document_splits_into_packets_with_the_marker_on_the_last() -> None:
    document = metadata_xml(radar_frame(1, time.time(), MetadataSettings(objects=40)))
    packets = packetize_metadata(document, ssrc=7, payload_type=107, sequence_number=65534, timestamp=9, extension=None)
    assert len(packets) > 2 and all(len(p.serialize()) <= 1400 for p in packets)
    assert [p.marker for p in packets] == [False] * (len(packets) - 1) + [True]
    assert [p.sequence_number for p in packets[:3]] == [65534, 65535, 0]
    assert b"".join(p.payload for p in packets) == document


def test_the_radar_source_serves_numbered_frames_at_the_sweep_rate_with_capture_times() -> None:
    async def body() -> None:
        media = RadarMedia(MetadataSettings(sweep_hz=20, objects=30))
        try:
            sdp = media.describe(URL)
            assert sdp is not None
            track = SessionDescription.parse(sdp).media_by_control(TRACK)
            assert track is not None and track.rtpmap(107) == ("vnd.onvif.metadata", 90000)
            documents: list[tuple[bytes, float]] = []
            parts: list[bytes] = []
            started = time.monotonic()
            async with contextlib.aclosing(media.packets(URL, TRACK)) as packets:
                async for packet in packets:
                    parts.append(packet.payload)
                    if packet.marker:
                        replay = packet.onvif_replay
                        assert replay is not None and replay.clean_point
                        documents.append((b"".join(parts), ntp_to_unix(replay.ntp)))
                        parts = []
                        if len(documents) == 6:
                            break
            elapsed = time.monotonic() - started
        finally:
            await media.close()
        frames = [parse_metadata(document) for document, _ in documents]
        assert [f.number for f in frames] == list(range(frames[0].number, frames[0].number + 6))
        assert all(len(f.objects) == 30 for f in frames)
        for frame, (_, replay_time) in zip(frames, documents, strict=False):
            assert abs(frame.capture_time - replay_time) < 1e-5  # UtcTime is the RTP capture time
        assert 0.2 <= elapsed < 1.0  # five intervals of 50 ms after the first frame
        assert media.stats.producers_started == 1

    asyncio.run(asyncio.wait_for(body(), 10))
