"""Restarting a device at ``--target``: the user's command, then bounded waits until it is back.

Persistence is only checked when a restart really happened. A command that returns while the
device still serves its old process would let a test read the state back from memory and pass
without any restart, so the device must be seen gone (not answering) before it is waited for
again; a device seen answering throughout is a restart that did not happen, never a pass. The
command's output is not kept: it may carry the login it used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

__all__ = ["DOWN_WAIT", "POLL_INTERVAL", "RestartFailed", "RestartUnavailable", "restart_by_command"]

DOWN_WAIT = 60.0
"""Seconds after the command within which the device must stop answering (a reboot begins at once)."""
POLL_INTERVAL = 1.0
STOP_GRACE = 5.0


class RestartUnavailable(Exception):
    """The run has no way to restart the target; ``str()`` says what to give."""


class RestartFailed(Exception):
    """A restart was asked for and did not complete; ``str()`` is one line with no secret in it."""


def _run(command: str, timeout: float) -> None:
    """Run ``command`` in a shell of its own session; past ``timeout`` its whole process group ends."""
    process = subprocess.Popen(
        command,
        shell=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=STOP_GRACE)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        raise RestartFailed(f"the restart command did not end within {timeout:.0f} s") from None
    if code != 0:
        raise RestartFailed(f"the restart command exited with status {code} (its output is not kept)")


def _poll(answers: Callable[[], str | None], want_answer: bool, seconds: float) -> str | None:
    """Poll until the device answers (``want_answer``) or stops answering; None when it did in time,
    else the last thing seen. ``answers()`` gives None when the device answered, else why not."""
    deadline = time.monotonic() + seconds
    while True:
        why = answers()
        if (why is None) == want_answer:
            return None
        if time.monotonic() >= deadline:
            return why or "it answered"
        time.sleep(POLL_INTERVAL)


def restart_by_command(
    command: str, timeout: float, answers: Callable[[], str | None], *, down_wait: float = DOWN_WAIT
) -> None:
    """Run the restart ``command`` (at most ``timeout`` s), see the device go down (at most
    ``down_wait`` s), then wait until ``answers()`` says it is back (at most ``timeout`` s)."""
    _run(command, timeout)
    if _poll(answers, want_answer=False, seconds=down_wait) is not None:
        raise RestartFailed(
            f"the device kept answering for {down_wait:.0f} s after the restart command: no restart was seen "
            "(the command must return once the restart has begun)"
        )
    last = _poll(answers, want_answer=True, seconds=timeout)
    if last is not None:
        raise RestartFailed(f"the device did not answer within {timeout:.0f} s of going down for the restart: {last}")
