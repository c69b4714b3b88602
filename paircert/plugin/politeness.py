"""The run's traffic: one pace, timeout and retry rule for every client, and what the run sent.

:class:`RunTraffic` is made once per run from ``--max-rps``, ``--request-timeout`` and
``--retries``; the target's preflight and every identity's clients send through its
:class:`~paircert.clients.traffic.Traffic`. It watches the run's transcript (every request
recorded, answered or not, preflight included) and classifies each with
:func:`paircert.clients.effects.changes_state`, so a read-only run ends with proof from its own
transcript: either "none changes state", or the requests that did, which fails the run (the suite
sent what the profile promised it would not: a suite bug, never the device's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.effects import StateAudit
from paircert.clients.traffic import Traffic
from paircert.plugin.context import current_test
from paircert.plugin.options import RunConfig

__all__ = ["OUTSIDE_TESTS", "READ_ONLY_PLUGIN", "ReadOnlyCheck", "RunTraffic"]

READ_ONLY_PLUGIN = "paircert-read-only"
OUTSIDE_TESTS = "preflight or a fixture outside any test"


class RunTraffic:
    """The run's :class:`Traffic` and the audit of every request the transcript recorded."""

    def __init__(self, run: RunConfig, scrub: Callable[[str], str]) -> None:
        self._scrub = scrub
        self.read_only = run.profile == "read-only"
        self.traffic = Traffic.from_settings(run.max_rps, run.request_timeout, run.retries)
        self.audit = StateAudit()

    def watch(self, method: str, url: str, body: bytes) -> None:
        """A :data:`~paircert.clients.transcript.Watcher`: note who sent it, classify it."""
        test = current_test()
        self.audit.note(method, url, body, sender=test.nodeid if test else OUTSIDE_TESTS)

    @property
    def broke_read_only(self) -> bool:
        return self.read_only and not self.audit.clean

    def statement(self) -> str:
        """What the transcript shows, secrets removed (a CGI method name comes from a body)."""
        return self._scrub(self.audit.statement())

    def to_dict(self) -> dict[str, Any]:
        """For results.json: the settings, the counts, and for a read-only run the proof."""
        audit = self.audit
        document: dict[str, Any] = {
            "max_rps": self.traffic.max_rps,
            "request_timeout": self.traffic.request_timeout,
            "retries": self.traffic.retries,
            "requests": audit.requests,
            "state_changing": audit.changing_count,
            "read_only": None,
        }
        if self.read_only:
            document["read_only"] = {
                "holds": audit.clean,
                "statement": self.statement(),
                "changing": [self._scrub(entry) for entry in audit.changing],
            }
        return document


class ReadOnlyCheck:
    """Makes a read-only run fail when its transcript holds a state-changing request."""

    def __init__(self, traffic: RunTraffic) -> None:
        self._traffic = traffic

    @pytest.hookimpl(tryfirst=True)  # before the report writers read the exit status
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._traffic.broke_read_only and session.exitstatus in (
            pytest.ExitCode.OK,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        ):
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self._traffic.read_only:
            terminalreporter.write_line(self._traffic.statement(), red=self._traffic.broke_read_only)
