"""``paircert emulator`` in its own process, for the project tests that need the real command line.

One way to start it, read its ready banner and stop it, so every test that does meets the same
bounds: the banner must come within ``timeout`` seconds, the process is stopped (terminate, then
kill) however the test ends, and its output is drained by threads so a chatty emulator can never
block on a full pipe. The environment is the test's own without ``PAIRCERT_*`` variables (a
developer's settings must not leak in), with the checkout on ``PYTHONPATH`` and the ``env`` given.

    with running_emulator("--state-dir", str(tmp_path), "--user", f"root:{pw}:admin") as emulator:
        httpx.get(emulator.http_url + "/config/discover")
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = ["BANNER_END", "READY_LINE", "EmulatorProcess", "running_emulator"]

REPO = Path(__file__).resolve().parents[1]
READY_LINE = "paircert emulator ready"
BANNER_END = "rtsps:"  # the banner's last line names the RTSPS re-serve URL
STOP_TIMEOUT = 20.0


def _drain(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _collect(stream: IO[str], into: list[str]) -> None:
    into.extend(stream)


@dataclass
class EmulatorProcess:
    """A started emulator: its process, its banner (lines stripped) and what it wrote to stderr."""

    process: subprocess.Popen[str]
    banner: list[str]
    _stderr: list[str] = field(default_factory=list)

    @property
    def urls(self) -> dict[str, str]:
        """The banner's labelled lines: ``http``, ``https``, ``CA``, ``rtsp``, ``rtsps``."""
        pairs = (line.split(None, 1) for line in self.banner[1:])
        return {label.rstrip(":"): value.strip() for label, value in pairs}

    @property
    def http_url(self) -> str:
        return self.urls["http"]

    def interrupt(self) -> str:
        """Ctrl-C, as a user stops it; waits for the exit and returns everything written to stderr."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=STOP_TIMEOUT)
        return self.stderr()

    def stderr(self) -> str:
        """Everything the process wrote to stderr; complete once it has exited."""
        return "".join(self._stderr)


@contextmanager
def running_emulator(
    *arguments: str, env: Mapping[str, str] | None = None, cwd: Path | None = None, timeout: float = 30.0
) -> Iterator[EmulatorProcess]:
    """``paircert emulator ARGUMENTS...`` from its ready banner until the ``with`` block ends."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **(env or {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "paircert", "emulator", *arguments],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()
    stderr: list[str] = []
    emulator = EmulatorProcess(process, [], stderr)
    readers = [
        threading.Thread(target=_drain, args=(process.stdout, lines), daemon=True),
        threading.Thread(target=_collect, args=(process.stderr, stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        emulator.banner = _banner(lines, timeout)
        if emulator.banner[:1] != [READY_LINE] or not emulator.banner[-1].startswith(BANNER_END):
            raise AssertionError(f"the emulator did not report ready: {emulator.banner}\n{emulator.stderr()}")
        yield emulator
    finally:
        _stop(process)
        for reader in readers:
            reader.join(timeout=STOP_TIMEOUT)
        process.stdout.close()
        process.stderr.close()


def _banner(lines: queue.Queue[str | None], timeout: float) -> list[str]:
    """The stripped lines up to the banner's end, or as far as the process got within ``timeout``."""
    deadline = time.monotonic() + timeout
    banner: list[str] = []
    while not banner or not banner[-1].startswith(BANNER_END):
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            break
        if line is None:  # the process closed its output: it has ended
            break
        banner.append(line.strip())
    return banner


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)
