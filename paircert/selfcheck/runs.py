"""Runs of ``paircert run`` against the embedded emulator, a bounded number at a time.

Each run is a separate process in a session of its own, so its embedded emulator, hosted peers and
hypothesis database are its own and a stuck run can be ended as a whole (its process group) when
its time is up, when the caller stops reading, or on Ctrl-C. Nothing outlives :func:`execute`.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from paircert.report.compare import ResultsFileError
from paircert.selfcheck.matrix import RunOutcome, RunStatus, read_results

__all__ = ["EMULATOR_VARIANTS", "RunSpec", "execute", "run_argv"]

POLL_SECONDS = 0.2
STOP_GRACE_SECONDS = 5.0
REFUSED_EXIT_CODES = (3, 4)
"""``paircert run``: the target cannot be used (unreachable, credentials refused, not an Axis device)."""
EMULATOR_VARIANTS: dict[str, tuple[str, ...]] = {"radar-2026-01": ("--emulator-radar-revision", "2026-01")}
"""The run options that let a catalogue fault's ``needs`` be seen, by need. A need not listed here
(peers, timing, a restart) is met by the suite itself in every run."""


@dataclass(frozen=True)
class RunSpec:
    """One run: ``label`` names its folder (``clean`` or the fault), ``faults`` what the emulator breaks,
    ``options`` how else the embedded emulator is told to behave (:data:`EMULATOR_VARIANTS`)."""

    label: str
    faults: tuple[str, ...]
    options: tuple[str, ...] = ()


@dataclass
class _Running:
    spec: RunSpec
    process: subprocess.Popen[bytes]
    started: float
    folder: Path
    logs: tuple[IO[bytes], IO[bytes]]


def run_argv(spec: RunSpec, profile: str, report_dir: Path, keyword: str | None) -> list[str]:
    argv = [sys.executable, "-m", "paircert", "run", "--profile", profile, "--report-dir", str(report_dir)]
    for fault in spec.faults:
        argv += ["--emulator-fault", fault]
    return argv + list(spec.options) + (["-k", keyword] if keyword else [])


def _start(spec: RunSpec, profile: str, keyword: str | None, work_dir: Path) -> _Running:
    folder = work_dir / spec.label
    folder.mkdir(parents=True, exist_ok=True)
    stdout = (folder / "stdout.txt").open("wb")
    stderr = (folder / "stderr.txt").open("wb")
    process = subprocess.Popen(
        run_argv(spec, profile, folder / "reports", keyword),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        start_new_session=True,
    )
    return _Running(spec, process, time.monotonic(), folder, (stdout, stderr))


def _stop(running: _Running) -> None:
    """End the run's whole process group: SIGTERM, then SIGKILL after a grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(running.process.pid, sig)
        except ProcessLookupError:
            break
        try:
            running.process.wait(timeout=STOP_GRACE_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
    for log in running.logs:
        log.close()


def _last_line(path: Path) -> str:
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    return next((line for line in reversed(lines) if line), "")[:300]


def _outcome(running: _Running, exit_code: int | None, timed_out: bool) -> RunOutcome:
    duration = time.monotonic() - running.started
    found = sorted((running.folder / "reports").glob("*/results.json"))
    detail = _last_line(running.folder / "stderr.txt")
    if timed_out:
        return RunOutcome("timeout", exit_code, duration, detail=f"stopped after {duration:.0f} s; {detail}")
    if found:
        try:
            failures, counts = read_results(found[-1])
        except ResultsFileError as exc:
            return RunOutcome("crashed", exit_code, duration, detail=str(exc))
        return RunOutcome("completed", exit_code, duration, failures, counts, detail="")
    status: RunStatus = "refused" if exit_code in REFUSED_EXIT_CODES else "crashed"
    return RunOutcome(status, exit_code, duration, detail=detail)


def execute(
    specs: Sequence[RunSpec], *, profile: str, keyword: str | None, jobs: int, timeout: float, work_dir: Path
) -> Generator[tuple[RunSpec, RunOutcome], None, None]:
    """Run ``specs`` at most ``jobs`` at a time, each for at most ``timeout`` seconds, yielding as they end.

    In the order given: put the run whose outcome decides whether to go on first. Closing the
    iterator early (or Ctrl-C) ends every run still going.
    """
    pending = deque(specs)
    running: list[_Running] = []
    rounds = math.ceil(len(specs) / max(jobs, 1)) + 1
    deadline = time.monotonic() + rounds * (timeout + 2 * STOP_GRACE_SECONDS + 1)
    try:
        while (pending or running) and time.monotonic() < deadline:
            while pending and len(running) < jobs:
                running.append(_start(pending.popleft(), profile, keyword, work_dir))
            ended: list[tuple[RunSpec, RunOutcome]] = []
            for run in list(running):
                exit_code = run.process.poll()
                timed_out = exit_code is None and time.monotonic() - run.started > timeout
                if exit_code is None and not timed_out:
                    continue
                _stop(run)
                running.remove(run)
                ended.append((run.spec, _outcome(run, run.process.returncode if not timed_out else None, timed_out)))
            yield from ended
            if not ended:
                time.sleep(POLL_SECONDS)
        while running:  # only past the overall deadline, which every run's own timeout keeps us under
            run = running.pop()
            _stop(run)
            yield run.spec, _outcome(run, None, timed_out=True)
        for spec in pending:
            yield spec, RunOutcome("crashed", None, 0.0, detail="not started: selfcheck's overall deadline passed")
    finally:
        for run in running:
            _stop(run)
