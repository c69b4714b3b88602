"""An asyncio service in a thread of its own, for synchronous callers (pytest, httpx clients).

The emulator and the peers are asyncio programs; the suite and the project's tests are plain
threads. Running the service's loop in one background thread lets those callers talk to real
sockets exactly as they would to a device, and ``call`` runs a function on the service's loop so
a fault switch never races a session. Every wait here is bounded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Self, TypeVar

__all__ = ["ThreadHost"]

T = TypeVar("T")


class ThreadHost:
    """Base class: subclasses implement :meth:`serve` and call ``ready()`` once they accept work."""

    thread_name = "paircert-service"

    def __init__(self, *, start_timeout: float = 20.0, stop_timeout: float = 20.0, call_timeout: float = 5.0) -> None:
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.call_timeout = call_timeout
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    async def serve(self, ready: Callable[[], None], stop: asyncio.Event) -> None:
        """Run the service until ``stop`` is set, calling ``ready`` once it serves."""
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.thread_name} is already running")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        if not self._ready.wait(self.start_timeout):
            self.stop()
            raise TimeoutError(f"{self.thread_name} did not become ready within {self.start_timeout} s")
        if self._error is not None:
            error = self._error
            self.stop()
            raise error

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
            raise TimeoutError(f"{self.thread_name} did not stop within {self.stop_timeout} s")
        self._thread = self._loop = self._stop = None

    def call(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the service's loop and return its result (bounded wait)."""
        loop = self._loop
        if loop is None or self._thread is None:
            raise RuntimeError(f"{self.thread_name} is not running")
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(function())
            except BaseException as exc:  # handed to the calling thread
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(self.call_timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

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
        await self.serve(self._ready.set, self._stop)
