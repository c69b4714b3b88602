"""A synthetic camera: a moving test pattern encoded to H.264 with PyAV/libx264.

Zero-latency settings (``tune=zerolatency``, ``preset=ultrafast``, no B-frames, a short GOP) so a
frame leaves the encoder the moment it goes in, which is what makes capture times meaningful for
latency measurement. The encoder writes Annex B with SPS/PPS before every IDR, so a receiver that
joins late can decode from the next key frame with or without the SDP's parameter sets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import av
from av.video.frame import PictureType

from paircert.rtsp.h264 import H264Packetizer, split_annexb
from paircert.rtsp.rtp import OnvifReplay, unix_to_ntp

from .fanout import MediaFrame

__all__ = ["CLOCK_RATE", "H264Producer", "VideoSettings", "VideoTrackState", "parameter_sets", "probe_parameter_sets"]

CLOCK_RATE = 90_000
NAL_SPS, NAL_PPS, NAL_IDR = 7, 8, 5


@dataclass(frozen=True)
class VideoSettings:
    width: int = 640
    height: int = 360
    fps: float = 25.0
    gop_seconds: float = 1.0
    bitrate: int = 1_000_000
    payload_type: int = 96
    mtu: int = 1400

    def __post_init__(self) -> None:
        if self.width < 16 or self.height < 16 or self.width % 2 or self.height % 2:
            raise ValueError("video size must be even and at least 16x16")
        if not 0 < self.fps <= 120:
            raise ValueError("fps must be in (0, 120]")
        if self.gop_seconds <= 0:
            raise ValueError("the GOP must be positive")

    @property
    def gop_frames(self) -> int:
        return max(1, round(self.fps * self.gop_seconds))

    @property
    def interval(self) -> float:
        return 1.0 / self.fps


def parameter_sets(nals: list[bytes]) -> tuple[bytes, bytes] | None:
    """The SPS and PPS among ``nals``, when both are there."""
    sps = next((n for n in nals if n[0] & 0x1F == NAL_SPS), None)
    pps = next((n for n in nals if n[0] & 0x1F == NAL_PPS), None)
    return (sps, pps) if sps is not None and pps is not None else None


class _Encoder:
    """libx264 through PyAV, fed with a pattern that moves every frame (so P-frames carry data)."""

    def __init__(self, settings: VideoSettings) -> None:
        self.settings = settings
        w, h = settings.width, settings.height
        row = bytes(16 + (x * 7 + (x // 32) * 40) % 220 for x in range(w))
        plane = b"".join(row[y % 64 :] + row[: y % 64] for y in range(h))
        self._luma = plane + plane
        self._chroma = bytes([128]) * ((w // 2) * (h // 2))
        context = av.CodecContext.create("libx264", "w")
        assert isinstance(context, av.VideoCodecContext)
        context.width, context.height = w, h
        context.pix_fmt = "yuv420p"
        context.time_base = Fraction(1, CLOCK_RATE)
        context.framerate = Fraction(settings.fps).limit_denominator(1001)
        context.gop_size = settings.gop_frames
        context.max_b_frames = 0
        context.bit_rate = settings.bitrate
        context.options = {"tune": "zerolatency", "preset": "ultrafast", "bf": "0", "sc_threshold": "0"}
        context.open()
        self._context = context
        self._frame = av.VideoFrame(w, h, "yuv420p")

    def encode(self, index: int, pts: int, force_keyframe: bool) -> tuple[list[bytes], bool]:
        w, h = self.settings.width, self.settings.height
        offset = (index * 6) % (w * h)
        frame = self._frame
        frame.planes[0].update(self._luma[offset : offset + w * h])
        frame.planes[1].update(self._chroma)
        frame.planes[2].update(self._chroma)
        frame.pts = pts
        frame.pict_type = PictureType.I if force_keyframe else PictureType.NONE
        nals: list[bytes] = []
        keyframe = False
        for packet in self._context.encode(frame):  # zerolatency: exactly this frame, now
            nals += split_annexb(bytes(packet))
            keyframe = keyframe or packet.is_keyframe
        return nals, keyframe

    def close(self) -> None:
        try:
            self._context.encode(None)  # flush; zerolatency leaves nothing behind
        except av.error.EOFError:
            pass
        del self._context  # PyAV frees the codec with its last reference


def probe_parameter_sets(settings: VideoSettings) -> tuple[bytes, bytes]:
    """SPS and PPS that an encoder with these settings writes (for an SDP before any session)."""
    encoder = _Encoder(settings)
    try:
        nals, _ = encoder.encode(0, 0, True)
    finally:
        encoder.close()
    found = parameter_sets(nals)
    if found is None:
        raise RuntimeError("libx264 wrote an IDR frame without SPS and PPS")
    return found


class H264Producer:
    """Produces packetised frames for a :class:`~paircert.media.fanout.FanOut`.

    The packetiser (SSRC, sequence numbers) and the RTP clock belong to the track and outlive
    the producer, so a stream that stops and restarts its encoder continues its numbering.
    """

    def __init__(self, settings: VideoSettings, track: VideoTrackState) -> None:
        self.settings = settings
        self.track = track
        self._encoder: _Encoder | None = None

    def open(self) -> None:
        self._encoder = _Encoder(self.settings)

    def produce(self, index: int, capture_time: float, force_keyframe: bool) -> MediaFrame:
        assert self._encoder is not None, "open() first"
        timestamp = self.track.rtp_timestamp(capture_time)
        pts = round(index * CLOCK_RATE / self.settings.fps)  # the encoder's own clock: starts at 0, never wraps
        nals, keyframe = self._encoder.encode(index, pts, force_keyframe or index == 0)
        if keyframe:
            found = parameter_sets(nals)
            if found is not None:
                self.track.sps, self.track.pps = found
        replay = OnvifReplay(unix_to_ntp(capture_time), clean_point=keyframe)
        packets = self.track.packetizer.packetize(nals, timestamp, replay.to_extension()) if nals else []
        return MediaFrame(index, capture_time, keyframe, tuple(packets))

    def close(self) -> None:
        if self._encoder is not None:
            self._encoder.close()
            self._encoder = None


class VideoTrackState:
    """What one video track keeps across encoder restarts: packetiser, RTP clock, SPS/PPS."""

    def __init__(self, settings: VideoSettings, *, ssrc: int | None = None) -> None:
        rng = random.SystemRandom()
        self.packetizer = H264Packetizer(
            ssrc=ssrc if ssrc is not None else rng.getrandbits(32),
            payload_type=settings.payload_type,
            mtu=settings.mtu,
            sequence_number=rng.getrandbits(16),
        )
        self._rtp_base = rng.getrandbits(32)
        self._epoch: float | None = None
        self.sps, self.pps = probe_parameter_sets(settings)

    def rtp_timestamp(self, capture_time: float) -> int:
        """90 kHz RTP time of a capture time: one linear clock for the track's whole life."""
        if self._epoch is None:
            self._epoch = capture_time
        return (self._rtp_base + round((capture_time - self._epoch) * CLOCK_RATE)) & 0xFFFF_FFFF
