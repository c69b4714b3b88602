"""A device in use: snapshot it before the first state-changing test, vacate it with the user's
leave, and restore and verify it after the run, however the run ends.

Without ``--allow-destructive`` and the restore password(s) the parts that exist need, nothing is
changed: the tests that need an empty device stay blocked (``blocked_hint`` says which option is
missing) and the run's first line says what the device holds (results.json's ``device_in_use`` and
the page say it too). With them, the journal goes to the
run folder before anything is changed, and the restore runs in ``pytest_sessionfinish``, which
pytest reaches after the last test (and after tearing down the fixtures still set up), after Ctrl-C
(and SIGTERM, turned into the same interrupt while the device is vacated), after a test that crashed
and after an internal error. A restore that
does not verify makes the run's exit code 6 and says every difference.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Generator
from pathlib import Path

import httpx
import pytest

from paircert.plugin.identities import Identities
from paircert.plugin.options import RESTORE_PASSWORD_ENV, RESTORE_RADAR_PASSWORD_ENV, RunConfig
from paircert.plugin.redaction import RunTranscript
from paircert.plugin.target import Target
from paircert.report.recorder import ReportRecorder
from paircert.report.records import DeviceInUse, HeldPairing, HeldRadar
from paircert.restore.device import Device, open_device
from paircert.restore.interrupts import hold_interrupts, sigterm_interrupts
from paircert.restore.journal import JOURNAL_FILE, Journal
from paircert.restore.outcome import EXIT_NOT_VERIFIED, RestoreOutcome
from paircert.restore.restorer import RestoreError, RestorePasswords, restore
from paircert.restore.snapshot import Snapshot, SnapshotError, take_snapshot
from paircert.restore.vacate import vacate

__all__ = ["VACATING_PLUGIN", "Vacating", "describe", "register_vacating"]

VACATING_PLUGIN = "paircert-vacating"


def describe(snapshot: Snapshot) -> str:
    """What the device holds, in words: ``camera pairing CameraPairing-… (address 192.0.2.10) and an
    active radar configuration (address 192.0.2.11)``."""
    parts = [f"camera pairing {p.id} (address {p.properties.get('address')})" for p in snapshot.cameras]
    if snapshot.radar is not None:
        state = "an active" if snapshot.radar.active else "an inactive"
        parts.append(f"{state} radar configuration (address {snapshot.radar.connection.get('address')})")
    return " and ".join(parts)


def _address(value: object) -> str | None:
    return str(value) if value is not None else None


def _in_use(line: str, snapshot: Snapshot, missing: list[str]) -> DeviceInUse:
    """What results.json and the page say about a device the run left alone: ``line`` and the ids and
    addresses :func:`describe` names."""
    radar = snapshot.radar
    return DeviceInUse(
        line=line,
        camera_pairings=[HeldPairing(p.id, _address(p.properties.get("address"))) for p in snapshot.cameras],
        radar=HeldRadar(_address(radar.connection.get("address")), radar.active) if radar is not None else None,
        missing_options=missing,
    )


def _missing(run: RunConfig, snapshot: Snapshot) -> list[str]:
    missing = [] if run.allow_destructive else ["--allow-destructive"]
    if snapshot.cameras and not run.restore_password:
        missing.append("--restore-password")
    if snapshot.radar is not None and not run.restore_radar_password:
        missing.append("--restore-radar-password")
    return missing


def _give(missing: list[str]) -> str:
    if missing[0] == "--allow-destructive":
        return "give --allow-destructive" + (f" with {' and '.join(missing[1:])}" if missing[1:] else "")
    envs = {"--restore-password": RESTORE_PASSWORD_ENV, "--restore-radar-password": RESTORE_RADAR_PASSWORD_ENV}
    return "with --allow-destructive, give " + " and ".join(f"{m} (or {envs[m]})" for m in missing)


class Vacating:
    """The run's part that owns a device in use: ``prepare`` before the first state-changing test,
    ``finish`` once, when the session ends."""

    def __init__(self, run: RunConfig, target: Target, identities: Identities, transcript: RunTranscript) -> None:
        self._run = run
        self._target = target
        self._identities = identities
        self._transcript = transcript
        self._device: Device | None = None
        self._put_back_sigterm: Callable[[], None] | None = None
        self.journal: Journal | None = None
        self.outcome: RestoreOutcome | None = None
        self.blocked_hint: str | None = None
        """Why the tests that need an empty device are blocked, when an option could unblock them."""
        self.in_use: DeviceInUse | None = None
        """The device in use the run left alone, for results.json and the page."""

    def _journal_path(self) -> Path:
        folder = self._run.report_dir or Path(tempfile.gettempdir()) / f"paircert-{self._run.run_id}"
        return folder / JOURNAL_FILE

    def _open_device(self) -> Device:
        client = self._identities.client("admin")
        config = self._target.config
        if client is None or config is None:
            raise SnapshotError("the run has no admin client for the target")
        return open_device(client, self._transcript, set_method=config.set_method)

    def prepare(self) -> str | None:
        """Snapshot the device and vacate it when it holds something and the options allow; the line
        returned is what the run prints first (None: the device is empty, or unreadable, which the
        tests then judge)."""
        if self._target.config is None or self._device is not None:
            return None
        try:
            self._device = self._open_device()
            snapshot = take_snapshot(self._device.camera, self._device.radar)
        except (SnapshotError, httpx.TransportError):
            return None
        if snapshot.empty:
            return None
        held = describe(snapshot)
        missing = _missing(self._run, snapshot)
        if missing:
            self.blocked_hint = f"{_give(missing)} to run it and restore the device afterwards"
            line = (
                f"paircert: the device already has {held}; the tests that need an empty device are blocked: "
                f"{_give(missing)} to run them and restore it afterwards"
            )
            self.in_use = _in_use(line, snapshot, missing)
            return line
        config = self._target.config
        with hold_interrupts("vacating the device") as held_signals:
            try:
                self.journal = Journal.create(
                    self._journal_path(),
                    target=config.base_url,
                    user=config.admin.username,
                    run_id=self._run.run_id,
                    snapshot=snapshot,
                    radar_path=self._device.radar.path if self._device.radar is not None else None,
                    set_method=config.set_method,
                )
            except OSError as exc:
                why = f"the restore journal could not be written ({exc}); nothing was removed"
                return self._not_vacated(snapshot, why)
            try:
                vacate(self._device, self.journal)
            except (RestoreError, httpx.TransportError) as exc:
                outcome = self.finish()
                back = (
                    "it was put back" if outcome is not None and outcome.verified else "putting it back did not verify"
                )
                return self._not_vacated(snapshot, f"vacating it failed ({str(exc) or type(exc).__name__}); {back}")
        self._put_back_sigterm = sigterm_interrupts()
        if held_signals.received:
            raise KeyboardInterrupt
        return f"paircert: the device has {held}: removed for the run, put back after it (journal {self.journal.path})"

    def _not_vacated(self, snapshot: Snapshot, why: str) -> str:
        self.blocked_hint = why
        line = f"paircert: the device has {describe(snapshot)}; {why}; the tests that need an empty device are blocked"
        self.in_use = _in_use(line, snapshot, [])
        return line

    def finish(self) -> RestoreOutcome | None:
        """Restore and verify, once; None when nothing was vacated."""
        if self.journal is None or self._device is None or self.outcome is not None:
            return self.outcome
        passwords = RestorePasswords(self._run.restore_password, self._run.restore_radar_password)
        with hold_interrupts("restoring the device"):
            self.outcome = restore(self._device, self.journal, passwords)
        if self._put_back_sigterm is not None:
            self._put_back_sigterm()
            self._put_back_sigterm = None
        return self.outcome


class VacatingPlugin:
    """Restores before the report is written (results.json carries the outcome, or the device in use
    the run left alone), and says it last."""

    def __init__(self, vacating: Vacating, recorder: Callable[[], object]) -> None:
        self._vacating = vacating
        self._recorder = recorder

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """After pytest's own, which tears down the fixtures of a test Ctrl-C cut short (their cleanup
        would remove what was just restored); before the report recorder's and the baseline's, which
        are trylast too: pluggy calls trylast implementations in the order they were registered, and
        :func:`register_vacating` runs before the recorder is registered."""
        outcome = self._vacating.finish()
        recorder = self._recorder()
        if isinstance(recorder, ReportRecorder):
            recorder.device_in_use = self._vacating.in_use
            if outcome is not None:
                recorder.restore = outcome.to_dict()
        if outcome is not None and not outcome.verified:
            session.exitstatus = EXIT_NOT_VERIFIED

    @pytest.hookimpl(wrapper=True)
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> Generator[None, None, None]:
        yield  # after the verdict summary
        outcome = self._vacating.outcome
        for line in outcome.lines() if outcome is not None else []:
            terminalreporter.write_line(line, red="NOT VERIFIED" in line or "differs:" in line)
        return None


def register_vacating(config: pytest.Config, vacating: Vacating, recorder: Callable[[], object]) -> None:
    """Register before the report recorder (see :meth:`VacatingPlugin.pytest_sessionfinish`);
    ``recorder`` finds it when the session ends."""
    if not config.pluginmanager.has_plugin(VACATING_PLUGIN):
        config.pluginmanager.register(VacatingPlugin(vacating, recorder), VACATING_PLUGIN)
