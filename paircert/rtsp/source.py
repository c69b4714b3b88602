"""What the RTSP server serves: a pluggable media source.

The server knows RTSP, not media. Peers plug in an encoder (paircert.media), tests plug in a list
of packets; either way the server only needs the SDP for a URL and, per track, the RTP packets in
the order and at the pace they should go out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from paircert.rtsp.rtp import RtpPacket

__all__ = ["MediaSource"]


class MediaSource(Protocol):
    def describe(self, url: str) -> str | None:
        """SDP text for the stream at ``url`` (without a trailing slash), or None for 404.

        Each media section needs an ``a=control`` naming the track relative to ``url``.
        """

    def packets(self, url: str, control: str) -> AsyncIterator[RtpPacket]:
        """RTP packets of one track from the moment of PLAY, paced by the source.

        The marker bit ends a frame: the server queues and drops whole frames. The iterator ends
        when the stream ends; the server stops consuming it when the session ends.
        """
