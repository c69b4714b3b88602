"""The emulator in a background thread, for tests and the pytest plugin.

The thread runs :func:`serve` in an event loop of its own, so the caller's code (sync pytest
tests, httpx clients) talks to real sockets exactly as it would to a device. ``stop`` sets the
server's stop event from outside the loop and joins the thread, and ``asyncio.run`` closes the
loop, so nothing is left for the garbage collector to warn about.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from types import TracebackType

from .config import EmulatorConfig
from .server import serve

__all__ = ["EmbeddedEmulator"]


class EmbeddedEmulator:
    def __init__(self, config: EmulatorConfig, *, start_timeout: float = 20.0, stop_timeout: float = 20.0) -> None:
        self.config = config
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.http_url = ""
        self.https_url = ""
        self.rtsp_url = ""  # rtsp://host:port, where the paired peers' media is re-served
        self.rtsps_url = ""
        self.ca_file = Path()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        return f"EmbeddedEmulator(http_url={self.http_url!r}, https_url={self.https_url!r})"

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="paircert-emulator", daemon=True)
        self._thread.start()
        if not self._ready.wait(self.start_timeout):
            self.stop()
            raise TimeoutError(f"the emulator did not become ready within {self.start_timeout} s")
        if self._error is not None:
            error = self._error
            self.stop()
            raise RuntimeError("the emulator failed to start") from error

    def stop(self) -> None:
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(stop.set)
            except RuntimeError:
                pass  # the loop closed between the check and the call: the thread is ending anyway
        thread.join(self.stop_timeout)
        if thread.is_alive():
            raise TimeoutError(f"the emulator did not stop within {self.stop_timeout} s")
        self._thread = self._loop = self._stop = None

    def __enter__(self) -> EmbeddedEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _on_rtsp(self, rtsp_url: str, rtsps_url: str) -> None:
        self.rtsp_url, self.rtsps_url = rtsp_url, rtsps_url

    def _on_ready(self, http_url: str, https_url: str, ca_file: Path) -> None:
        self.http_url, self.https_url, self.ca_file = http_url, https_url, ca_file
        self._ready.set()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start(); a thread has no one else to tell
            self._error = exc
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await serve(self.config, self._on_ready, stop=self._stop, on_rtsp=self._on_rtsp)
