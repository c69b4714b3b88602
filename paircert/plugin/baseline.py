"""``--baseline FILE``: the run ends by comparing itself with an earlier run, as ``paircert compare`` does.

The comparison's lines follow the verdict summary on the terminal, and ``comparison.json`` lands
in the run folder beside ``results.json``. A regression makes the run's exit code 1 even when no
test failed (a test that passed in the baseline and is blocked now), so a gate needs only the exit
code; the exit status written into results.json stays pytest's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from paircert.report.compare import ResultsFileError, compare, read_results, summary_lines
from paircert.report.recorder import ReportRecorder

__all__ = ["BASELINE_PLUGIN", "COMPARISON_FILE", "BaselineCheck"]

BASELINE_PLUGIN = "paircert-baseline"
COMPARISON_FILE = "comparison.json"


class BaselineCheck:
    """Compares the recorder's run with the baseline once the session ends; ``stopped``: preflight stopped it."""

    def __init__(
        self, recorder: ReportRecorder, baseline: Path, report_dir: Path | None, stopped: Callable[[], bool]
    ) -> None:
        self._recorder = recorder
        self._baseline = baseline
        self._report_dir = report_dir
        self._stopped = stopped
        self.lines: list[str] = []

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self._stopped() or exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            return
        try:
            baseline = read_results(self._baseline)
        except ResultsFileError as exc:  # read once before the run; it changed since
            self.lines = [f"paircert: error: --baseline: {exc}"]
            return
        comparison = compare(baseline, json.loads(self._recorder.run_record(int(exitstatus)).to_json()))
        self.lines = summary_lines(comparison)
        if self._report_dir is not None:
            self._report_dir.mkdir(parents=True, exist_ok=True)
            text = json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)
            (self._report_dir / COMPARISON_FILE).write_text(text + "\n", encoding="utf-8")
        if comparison.regressed:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl(wrapper=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> Generator[None, None, None]:
        yield  # after the verdict summary
        for line in self.lines:
            terminalreporter.write_line(line, red=line.startswith(("REGRESSION", "paircert: error")))
        return None
