"""``paircert emulator`` in its own process, for the project tests that need the real command line.

One way to start it, read its ready banner and stop it, so every test that does meets the same
bounds: the banner must come within ``timeout`` seconds, the process is stopped (terminate, then
kill) however the test ends, and its output is drained by threads so a chatty emulator can never
block on a full pipe. The environment is the test's own without ``PAIRCERT_*`` variables (a
developer's settings must not leak in), with the checkout on ``PYTHONPATH`` and the ``env`` given.

    with running_emulator("--state-dir", str(tmp_path), "--user", f"root:{pw}:admin") as emulator:
        httpx.get(emulator.http_url + "/config/discover")

``restartable=True`` pins the emulator's four ports and gives ``emulator.restart_command``: a shell
command for ``paircert run --restart-command`` that has this helper stop the process and start it
again on the same ports and state, as a device reboots. Every process stays a child of the test,
so each one is reaped and none outlives it.
"""

from __future__ import annotations

import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

__all__ = ["BANNER_END", "READY_LINE", "EmulatorProcess", "default_sigint", "running_emulator"]

REPO = Path(__file__).resolve().parents[1]
READY_LINE = "paircert emulator ready"
BANNER_END = "rtsps:"  # the banner's last line names the RTSPS re-serve URL
STOP_TIMEOUT = 60.0  # a bound for a loaded CI machine, not a timing check
RESTART_POLL = 0.1
DOWN_AFTER_RESTART = 2.0  # seconds the restarted emulator stays down once the command returned
RESTART_WAIT = 60.0  # how long the restart command waits for the helper to have stopped the process
PORT_OPTIONS = ("--http-port", "--https-port", "--rtsp-port", "--rtsps-port")


def default_sigint() -> None:
    """For ``preexec_fn``: a child gets Ctrl-C's default even when the test run was started in the
    background, where SIGINT is ignored and the child would inherit that (and never stop on it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class _Launch:
    """One emulator process and the threads that drain its output."""

    def __init__(self, command: list[str], cwd: Path | None, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=default_sigint,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self._readers = [
            threading.Thread(target=_drain, args=(self.process.stdout, self.lines), daemon=True),
            threading.Thread(target=_collect, args=(self.process.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def stop(self) -> None:
        """Terminate (then kill), reap, and close the pipes once their readers are done."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=STOP_TIMEOUT)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _drain(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _collect(stream: IO[str], into: list[str]) -> None:
    into.extend(stream)


class EmulatorProcess:
    """A started emulator: its process, its banner (lines stripped) and what it wrote to stderr."""

    def __init__(self, command: list[str], cwd: Path | None, environment: Mapping[str, str]) -> None:
        self._start = (command, cwd, environment)
        self._launch = _Launch(*self._start)
        self.banner: list[str] = []
        self.restart_command: str | None = None
        """With ``restartable=True``: the shell command that restarts this emulator on its ports."""

    @property
    def process(self) -> subprocess.Popen[str]:
        """The running process (a new one after each restart)."""
        return self._launch.process

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
        """Everything the current process wrote to stderr; complete once it has exited."""
        return "".join(self._launch.stderr)

    def _wait_ready(self, timeout: float) -> None:
        self.banner = _banner(self._launch.lines, timeout)
        if self.banner[:1] != [READY_LINE] or not self.banner[-1].startswith(BANNER_END):
            raise AssertionError(f"the emulator did not report ready: {self.banner}\n{self.stderr()}")

    def _serve_restarts(self, signals: Path, stopping: threading.Event) -> None:
        """Until ``stopping``: on each request, stop the process, say so, and start it again."""
        request = signals / "request"
        while not stopping.wait(RESTART_POLL):
            if request.exists():
                request.unlink()
                self._launch.stop()
                stopped = signals / "stopped"
                stopped.touch()
                # Down until the restart command has seen the stop and returned, and a while after,
                # as a device's reboot is: otherwise a loaded machine can bring the new process up
                # before the suite's first poll, and the restart looks as if it never happened.
                while stopped.exists() and not stopping.wait(RESTART_POLL):
                    pass
                if stopping.wait(DOWN_AFTER_RESTART):
                    return
                self._launch = _Launch(*self._start)

    def _stop(self) -> None:
        self._launch.stop()


@contextmanager
def running_emulator(
    *arguments: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 30.0,
    restartable: bool = False,
) -> Iterator[EmulatorProcess]:
    """``paircert emulator ARGUMENTS...`` from its ready banner until the ``with`` block ends."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **(env or {}))
    command = [sys.executable, "-m", "paircert", "emulator", *arguments]
    if restartable:  # a restart must find it on the same ports
        ports = _free_ports(len(PORT_OPTIONS))
        command += [part for option, port in zip(PORT_OPTIONS, ports, strict=True) for part in (option, str(port))]
    with tempfile.TemporaryDirectory(prefix="emulator-restart-") as signals:
        emulator = EmulatorProcess(command, cwd, environment)
        stopping = threading.Event()
        restarter = threading.Thread(target=emulator._serve_restarts, args=(Path(signals), stopping), daemon=True)
        try:
            emulator._wait_ready(timeout)
            if restartable:
                emulator.restart_command = _restart_command(Path(signals))
                restarter.start()
            yield emulator
        finally:
            stopping.set()
            if restarter.is_alive():
                restarter.join(timeout=3 * STOP_TIMEOUT)
            emulator._stop()


def _restart_command(signals: Path) -> str:
    """Ask for a restart by a file, and return once the helper says the old process has stopped."""
    request, stopped = shlex.quote(str(signals / "request")), shlex.quote(str(signals / "stopped"))
    tries = int(RESTART_WAIT / RESTART_POLL)
    return (
        f"touch {request} && for i in $(seq {tries}); do "
        f"if [ -e {stopped} ]; then rm -f {stopped}; exit 0; fi; sleep {RESTART_POLL}; done; exit 1"
    )


def _free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.add(int(probe.getsockname()[1]))
    return sorted(ports)


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
