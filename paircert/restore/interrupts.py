"""Signals around changes that must not stop halfway.

While the device is being vacated or restored, Ctrl-C (SIGINT) and SIGTERM are held: the step runs
to its end, then the previous handlers are back. During the run itself SIGTERM is turned into the
KeyboardInterrupt that Ctrl-C raises, so both end the run the same way: through the restore.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

__all__ = ["Held", "hold_interrupts", "sigterm_interrupts"]

_HELD = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Held:
    """The signals that arrived while held, in order."""

    received: list[int] = field(default_factory=list)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def hold_interrupts(what: str) -> Iterator[Held]:
    """Hold SIGINT and SIGTERM until the block ends; each one that arrives is noted on stderr
    (``what`` says what it waits for). Outside the main thread, where Python delivers no signal,
    nothing changes."""
    held = Held()
    if not _in_main_thread():
        yield held
        return

    def note(signum: int, _frame: FrameType | None) -> None:
        held.received.append(signum)
        os.write(2, f"\npaircert: {signal.Signals(signum).name} held: {what} runs to its end first\n".encode())

    previous: dict[int, Any] = {signum: signal.signal(signum, note) for signum in _HELD}
    try:
        yield held
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def sigterm_interrupts() -> Callable[[], None]:
    """Make SIGTERM raise KeyboardInterrupt, as Ctrl-C does; the function returned puts back the
    handler it replaced."""
    if not _in_main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, _interrupt)

    def put_back() -> None:
        if _in_main_thread():
            signal.signal(signal.SIGTERM, previous)

    return put_back
