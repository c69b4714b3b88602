"""pytest hooks of the paircert plugin: markers, requirement validation, profiles, preflight,
the current-test context, and redacting secrets from every report before anyone reads it."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import hypothesis
import pytest

from paircert.plugin.baseline import BASELINE_PLUGIN, BaselineCheck
from paircert.plugin.benchmarking import register_benchmarking
from paircert.plugin.context import CURRENT, CurrentTest
from paircert.plugin.declaring import register_declaring
from paircert.plugin.first_contact import record_auth_problem
from paircert.plugin.generation import use_run_folders
from paircert.plugin.options import read_options
from paircert.plugin.politeness import READ_ONLY_PLUGIN, ReadOnlyCheck
from paircert.plugin.redaction import redact_report
from paircert.plugin.session import STATE_KEY, SessionState
from paircert.plugin.summary import register_summary
from paircert.plugin.target import PreflightError
from paircert.plugin.vacating import register_vacating
from paircert.report.recorder import ReportRecorder

__all__ = [
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_makereport",
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_runtestloop",
    "pytest_unconfigure",
]

REPORT_PLUGIN = "paircert-report"
PEER_FIXTURES = ("peer_camera", "peer_radar")
MARKERS = (
    "requirement(*ids): requirement IDs from the ledger that this conformance test checks",
    "changes_state: the test changes device state (skipped by the read-only profile)",
    "slow_conformance: a slow conformance test (skipped by the gate profile)",
)
PREVIOUS_PROFILE = pytest.StashKey[str]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if STATE_KEY in config.stash:  # loaded twice (conftest and -p): configure once
        return
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    state = SessionState(read_options(config))
    config.stash[STATE_KEY] = state
    previous = use_run_folders(state.run.report_dir)
    if previous is not None:
        config.stash[PREVIOUS_PROFILE] = previous
    # Before the recorder: both finish the session trylast, and pluggy calls the one registered first first.
    register_vacating(config, state.vacating, lambda: config.pluginmanager.get_plugin(REPORT_PLUGIN))
    if not config.pluginmanager.has_plugin(REPORT_PLUGIN):
        config.pluginmanager.register(ReportRecorder(state.report, state.run.report_dir), REPORT_PLUGIN)
    recorder = config.pluginmanager.get_plugin(REPORT_PLUGIN)
    if state.run.verdict_summary and isinstance(recorder, ReportRecorder):
        register_summary(config, recorder, lambda: state.target.failure is not None)
    if state.run.baseline is not None and isinstance(recorder, ReportRecorder):
        check = BaselineCheck(
            recorder, state.run.baseline, state.run.report_dir, lambda: state.target.failure is not None
        )
        config.pluginmanager.register(check, BASELINE_PLUGIN)
    register_declaring(config, state)
    if state.traffic.read_only:
        config.pluginmanager.register(ReadOnlyCheck(state.traffic), READ_ONLY_PLUGIN)
    if isinstance(recorder, ReportRecorder):
        register_benchmarking(config, state, recorder)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE_KEY, None)
    if state is not None:
        state.close()
    previous = config.stash.get(PREVIOUS_PROFILE, None)
    if previous is not None:
        hypothesis.settings.load_profile(previous)


def _requirements(item: pytest.Item) -> list[str]:
    return [str(i) for mark in item.iter_markers("requirement") for i in mark.args]


def _validate_requirements(items: list[pytest.Item]) -> None:
    wanted = {item.nodeid: _requirements(item) for item in items}
    if not any(wanted.values()):
        return
    try:
        from paircert.ledger import load_ledger

        known = load_ledger()
    except Exception as exc:  # the ledger is data: any failure to read it is a usage problem
        raise pytest.UsageError(f"cannot load the requirement ledger (paircert.ledger): {exc}") from None
    bad = [f"{nodeid}: {rid}" for nodeid, ids in wanted.items() for rid in ids if rid not in known]
    marked_empty = [
        nodeid
        for item in items
        for nodeid in [item.nodeid]
        if any(not m.args for m in item.iter_markers("requirement"))
    ]
    problems = [f"unknown requirement ID {entry}" for entry in bad] + [
        f"{n}: requirement marker without IDs" for n in marked_empty
    ]
    if problems:
        raise pytest.UsageError(
            "requirement markers do not match the ledger (paircert/ledger/requirements.toml):\n  "
            + "\n  ".join(problems)
        )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _validate_requirements(items)
    profile = config.stash[STATE_KEY].run.profile
    for item in items:
        if profile == "read-only" and item.get_closest_marker("changes_state"):
            item.add_marker(pytest.mark.skip(reason="read-only profile: the test changes device state"))
        if profile == "gate" and item.get_closest_marker("slow_conformance"):
            item.add_marker(pytest.mark.skip(reason="gate profile: slow conformance test (run the full profile)"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> None:
    """Preflight before the first test, so a dead target is one line and not N failures."""
    if session.config.option.collectonly or not any(
        "target" in getattr(item, "fixturenames", ()) for item in session.items
    ):
        return
    # Peers come up before the embedded emulator, which is told their ports and trusts their CA.
    state = session.config.stash[STATE_KEY]
    wants_peers = bool(state.run.benchmarks) or any(
        name in getattr(item, "fixturenames", ()) for item in session.items for name in PEER_FIXTURES
    )
    target = state.target
    try:
        target.start(wants_peers=wants_peers)
    except PreflightError as exc:
        # One code under pytest: its 4 already means a usage error (paircert run tells them apart).
        pytest.exit(f"paircert: {exc}", returncode=PreflightError.exit_code)
    if target.auth_problem is not None:
        item = record_auth_problem(session, target.auth_problem)
        recorder = session.config.pluginmanager.get_plugin(REPORT_PLUGIN)
        if isinstance(recorder, ReportRecorder):  # it learns a test's requirements at collection
            recorder.pytest_collection_modifyitems([item])
    if any(item.get_closest_marker("changes_state") and not item.get_closest_marker("skip") for item in session.items):
        said = state.vacating.prepare()  # a device in use: snapshot it, vacate it when the options allow
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if said is not None and reporter is not None:
            reporter.write_line(said)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, Any, None]:
    seed = item.config.stash[STATE_KEY].run.seed
    token = CURRENT.set(CurrentTest(item.nodeid, tuple(_requirements(item)), seed))
    try:
        yield
    finally:
        CURRENT.reset(token)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.config.stash[STATE_KEY].transcript.clear()


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    public = (item.nodeid, report.nodeid, str(item.path), report.location[0], *_requirements(item))
    redact_report(report, item.config.stash[STATE_KEY].transcript, item.config, public)
