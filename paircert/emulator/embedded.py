"""The emulator in a background thread, for tests and the pytest plugin.

The thread runs :func:`serve` in an event loop of its own, so the caller's code (sync pytest
tests, httpx clients) talks to real sockets exactly as it would to a device.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from ..threadhost import ThreadHost
from .config import EmulatorConfig
from .server import serve

__all__ = ["EmbeddedEmulator"]


class EmbeddedEmulator(ThreadHost):
    thread_name = "paircert-emulator"

    def __init__(self, config: EmulatorConfig, *, start_timeout: float = 20.0, stop_timeout: float = 20.0) -> None:
        super().__init__(start_timeout=start_timeout, stop_timeout=stop_timeout)
        self.config = config
        self.http_url = ""
        self.https_url = ""
        self.rtsp_url = ""  # rtsp://host:port, where the paired peers' media is re-served
        self.rtsps_url = ""
        self.ca_file = Path()

    def __repr__(self) -> str:
        return f"EmbeddedEmulator(http_url={self.http_url!r}, https_url={self.https_url!r})"

    def restart(self) -> None:
        """Stop and start again as a device reboots: the state directory and every port stay, so the
        addresses a client holds still reach it and it knows what its state file kept, nothing more."""
        ports = [urlsplit(url).port or 0 for url in (self.http_url, self.https_url, self.rtsp_url, self.rtsps_url)]
        self.stop()
        self.config = replace(
            self.config, http_port=ports[0], https_port=ports[1], rtsp_port=ports[2], rtsps_port=ports[3]
        )
        self.start()

    async def serve(self, ready: Callable[[], None], stop: asyncio.Event) -> None:
        def on_rtsp(rtsp_url: str, rtsps_url: str) -> None:
            self.rtsp_url, self.rtsps_url = rtsp_url, rtsps_url

        def on_ready(http_url: str, https_url: str, ca_file: Path) -> None:
            self.http_url, self.https_url, self.ca_file = http_url, https_url, ca_file
            ready()

        await serve(self.config, on_ready, stop=stop, on_rtsp=on_rtsp)
