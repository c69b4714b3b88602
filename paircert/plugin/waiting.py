"""Bounded polling of a link state, with every transition and its time kept for the report.

A :class:`Poller` reads a value (a camera pairing's ``status``, a radar's ``state``) through the
clients every ``interval`` seconds, at most ``timeout`` seconds and ``max_polls`` reads, until the
value is one of ``until``. Each change is a :class:`Transition` with the seconds since the poll
started (which a test starts right after the action it times). The result, reached or not, goes
to the test's report as the observation ``transitions.<label>``, so a run's results carry the
transition times seen for every case.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import pytest

from paircert.clients.response import ApiResponse
from paircert.plugin.expect import failure_message

__all__ = ["DEFAULT_INTERVAL", "Poller", "Transition", "Watch"]

DEFAULT_INTERVAL = 0.05
TRANSITIONS_KEY = "transitions."

Reader = Callable[[], tuple[str | None, ApiResponse | None]]
# Says that an answer cannot turn into a state by waiting (e.g. a success of the wrong shape): the
# poll stops at once instead of spending its whole timeout on a device that broke the shape.
Final = Callable[[ApiResponse | None], bool]


@dataclass(frozen=True)
class Transition:
    after: float  # seconds since the poll started
    value: str | None


@dataclass
class Watch:
    """What one bounded poll saw."""

    label: str
    until: tuple[str, ...]
    timeout: float
    transitions: list[Transition] = field(default_factory=list)
    polls: int = 0
    elapsed: float = 0.0
    reached: bool = False
    stopped: bool = False  # the poll ended early on an answer that waiting cannot change
    last: ApiResponse | None = None

    @property
    def value(self) -> str | None:
        return self.transitions[-1].value if self.transitions else None

    @property
    def values(self) -> list[str | None]:
        return [t.value for t in self.transitions]

    def seen(self, value: str) -> bool:
        return value in self.values

    def time_to(self, value: str) -> float | None:
        """Seconds until ``value`` was first seen (None when it never was)."""
        return next((t.after for t in self.transitions if t.value == value), None)

    def sequence(self) -> str:
        return " -> ".join(f"{t.value} @{t.after:.2f}s" for t in self.transitions) or "(nothing read)"

    def to_json(self) -> dict[str, Any]:
        return {
            "until": list(self.until),
            "reached": self.reached,
            "after_s": round(self.elapsed, 3) if self.reached else None,
            "timeout_s": self.timeout,
            "polls": self.polls,
            "stopped_early": self.stopped,
            "sequence": [{"t": round(t.after, 3), "value": t.value} for t in self.transitions],
        }


class Poller:
    """Polls one reader; ``record(label, json)`` stores each watch in the report."""

    def __init__(
        self,
        what: str,
        reader: Reader,
        record: Callable[[str, Any], None],
        *,
        interval: float = DEFAULT_INTERVAL,
        final: Final | None = None,
    ) -> None:
        self.what = what
        self.reader = reader
        self.record = record
        self.interval = interval
        self.final = final

    def __call__(
        self,
        until: str | Collection[str],
        *,
        label: str,
        timeout: float = 10.0,
        required: bool = True,
        max_polls: int | None = None,
    ) -> Watch:
        """Poll until the value is in ``until``; fail (or, with ``required=False``, return) at the bound."""
        __tracebackhide__ = True
        wanted = (until,) if isinstance(until, str) else tuple(until)
        limit = max_polls if max_polls is not None else math.ceil(timeout / self.interval) + 5
        watch = Watch(label=label, until=wanted, timeout=timeout)
        start = time.monotonic()
        deadline = start + timeout
        while watch.polls < limit:
            value, resp = self.reader()
            now = time.monotonic()
            watch.polls += 1
            watch.last = resp
            if not watch.transitions or watch.transitions[-1].value != value:
                watch.transitions.append(Transition(now - start, value))
            if value in wanted:
                watch.reached = True
                watch.elapsed = now - start
                break
            if now >= deadline:
                break
            if self.final is not None and self.final(resp):
                watch.stopped = True
                break
            time.sleep(min(self.interval, max(deadline - now, 0.0)))
        if not watch.reached:
            watch.elapsed = time.monotonic() - start
        self.record(TRANSITIONS_KEY + label, watch.to_json())
        if required and not watch.reached:
            ended = (
                f"stopped after {watch.elapsed:.2f} s on an answer that cannot become a state"
                if watch.stopped
                else f"within {timeout:g} s"
            )
            pytest.fail(
                failure_message(
                    f"{self.what} never became {' or '.join(wanted)} {ended} ({watch.polls} polls); "
                    f"seen: {watch.sequence()}",
                    expected=f"{self.what} {' or '.join(wanted)}",
                    resp=watch.last,
                )
            )
        return watch

    def holds(self, value: str, seconds: float, *, label: str) -> Watch:
        """Poll for ``seconds``; fail if the value is ever something else."""
        __tracebackhide__ = True
        watch = Watch(label=label, until=(value,), timeout=seconds)
        start = time.monotonic()
        limit = math.ceil(seconds / self.interval) + 5
        while watch.polls < limit:
            read, resp = self.reader()
            now = time.monotonic()
            watch.polls += 1
            watch.last = resp
            if not watch.transitions or watch.transitions[-1].value != read:
                watch.transitions.append(Transition(now - start, read))
            if read != value or now - start >= seconds:
                break
            time.sleep(self.interval)
        watch.elapsed = time.monotonic() - start
        watch.reached = watch.values == [value]
        self.record(TRANSITIONS_KEY + label, watch.to_json())
        if not watch.reached:
            pytest.fail(
                failure_message(
                    f"{self.what} did not stay {value} for {seconds:g} s; seen: {watch.sequence()}",
                    expected=f"{self.what} stays {value}",
                    resp=watch.last,
                )
            )
        return watch
