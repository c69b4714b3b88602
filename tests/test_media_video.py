"""The shared H.264 source: decodable output, SDP parameter sets, capture times, one encoder for N sessions."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import av
import pytest

from paircert.media.fanout import FanOut, MediaFrame
from paircert.media.sources import MEDIA_PATH, TRACK, CameraMedia
from paircert.media.video import VideoSettings, parameter_sets
from paircert.rtsp.client import RtspClient
from paircert.rtsp.h264 import AccessUnit, H264Depacketizer
from paircert.rtsp.rtcp import SenderReport
from paircert.rtsp.rtp import ntp_to_unix
from paircert.rtsp.sdp import SessionDescription
from paircert.rtsp.server import RtspServer

T = TypeVar("T")
HOST = "127.0.0.2"
SMALL = VideoSettings(width=320, height=180, fps=30)


def run(test: Callable[[], Awaitable[T]], timeout: float = 20.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(test(), timeout)

    return asyncio.run(bounded())


async def take_frames(fanout: FanOut, count: int) -> list[MediaFrame]:
    frames: list[MediaFrame] = []
    async with contextlib.aclosing(fanout.frames()) as stream:
        async for frame in stream:
            frames.append(frame)
            if len(frames) == count:
                break
    return frames


def units_of(frames: list[MediaFrame]) -> list[AccessUnit]:
    depacketizer = H264Depacketizer()
    return [unit for frame in frames for packet in frame.packets for unit in depacketizer.push(packet)]


def test_the_encoder_writes_h264_that_pyav_decodes_at_the_configured_size() -> None:
    async def body() -> list[AccessUnit]:
        media = CameraMedia(VideoSettings(fps=50))
        try:
            return units_of(await take_frames(media.fanout, 12))
        finally:
            await media.close()

    units = run(body)
    assert len(units) == 12 and all(u.complete for u in units)
    decoder = av.CodecContext.create("h264", "r")
    pictures = [p for u in units for p in decoder.decode(av.Packet(u.annexb()))]
    pictures += decoder.decode(None)
    assert len(pictures) == 12
    assert {(p.width, p.height) for p in pictures} == {(640, 360)}


def test_the_first_frame_is_a_key_frame_whose_sps_pps_match_the_sdp() -> None:
    async def body() -> tuple[str | None, list[MediaFrame]]:
        media = CameraMedia(SMALL)
        try:
            sdp = media.describe(f"rtsp://{HOST}:554{MEDIA_PATH}")
            return sdp, await take_frames(media.fanout, 3)
        finally:
            await media.close()

    sdp, frames = run(body)
    assert sdp is not None
    track = SessionDescription.parse(sdp).media_by_control(TRACK)
    assert track is not None and track.rtpmap(96) == ("H264", 90000)
    assert frames[0].keyframe and not frames[1].keyframe
    in_band = parameter_sets(list(units_of(frames)[0].nals))
    assert in_band is not None and list(in_band) == track.sprop_parameter_sets()


def test_video_0_and_other_paths_are_not_served() -> None:
    async def body() -> None:
        media = CameraMedia(SMALL)
        try:
            assert media.describe(f"rtsp://{HOST}{MEDIA_PATH}?video=0") is None
            assert media.describe(f"rtsp://{HOST}/other") is None
            assert media.describe(f"rtsp://{HOST}{MEDIA_PATH}?resolution=640x360&fps=25") is not None
        finally:
            await media.close()

    run(body)


def test_capture_times_rise_with_the_rtp_clock_and_sender_reports_map_them() -> None:
    async def body() -> None:
        media = CameraMedia(SMALL)
        try:
            async with RtspServer(media, host=HOST) as server:
                async with RtspClient(server.url(MEDIA_PATH)) as client:
                    await client.describe()
                    await client.setup(TRACK)
                    await client.play()
                    captures: dict[int, int] = {}
                    started = time.time()
                    async for received in client.packets(0, idle_timeout=5):
                        packet = received.rtp()
                        assert packet.onvif_replay is not None
                        captures[packet.timestamp] = packet.onvif_replay.ntp
                        if len(captures) == 6:
                            break
                    report = (await anext(client.packets(1, idle_timeout=5).__aiter__())).rtcp()[0]
        finally:
            await media.close()
        stamps = sorted(captures, key=lambda ts: captures[ts])
        times = [ntp_to_unix(captures[ts]) for ts in stamps]
        assert all(b > a for a, b in zip(times, times[1:], strict=False))
        assert started - 1 < times[0] < time.time()
        for (ts_a, t_a), (ts_b, t_b) in zip(
            zip(stamps, times, strict=False), zip(stamps[1:], times[1:], strict=False), strict=False
        ):
            assert abs((ts_b - ts_a) / 90000 - (t_b - t_a)) < 2e-5  # one linear clock
        assert isinstance(report, SenderReport)
        assert captures[report.rtp_timestamp] == report.ntp_timestamp

    run(body)


def test_n_sessions_share_one_encoder_and_it_stops_when_the_last_leaves() -> None:
    sessions = 4

    async def body() -> None:
        media = CameraMedia(SMALL)
        try:
            async with RtspServer(media, host=HOST) as server:
                clients = [RtspClient(server.url(MEDIA_PATH)) for _ in range(sessions)]
                try:
                    for client in clients:
                        await client.connect()
                        await client.describe()
                        await client.setup(TRACK)
                        await client.play()

                    async def frames_of(client: RtspClient) -> int:
                        seen = 0
                        async for received in client.packets(0, idle_timeout=5):
                            seen += received.rtp().marker
                            if seen == 15:
                                return seen
                        return seen

                    started = time.monotonic()
                    counts = await asyncio.gather(*(frames_of(c) for c in clients))
                    elapsed = time.monotonic() - started
                finally:
                    for client in clients:
                        await client.close()
                stats = media.stats
                assert counts == [15] * sessions
                assert stats.producers_started == 1
                assert stats.subscribers_peak == sessions
                # frames are encoded once per interval, not once per session
                assert stats.frames_produced <= (elapsed + 1.0) * SMALL.fps
                for _ in range(100):
                    if not media.running:
                        break
                    await asyncio.sleep(0.02)
                assert not media.running
                async with RtspClient(server.url(MEDIA_PATH)) as again:
                    await again.describe()
                    await again.setup(TRACK)
                    await again.play()
                    assert (await anext(again.packets(0, idle_timeout=5).__aiter__())).rtp().onvif_replay
                assert media.stats.producers_started == 2
        finally:
            await media.close()
        assert not media.running

    run(body)


def test_a_late_subscriber_starts_at_a_key_frame() -> None:
    async def body() -> None:
        media = CameraMedia(VideoSettings(width=160, height=96, fps=50, gop_seconds=0.3))
        fanout = media.fanout
        fanout.keyframe_on_join = False
        try:
            first = fanout.frames()
            assert (await anext(first)).keyframe
            assert not (await anext(first)).keyframe
            late = await take_frames(fanout, 1)  # joins mid-GOP: nothing until the next key frame
            assert late[0].keyframe and late[0].index == 15
            await first.aclose()
        finally:
            await media.close()

    run(body)


def test_a_subscriber_that_never_reads_is_bounded_and_skips_to_the_next_key_frame() -> None:
    async def body() -> None:
        media = CameraMedia(VideoSettings(width=160, height=96, fps=100, gop_seconds=0.05), queue_frames=3)
        fanout = media.fanout
        try:
            idle = fanout.frames()
            assert (await anext(idle)).keyframe  # subscribed; now it stops reading
            for _ in range(200):
                if fanout.stats.frames_dropped >= 10:
                    break
                await asyncio.sleep(0.01)
            assert fanout.stats.frames_dropped >= 10
            queued = [await anext(idle) for _ in range(3)]
            assert all(b.index == a.index + 1 for a, b in zip(queued, queued[1:], strict=False))
            after_drop = await anext(idle)
            assert after_drop.keyframe and after_drop.index > queued[-1].index + 1
            await idle.aclose()
        finally:
            await media.close()

    run(body)


def test_close_ends_every_subscription() -> None:
    async def body() -> None:
        media = CameraMedia(SMALL)
        stream = media.fanout.frames()
        await anext(stream)
        await media.close()
        with pytest.raises(StopAsyncIteration):
            while True:  # at most the queued frames, then the end
                await anext(stream)
        assert not media.running

    run(body)
