"""A pytest plugin object that records every test's verdict and writes the report artifacts.

It knows nothing about targets or clients: the paircert plugin hands it a :class:`RunContext`
(run metadata, the current transcript, a scrubber for secrets). At the end of the session it writes
``results.json`` and the HTML page (:mod:`paircert.report.html`); a failed or blocked test's
transcript, curl lines and traceback are kept for the page, a passing test's are not.

It never rewrites what it writes: the plugin has redacted each report's free text before any
hook here reads it, the transcript redacted each exchange when it was recorded, and the device's
own words in the run's metadata are redacted here field by field. Verdicts, outcomes, node ids,
requirement ids and JSON keys are written as they are.

One record per JUnit test case: a subtest that reports under a node id of its own (schemathesis
names each API operation's subtest ``test[GET /path]``) is a record of its own, with its parent's
requirements; a subtest under its parent's node id counts towards its parent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest

from paircert.report.html import write_report
from paircert.report.page import Evidence
from paircert.report.records import (
    BLOCKED_PREFIX,
    OBSERVED_PREFIX,
    PATH_PREFIX,
    BenchmarkRecord,
    DeviceInUse,
    HeldPairing,
    HeldRadar,
    NotRun,
    RunMetadata,
    RunRecord,
    TestRecord,
    classify,
)
from paircert.vapix.passwords import redact_url

__all__ = ["ReportRecorder", "RunContext"]

RESULTS_FILE = "results.json"
REPORT_FILE = "report.html"


class RunContext(Protocol):
    def metadata(self) -> RunMetadata: ...
    def transcript_text(self) -> str | None: ...
    def curl_lines(self) -> list[str]: ...
    def scrub(self, text: str) -> str: ...
    def documented_requirements(self) -> list[str]: ...


@dataclass
class _Pending:
    requirements: list[str]
    outcome: str = "passed"
    message: str | None = None
    duration: float = 0.0
    observations: dict[str, Any] = field(default_factory=dict)
    paths: list[dict[str, Any]] = field(default_factory=list)
    traceback: str | None = None
    evidence: Evidence | None = None
    record: TestRecord | NotRun | None = None
    failed_attempts: list[dict[str, Any]] = field(default_factory=list)


def _message(report: pytest.TestReport) -> str | None:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    return report.longreprtext or None


def _observations(report: pytest.TestReport) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, value in report.user_properties:
        if isinstance(name, str) and name.startswith(OBSERVED_PREFIX) and isinstance(value, str):
            try:
                found[name.removeprefix(OBSERVED_PREFIX)] = json.loads(value)
            except (TypeError, ValueError):
                found[name.removeprefix(OBSERVED_PREFIX)] = str(value)
    return found


def _paths(report: pytest.TestReport) -> list[dict[str, Any]]:
    """The law paths a test recorded (see ``PATH_PREFIX``), in the order it met them."""
    found = []
    for name, value in report.user_properties:
        if isinstance(name, str) and name.startswith(PATH_PREFIX) and isinstance(value, str):
            try:
                met = json.loads(value)
            except ValueError:
                continue
            if isinstance(met, dict):
                found.append({"requirement": name.removeprefix(PATH_PREFIX), **met})
    return found


def _marked(item: pytest.Item) -> list[str]:
    return [str(i) for mark in item.iter_markers("requirement") for i in mark.args]


def _scrubbed(in_use: DeviceInUse, scrub: Callable[[str], str]) -> DeviceInUse:
    """The device's own words (ids, addresses, and the line that quotes them) redacted field by field."""

    def address(value: str | None) -> str | None:
        return scrub(value) if value is not None else None

    radar = in_use.radar
    return DeviceInUse(
        line=scrub(in_use.line),
        camera_pairings=[HeldPairing(scrub(p.id), address(p.address)) for p in in_use.camera_pairings],
        radar=HeldRadar(address(radar.address), radar.active) if radar is not None else None,
        missing_options=in_use.missing_options,
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class ReportRecorder:
    """Writes ``results.json`` and the page (``html_path``, ``report.html``) into ``report_dir``."""

    def __init__(self, context: RunContext, report_dir: Path | None) -> None:
        self.context = context
        self.report_dir = report_dir
        self.html_path = report_dir / REPORT_FILE if report_dir is not None else None
        self.started = _now()
        self._tests: dict[str, _Pending] = {}
        self._documented: set[str] | None = None
        self._running: str | None = None
        self.benchmarks: list[BenchmarkRecord] = []
        """The benchmarks the run included; filled before the session ends (paircert run --bench)."""
        self.restore: dict[str, Any] | None = None
        """What restoring a device in use ended with (``RestoreOutcome.to_dict``); set before the session ends."""
        self.device_in_use: DeviceInUse | None = None
        """A device in use the run left alone (the tests that need an empty device were blocked)."""

    def _documented_set(self) -> set[str]:
        if self._documented is None:
            self._documented = set(self.context.documented_requirements())
        return self._documented

    def _checks_documented(self, requirements: list[str]) -> bool:
        return any(rid in self._documented_set() for rid in requirements)

    # --- collection and results -------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            self._tests[item.nodeid] = _Pending(requirements=sorted(set(_marked(item))))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        pending = self._tests.get(item.nodeid)
        if pending is not None:  # a setup step marks the requirement it found the device breaking
            pending.requirements = sorted(set(pending.requirements) | set(_marked(item)))
        if report.when != "teardown" or pending is None:
            return
        attempts = getattr(self.context, "failed_attempts", None)  # optional part of a RunContext
        if callable(attempts):  # the transcript is the current test's until the next setup clears it
            pending.failed_attempts = attempts()
        failed = pending.outcome in ("failed", "error") or report.failed
        blocked = pending.outcome == "skipped" and (pending.message or "").startswith(BLOCKED_PREFIX)
        if failed or blocked:  # the transcript is the current test's until the next setup clears it
            pending.evidence = Evidence(
                transcript=self.context.transcript_text(),
                curl=tuple(self.context.curl_lines()) if failed else (),
                traceback=pending.traceback or (report.longreprtext if report.failed else None),
            )

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self._running = nodeid

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        own_subtest = isinstance(report, pytest.SubtestReport) and report.nodeid != self._running
        parent = self._tests.get(self._running or "") if own_subtest else None
        pending = self._tests.setdefault(report.nodeid, _Pending(requirements=parent.requirements if parent else []))
        pending.duration += report.duration
        pending.observations.update(_observations(report))
        pending.paths += [p for p in _paths(report) if p not in pending.paths]
        if report.failed and pending.outcome not in ("failed", "error"):
            pending.outcome = "failed" if report.when == "call" else "error"
            pending.message = _message(report)
            pending.traceback = report.longreprtext or None
        elif report.skipped and pending.outcome == "passed":
            pending.outcome = "skipped"
            pending.message = _message(report)
            if hasattr(report, "wasxfail"):
                pending.message = f"xfail: {report.wasxfail}"
        if report.when == "teardown" or own_subtest:
            pending.record = self._record(report.nodeid, pending)

    def _record(self, nodeid: str, pending: _Pending) -> TestRecord | NotRun:
        duration = round(pending.duration, 4)
        verdict = classify(
            pending.outcome,
            pending.message,
            pending.observations,
            checks_documented=self._checks_documented(pending.requirements),
        )
        if verdict is None:
            return NotRun(nodeid=nodeid, requirements=pending.requirements, reason=pending.message, duration=duration)
        return TestRecord(
            nodeid=nodeid,
            outcome=pending.outcome,
            verdict=verdict,
            requirements=pending.requirements,
            observations=pending.observations,
            duration=duration,
            message=pending.message,
            paths=pending.paths,
            failed_attempts=pending.failed_attempts,
        )

    def run_record(self, exit_status: int | None = None) -> RunRecord:
        metadata = self.context.metadata()
        metadata.started = self.started
        metadata.finished = _now()
        metadata.exit_status = exit_status
        metadata.target_url = redact_url(metadata.target_url) if metadata.target_url else metadata.target_url
        metadata.device = {key: self.context.scrub(value) for key, value in metadata.device.items()}
        tests = [p.record for p in self._tests.values() if isinstance(p.record, TestRecord)]
        not_run = [p.record for p in self._tests.values() if isinstance(p.record, NotRun)]
        covered = {rid for t in tests for rid in t.requirements}
        untested = sorted(rid for rid in self._documented_set() if rid not in covered)
        coverage = getattr(self.context, "coverage", None)  # optional part of a RunContext
        traffic = getattr(self.context, "traffic", None)
        return RunRecord(
            metadata=metadata,
            tests=tests,
            untested_requirements=untested,
            coverage=coverage() if callable(coverage) else None,
            not_run=not_run,
            traffic=traffic() if callable(traffic) else None,
            benchmarks=list(self.benchmarks),
            restore=self.restore,
            device_in_use=_scrubbed(self.device_in_use, self.context.scrub) if self.device_in_use else None,
        )

    def verdict_of(self, nodeid: str) -> TestRecord | None:
        """The judged record of a test (None while it runs, and for a test not judged)."""
        pending = self._tests.get(nodeid)
        return pending.record if pending and isinstance(pending.record, TestRecord) else None

    # --- results.json and the page ------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        record = self.run_record(int(exitstatus))
        if self.report_dir is not None and self._tests:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            (self.report_dir / RESULTS_FILE).write_text(record.to_json() + "\n", encoding="utf-8")
        if self.html_path is not None:
            evidence = {nodeid: p.evidence for nodeid, p in self._tests.items() if p.evidence is not None}
            in_use = record.device_in_use.line if record.device_in_use is not None else None
            write_report(self.html_path, record, evidence, self.report_dir, in_use)
