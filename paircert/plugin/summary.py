"""What a run says on the terminal when it ends: the findings, the counts, where the report is.

One line per failed test (its node id, requirement ids and the first line of its reason), one
line per reason tests were blocked for (how many, and their requirement ids), then the counts per
verdict and the report's path. Tracebacks stay in the report. ``paircert run`` turns it on with
``--verdict-summary`` and quiets pytest's own output (``-qq --tb=no``); a pytest user opts in with
the same option.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from paircert.report.page import plain_reason
from paircert.report.recorder import ReportRecorder
from paircert.report.records import VERDICTS, RunRecord, TestRecord

__all__ = ["SUMMARY_PLUGIN", "VerdictSummary", "register_summary", "summary_lines"]

SUMMARY_PLUGIN = "paircert-summary"

IDS_SHOWN = 4


def _ids(requirements: Iterable[str]) -> str:
    ids = sorted(set(requirements))
    shown = ", ".join(ids[:IDS_SHOWN]) + (f" and {len(ids) - IDS_SHOWN} more" if len(ids) > IDS_SHOWN else "")
    return f"[{shown}]" if ids else "[no requirement]"


def summary_lines(record: RunRecord, report: Path | None) -> list[str]:
    """The summary as lines: failures, blocked reasons, counts, report path."""
    lines = [
        f"FAIL     {t.nodeid} {_ids(t.requirements)}: {plain_reason(t.message)}"
        for t in record.tests
        if t.verdict == "fail"
    ]
    blocked: dict[str, list[TestRecord]] = {}
    for test in record.tests:
        if test.verdict == "blocked":
            blocked.setdefault(plain_reason(test.message), []).append(test)
    for reason, tests in blocked.items():
        ids = _ids(rid for test in tests for rid in test.requirements)
        who = tests[0].nodeid if len(tests) == 1 else f"{len(tests)} tests"
        lines.append(f"BLOCKED  {who} {ids}: {reason}")
    counts = record.counts()
    not_run = f", {len(record.not_run)} not run" if record.not_run else ""
    lines.append("paircert: " + ", ".join(f"{counts[verdict]} {verdict}" for verdict in VERDICTS) + not_run)
    if report is not None:
        lines.append(f"paircert: report: {report}")
    return lines


class VerdictSummary:
    """The pytest plugin object that writes :func:`summary_lines` at the end of the terminal output."""

    def __init__(self, recorder: ReportRecorder, report: Path | None, stopped: Callable[[], bool]) -> None:
        self._recorder = recorder
        self._report = report
        self._stopped = stopped

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self._stopped():  # preflight stopped the run: its one line says everything
            return
        for line in summary_lines(self._recorder.run_record(), self._report):
            terminalreporter.write_line(line, red=line.startswith("FAIL"), yellow=line.startswith("BLOCKED"))


def register_summary(config: pytest.Config, recorder: ReportRecorder, stopped: Callable[[], bool]) -> None:
    """Turn the summary on; it names the HTML report the recorder writes, if any.

    ``stopped`` says whether preflight stopped the run, which then says nothing more.
    """
    config.pluginmanager.register(VerdictSummary(recorder, recorder.html_path, stopped), SUMMARY_PLUGIN)
