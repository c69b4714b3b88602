"""``--bench NAME[,NAME]``: the run ends with benchmarks, measured before its report is written.

They run in ``pytest_sessionfinish`` ahead of the report recorder (which writes results.json and
report.html there, last), on the run's own target and peers: both are still up until
``pytest_unconfigure``. So the report is written once, with the benchmarks in it. A benchmark is
never a verdict: the run's exit status stays the suites'.
"""

from __future__ import annotations

import pytest

from paircert.plugin.session import SessionState
from paircert.report.benchmarks import benchmark_views
from paircert.report.recorder import ReportRecorder

__all__ = ["BENCHMARKING_PLUGIN", "Benchmarking", "register_benchmarking"]

BENCHMARKING_PLUGIN = "paircert-benchmarking"
FINISHED = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)


class Benchmarking:
    """Measures the benchmarks the run names and hands their records to the report recorder."""

    def __init__(self, state: SessionState, recorder: ReportRecorder) -> None:
        self._state = state
        self._recorder = recorder

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        run = self._state.run
        if run.report_dir is None or self._state.target.failure is not None:
            return  # read_run_config insists on a run folder; a target that failed preflight ended the run
        # Imported here: the benchmarks (uvicorn, the RTSP readers) load only for a run that asks for them.
        from paircert.bench.included import run_benchmarks, skip_benchmarks

        if exitstatus not in FINISHED:
            why = f"the suites did not finish (pytest exit status {int(exitstatus)})"
            self._recorder.benchmarks = skip_benchmarks(run, why, run.report_dir)
            return
        self._recorder.benchmarks = run_benchmarks(
            run, self._state.peers, self._state.target, run.report_dir, self._state.report.scrub
        )

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """One line per benchmark figure against its target, worded as the report words it."""
        for view in benchmark_views(self._recorder.benchmarks, {}):
            lines = [
                f"{t.figure}: {t.measured} (target {t.target})"
                + (f": {t.state}" if t.state in ("met", "missed") else "")
                for t in view.targets
            ]
            for line in lines or [view.calibration or view.summary]:
                terminalreporter.write_line(f"paircert: benchmark {view.name}: {line}")


def register_benchmarking(config: pytest.Config, state: SessionState, recorder: ReportRecorder) -> None:
    """A run with ``--bench`` ends with its benchmarks; other runs measure nothing."""
    if state.run.benchmarks and not config.pluginmanager.has_plugin(BENCHMARKING_PLUGIN):
        config.pluginmanager.register(Benchmarking(state, recorder), BENCHMARKING_PLUGIN)
