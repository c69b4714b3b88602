"""Background links to peers: one asyncio task per camera pairing and one for an active radar.

A link runs a :data:`LinkStep` and turns its outcome into states, retrying with bounded
exponential backoff until cancelled. The step is the seam: it gets a :class:`LinkTarget`, calls
``established`` once the session is up, and returns when the session ends or raises
:class:`LinkFailure` when it could not be set up. The real step is
:func:`paircert.emulator.peerlink.stream_step` (the reference link sequence of PROTOCOL-NOTES §3);
:func:`tcp_step` is the stand-in for API tests that host no peer.

Each outcome is reported as it happens and nothing else changes a state, so a status always says
what the wire last did: between outcomes (while a retry waits or runs) the previous one stands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from ..tasks import cancel_and_wait
from .dialer import Dialer, DialRefused, Unreachable

__all__ = [
    "FailureKind",
    "LinkFailure",
    "LinkManager",
    "LinkStep",
    "LinkTarget",
    "Outcome",
    "PeerIdentity",
    "Retry",
    "tcp_step",
]

log = logging.getLogger("paircert.emulator.links")

FailureKind = Literal["address", "connect", "auth", "transfer"]
Outcome = Literal["up", "address", "connect", "auth", "transfer", "lost", "failed"]

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 10.0
STOP_ROUND_TIMEOUT = 3.0  # a step's TEARDOWN and close take at most about 2 s
STOP_ROUNDS = 3


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
    """Where and how one link connects.

    ``port`` is the peer's RTSP (or, with ``tls``, RTSPS) port and ``http_port`` its HTTP (or
    HTTPS) port for basicdeviceinfo.cgi. ``verify`` checks the certificate chain against the
    emulator's trust store and the name against ``certificate_cn`` when given, else the address.
    """

    address: str
    port: int
    username: str
    password: str = field(repr=False)
    tls: bool = False
    verify: bool = False
    certificate_cn: str = ""
    http_port: int = 0

    @property
    def server_name(self) -> str:
        """The name TLS sends as SNI and checks the certificate against."""
        return self.certificate_cn or self.address.rstrip(".")


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


@dataclass(frozen=True)
class Retry:
    """How a link tries again: bounded exponential backoff, or a fixed ``delay``, or not at all."""

    delay: float | None = None
    again: bool = True


async def _supervise(
    step: LinkStep, target: LinkTarget, sink: StateSink, stopping: asyncio.Event, retry: Retry = Retry()
) -> None:
    """Run ``step`` until stopped; after ``stopping`` is set no outcome reaches the sink."""
    attempt = 0
    while not stopping.is_set():

        def established(peer: PeerIdentity | None) -> None:
            nonlocal attempt
            attempt = 0
            if not stopping.is_set():
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
        if stopping.is_set():
            return
        sink(outcome, None)
        if not retry.again:
            return
        await asyncio.sleep(retry.delay if retry.delay is not None else min(BACKOFF_FIRST * 2**attempt, BACKOFF_MAX))
        attempt = min(attempt + 1, 16)


class LinkManager:
    """Owns the link tasks by key; starting a key replaces its previous link.

    Stopping is bounded and certain: a stop flag ends the retry loop and silences the sink, and
    the task is cancelled repeatedly (``cancel_and_wait``), because on Python 3.11 a cancellation
    that races with a finishing ``wait_for`` inside a step can be swallowed. A replaced link is
    retired in the background the same way; ``stop_all`` waits for those too.
    """

    def __init__(self, step: LinkStep, retry: Retry = Retry()) -> None:
        self.step = step
        self.retry = retry
        self._tasks: dict[str, tuple[asyncio.Task[None], asyncio.Event]] = {}
        self._retiring: set[asyncio.Task[bool]] = set()

    def start(self, key: str, target: LinkTarget, sink: StateSink, step: LinkStep | None = None) -> None:
        """Run ``step`` (default: the manager's) for ``key``, replacing that key's running link."""
        old = self._cancel(key)
        if old is not None:
            retire = asyncio.get_running_loop().create_task(_stop_task(old), name=f"retire:{key}")
            self._retiring.add(retire)
            retire.add_done_callback(self._retiring.discard)
        stopping = asyncio.Event()
        task = asyncio.get_running_loop().create_task(
            _supervise(step or self.step, target, sink, stopping, self.retry), name=f"link:{key}"
        )
        self._tasks[key] = (task, stopping)

    def _cancel(self, key: str) -> asyncio.Task[None] | None:
        entry = self._tasks.pop(key, None)
        if entry is None:
            return None
        task, stopping = entry
        stopping.set()
        task.cancel()
        return task

    async def stop(self, key: str) -> None:
        task = self._cancel(key)
        if task is not None:
            await _stop_task(task)

    async def stop_all(self) -> None:
        tasks = [task for key in list(self._tasks) if (task := self._cancel(key)) is not None]
        for task in tasks:
            await _stop_task(task)
        retiring = list(self._retiring)
        if retiring:
            await asyncio.wait(retiring, timeout=STOP_ROUNDS * STOP_ROUND_TIMEOUT)

    def running(self) -> list[str]:
        return sorted(key for key, (task, _) in self._tasks.items() if not task.done())


async def _stop_task(task: asyncio.Task[None]) -> bool:
    stopped = await cancel_and_wait([task], timeout=STOP_ROUND_TIMEOUT, rounds=STOP_ROUNDS)
    if not stopped:
        log.error("link task %s did not stop", task.get_name())
    elif not task.cancelled() and task.exception() is not None:
        log.error("link task %s failed", task.get_name(), exc_info=task.exception())
    return stopped
