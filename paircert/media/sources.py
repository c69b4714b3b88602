"""The peers' :class:`~paircert.rtsp.source.MediaSource` implementations.

:class:`CameraMedia` serves H.264 video and :class:`RadarMedia` ONVIF metadata at
``/axis-media/media.amp``. Each owns one :class:`~paircert.media.fanout.FanOut`, so every session
on every server the source is given to (RTSP and RTSPS alike) shares one encoder: the encode cost
does not grow with the number of sessions, only the per-session copy to the socket does.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

from paircert.rtsp.rtp import RtpPacket
from paircert.rtsp.sdp import SessionDescription, h264_media, metadata_media
from paircert.vapix.paths import MEDIA_PATH

from .fanout import FanOut, FanOutStats
from .metadata import MetadataProducer, MetadataSettings, MetadataTrackState
from .video import H264Producer, VideoSettings, VideoTrackState

__all__ = ["MEDIA_PATH", "TRACK", "CameraMedia", "RadarMedia"]

TRACK = "trackID=1"


def _stream_query(url: str) -> dict[str, list[str]] | None:
    """The query of a URL for the media path, or None when the path is another."""
    parts = urlsplit(url)
    if parts.path.rstrip("/") != MEDIA_PATH:
        return None
    return parse_qs(parts.query)


def _sdp(url: str, name: str, media: list) -> str:  # type: ignore[type-arg]
    host = urlsplit(url).hostname or "127.0.0.1"
    family = "IP6" if ":" in host else "IP4"
    origin = f"- {secrets.randbelow(1 << 31)} 1 IN {family} {host}"
    return SessionDescription(origin=origin, name=name, media=media).serialize()


class _FannedSource:
    fanout: FanOut

    @property
    def stats(self) -> FanOutStats:
        return self.fanout.stats

    @property
    def running(self) -> bool:
        return self.fanout.running

    async def packets(self, url: str, control: str) -> AsyncIterator[RtpPacket]:
        if control != TRACK or _stream_query(url) is None:
            return
        async for frame in self.fanout.frames():
            for packet in frame.packets:
                yield packet

    async def close(self) -> None:
        await self.fanout.close()


class CameraMedia(_FannedSource):
    """H.264 video from one shared libx264 encoder; ``video=0`` in the URL is answered 404."""

    def __init__(
        self, settings: VideoSettings | None = None, *, queue_frames: int = 8, name: str = "AXIS peer camera"
    ) -> None:
        self.settings = settings or VideoSettings()
        self.name = name
        self.track = VideoTrackState(self.settings)
        self.fanout = FanOut(
            lambda: H264Producer(self.settings, self.track),
            interval=self.settings.interval,
            queue_frames=queue_frames,
            threaded=True,
            keyframe_on_join=True,
            name="paircert-h264",
        )

    def describe(self, url: str) -> str | None:
        query = _stream_query(url)
        if query is None or query.get("video") == ["0"]:
            return None
        media = h264_media(TRACK, self.track.sps, self.track.pps, payload_type=self.settings.payload_type)
        media.attributes.append(("framerate", f"{self.settings.fps:g}"))
        return _sdp(url, self.name, [media])


class RadarMedia(_FannedSource):
    """ONVIF metadata, one frame per sweep, from one shared generator."""

    def __init__(
        self, settings: MetadataSettings | None = None, *, queue_frames: int = 32, name: str = "AXIS peer radar"
    ) -> None:
        self.settings = settings or MetadataSettings()
        self.name = name
        self.track = MetadataTrackState()
        self._producer: MetadataProducer | None = None
        self.fanout = FanOut(
            self._new_producer,
            interval=self.settings.interval,
            queue_frames=queue_frames,
            threaded=False,
            keyframe_on_join=False,
            name="paircert-metadata",
        )

    def _new_producer(self) -> MetadataProducer:
        self._producer = MetadataProducer(self.settings, self.track)
        return self._producer

    def retune(self, settings: MetadataSettings) -> None:
        """Sweep rate and objects per frame from the next frame on, sessions kept (the radar
        benchmark raises the rate step by step on one stream)."""
        self.settings = settings
        self.fanout.interval = settings.interval
        if self._producer is not None:
            self._producer.settings = settings

    def describe(self, url: str) -> str | None:
        if _stream_query(url) is None:
            return None
        return _sdp(url, self.name, [metadata_media(TRACK, payload_type=self.settings.payload_type)])
