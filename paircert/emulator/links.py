"""Background links to peers: one asyncio task per camera pairing and one for an active radar.

A link runs a :data:`LinkStep` (today a TCP connect through the dialer; later a real RTSP session)
and turns its outcome into states, retrying with bounded exponential backoff until cancelled. The
step is the seam: it gets a :class:`LinkTarget`, calls ``established`` once the session is up, and
returns when the session ends or raises :class:`LinkFailure` when it could not be set up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from .dialer import Dialer, DialRefused, Unreachable

__all__ = [
    "FailureKind",
    "LinkFailure",
    "LinkManager",
    "LinkStep",
    "LinkTarget",
    "Outcome",
    "PeerIdentity",
    "tcp_step",
]

log = logging.getLogger("paircert.emulator.links")

FailureKind = Literal["address", "connect", "auth", "transfer"]
Outcome = Literal["up", "address", "connect", "auth", "transfer", "lost", "failed"]

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 10.0


class LinkFailure(Exception):
    def __init__(self, kind: FailureKind, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind: FailureKind = kind


@dataclass(frozen=True)
class PeerIdentity:
    """What a session learned about the peer (product model and name), when it learned anything."""

    model: str = ""
    name: str = ""


@dataclass(frozen=True)
class LinkTarget:
    address: str
    port: int
    username: str
    password: str = field(repr=False)
    tls: bool = False
    verify: bool = False
    certificate_cn: str = ""


LinkStep = Callable[[LinkTarget, Callable[[PeerIdentity | None], None]], Awaitable[None]]
StateSink = Callable[[Outcome, PeerIdentity | None], None]


def tcp_step(dialer: Dialer) -> LinkStep:
    """The stand-in session: a TCP connection that opens counts as up, and the link then idles."""

    async def step(target: LinkTarget, established: Callable[[PeerIdentity | None], None]) -> None:
        try:
            _, writer = await dialer.connect(target.address, target.port)
        except DialRefused as exc:
            raise LinkFailure("address" if exc.unresolved else "connect", str(exc)) from None
        except Unreachable as exc:
            raise LinkFailure("connect", str(exc)) from None
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        established(None)
        await asyncio.Event().wait()

    return step


async def _supervise(step: LinkStep, target: LinkTarget, sink: StateSink) -> None:
    attempt = 0
    while True:
        def established(peer: PeerIdentity | None) -> None:
            nonlocal attempt
            attempt = 0
            sink("up", peer)

        outcome: Outcome
        try:
            await step(target, established)
            outcome = "lost"
        except LinkFailure as failure:
            outcome = failure.kind
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("link step crashed")
            outcome = "failed"
        sink(outcome, None)
        await asyncio.sleep(min(BACKOFF_FIRST * 2**attempt, BACKOFF_MAX))
        attempt = min(attempt + 1, 16)


class LinkManager:
    """Owns the link tasks by key; starting a key replaces its previous link."""

    def __init__(self, step: LinkStep) -> None:
        self.step = step
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, key: str, target: LinkTarget, sink: StateSink) -> None:
        self._cancel(key)
        self._tasks[key] = asyncio.get_running_loop().create_task(
            _supervise(self.step, target, sink), name=f"link:{key}"
        )

    def _cancel(self, key: str) -> asyncio.Task[None] | None:
        task = self._tasks.pop(key, None)
        if task is not None:
            task.cancel()
        return task

    async def stop(self, key: str) -> None:
        task = self._cancel(key)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop_all(self) -> None:
        tasks = [task for key in list(self._tasks) if (task := self._cancel(key)) is not None]
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def running(self) -> list[str]:
        return sorted(key for key, task in self._tasks.items() if not task.done())
