"""Peers in a background thread, for the suite, the emulator's tests and anything synchronous.

Like :class:`paircert.emulator.embedded.EmbeddedEmulator`: one thread runs an event loop that
hosts the peers; the caller's thread switches faults and reads records through
:class:`PeerHandle`, whose every call runs on that loop (so a switch never races a session) and
waits a bounded time for it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from .config import PeerConfig
from .control import ControlServer
from .peer import FaultScope, Peer, PeerRecords, PeerUrls

__all__ = ["EmbeddedPeers", "PeerHandle", "peer_names"]

T = TypeVar("T")


class PeerHandle:
    """Thread-safe access to one running peer."""

    def __init__(self, host: EmbeddedPeers, peer: Peer) -> None:
        self._host = host
        self._peer = peer
        self.kind = peer.kind
        self.address = peer.address
        self.urls: PeerUrls = peer.urls
        self.ca_pem: bytes = peer.ca_pem
        self.properties = dict(peer.properties)

    def __repr__(self) -> str:
        return f"PeerHandle({self._peer!r})"

    @property
    def path(self) -> str:
        return self._peer.path

    def write_ca(self, path: Path) -> Path:
        Path(path).write_bytes(self.ca_pem)
        return Path(path)

    def set_faults(self, scope: FaultScope = "all", **values: Any) -> None:
        self._host.call(lambda: self._peer.set_faults(scope, **values))

    def clear_faults(self) -> None:
        self._host.call(self._peer.clear_faults)

    def set_certificate(self, kind: str) -> None:
        self._host.call(lambda: self._peer.set_certificate(kind))

    def records(self) -> PeerRecords:
        return self._host.call(self._peer.records)

    def clear_records(self) -> None:
        self._host.call(self._peer.clear_records)

    def state(self) -> dict[str, Any]:
        return self._host.call(self._peer.state)


class EmbeddedPeers:
    """Runs peers (and, with ``control_port`` not None, the control endpoint) in a thread."""

    def __init__(
        self,
        configs: Sequence[PeerConfig],
        *,
        control_port: int | None = None,
        control_host: str = "127.0.0.1",
        start_timeout: float = 20.0,
        stop_timeout: float = 10.0,
        call_timeout: float = 5.0,
    ) -> None:
        if not configs:
            raise ValueError("no peers to run")
        self.configs = list(configs)
        self.control_port = control_port
        self.control_host = control_host
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.call_timeout = call_timeout
        self.handles: list[PeerHandle] = []
        self.control_url: str | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __getitem__(self, index: int) -> PeerHandle:
        return self.handles[index]

    def _first(self, kind: str) -> PeerHandle:
        for handle in self.handles:
            if handle.kind == kind:
                return handle
        raise LookupError(f"no {kind} peer is running")

    @property
    def camera(self) -> PeerHandle:
        return self._first("camera")

    @property
    def radar(self) -> PeerHandle:
        return self._first("radar")

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the peers are already running")
        self._ready.clear()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="paircert-peers", daemon=True)
        self._thread.start()
        if not self._ready.wait(self.start_timeout):
            self.stop()
            raise TimeoutError(f"the peers did not start within {self.start_timeout} s")
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
                pass  # the loop closed meanwhile: the thread is ending anyway
        thread.join(self.stop_timeout)
        if thread.is_alive():
            raise TimeoutError(f"the peers did not stop within {self.stop_timeout} s")
        self._thread = self._loop = self._stop = None
        self.handles = []

    def __enter__(self) -> EmbeddedPeers:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def call(self, function: Callable[[], T]) -> T:
        """Run ``function`` on the peers' loop and return its result (bounded wait)."""
        loop = self._loop
        if loop is None or self._thread is None:
            raise RuntimeError("the peers are not running")
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(function())
            except BaseException as exc:  # handed to the calling thread
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(self.call_timeout)

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
        peers: list[Peer] = []
        control: ControlServer | None = None
        try:
            for config in self.configs:
                peer = Peer(config)
                peers.append(peer)
                await peer.start()
            if self.control_port is not None:
                names = peer_names(peers)
                control = ControlServer(dict(zip(names, peers)), host=self.control_host, port=self.control_port)
                await control.start()
                self.control_url = control.url
            self.handles = [PeerHandle(self, peer) for peer in peers]
            self._ready.set()
            await self._stop.wait()
        finally:
            if control is not None:
                await control.close()
            for peer in peers:
                await peer.close()


def peer_names(peers: Sequence[Peer]) -> list[str]:
    """``camera``, ``radar``; ``camera2``... when a kind repeats."""
    names: list[str] = []
    for peer in peers:
        count = sum(1 for p in peers[: len(names)] if p.kind == peer.kind)
        names.append(peer.kind if count == 0 else f"{peer.kind}{count + 1}")
    return names
