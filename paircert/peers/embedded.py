"""Peers in a background thread, for the suite, the emulator's tests and anything synchronous.

Like :class:`paircert.emulator.embedded.EmbeddedEmulator`: one thread runs an event loop that
hosts the peers; the caller's thread switches faults and reads records through
:class:`PeerHandle`, whose every call runs on that loop (so a switch never races a session) and
waits a bounded time for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..threadhost import ThreadHost
from .config import PeerConfig
from .control import ControlServer
from .peer import FaultScope, Peer, PeerRecords, PeerUrls

__all__ = ["EmbeddedPeers", "PeerHandle", "peer_names"]


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

    def set_metadata_rate(self, sweep_hz: float, objects: int) -> None:
        self._host.call(lambda: self._peer.set_metadata_rate(sweep_hz, objects))

    def set_certificate(self, kind: str) -> None:
        self._host.call(lambda: self._peer.set_certificate(kind))

    def records(self) -> PeerRecords:
        return self._host.call(self._peer.records)

    def clear_records(self) -> None:
        self._host.call(self._peer.clear_records)

    def state(self) -> dict[str, Any]:
        return self._host.call(self._peer.state)


class EmbeddedPeers(ThreadHost):
    """Runs peers (and, with ``control_port`` not None, the control endpoint) in a thread."""

    thread_name = "paircert-peers"

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
        super().__init__(start_timeout=start_timeout, stop_timeout=stop_timeout, call_timeout=call_timeout)
        self.configs = list(configs)
        self.control_port = control_port
        self.control_host = control_host
        self.handles: list[PeerHandle] = []
        self.control_url: str | None = None

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

    def stop(self) -> None:
        super().stop()
        self.handles = []

    async def serve(self, ready: Callable[[], None], stop: asyncio.Event) -> None:
        peers: list[Peer] = []
        control: ControlServer | None = None
        try:
            for config in self.configs:
                peer = Peer(config)
                peers.append(peer)
                await peer.start()
            if self.control_port is not None:
                names = peer_names(peers)
                control = ControlServer(
                    dict(zip(names, peers, strict=False)), host=self.control_host, port=self.control_port
                )
                await control.start()
                self.control_url = control.url
            self.handles = [PeerHandle(self, peer) for peer in peers]
            ready()
            await stop.wait()
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
