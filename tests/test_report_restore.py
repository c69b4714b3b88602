"""What a user sees of a device in use: the restore on the report's first screen, and the options
of the two other commands that meet such a device (``paircert restore``, ``paircert bench``).

The page's records are made by the restore's own :class:`RestoreOutcome` (its ``to_dict`` is what
results.json holds), so the page is tested against the shape the run really writes.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest

from paircert.bench import cli as bench_cli
from paircert.clients.preflight import PreflightError
from paircert.clients.traffic import Traffic
from paircert.report import page as page_module
from paircert.report import records
from paircert.report.html import render
from paircert.report.page import build_page
from paircert.report.records import RunMetadata, RunRecord
from paircert.restore import command as restore_command
from paircert.restore.compare import ABSENT, Difference
from paircert.restore.journal import Journal
from paircert.restore.outcome import EXIT_NOT_VERIFIED, RestoreOutcome
from paircert.restore.snapshot import CameraSnapshot, RadarSnapshot, Snapshot
from paircert.usage import CliError

OLD_ID, NEW_ID = "CameraPairing-1700000000-1", "CameraPairing-1764570000-2"
JOURNAL = Path("reports/r/restore-journal.json")
IN_USE = (
    f"paircert: the device already has camera pairing {OLD_ID} (address 192.0.2.10) and an active radar "
    "configuration (address 192.0.2.11); the tests that need an empty device are blocked: give "
    "--allow-destructive with --restore-password and --restore-radar-password to run them and restore it afterwards"
)
RESTORED = [f"camera pairing {OLD_ID}: added again as {NEW_ID}", "radar configuration: set again (active)"]
ID_CHANGE = Difference(f"camera pairing {OLD_ID}", "id", OLD_ID, NEW_ID, "identity")
SETTLING = Difference(f"camera pairing {OLD_ID}", "status", "Error", "Connecting", "derived")
ADDRESS = Difference(f"camera pairing {OLD_ID}", "address", "192.0.2.10", "192.0.2.99", "configured")
RADAR_GONE = Difference("radar configuration", "configuration", "configured", ABSENT, "configured")


def _run(restore: RestoreOutcome | None = None) -> RunRecord:
    metadata = RunMetadata(
        run_id="r",
        target_url="http://192.0.2.50",
        embedded=False,
        profile="full",
        seed=7,
        suite_version="1",
        schema_version="s",
        started="2026-01-01T00:00:00+00:00",
        finished="2026-01-01T00:01:05+00:00",
    )
    passed = records.TestRecord("suites/a.py::test_a", "passed", "pass", ["CP-LIST-GET"], {}, 0.1)
    return RunRecord(metadata, [passed], [], restore=restore.to_dict() if restore is not None else None)


def _html(run: RunRecord, in_use: str | None = None) -> str:
    return render(build_page(run, {}, {}, [], in_use=in_use))


def _before_the_counts(html: str, text: str) -> bool:
    """Whether ``text`` sits between the page's header and its counts: the first screen's top."""
    return html.index("</header>") < html.index(text) < html.index('id="counts"')


def test_a_restore_that_did_not_verify_leads_the_page_with_every_difference_and_exit_code_6() -> None:
    outcome = RestoreOutcome(JOURNAL, RESTORED, [ID_CHANGE, ADDRESS, RADAR_GONE, SETTLING])
    view = build_page(_run(outcome), {}, {}, []).restore

    assert view is not None and view.state == "not-verified"
    terminal = [line.removeprefix("paircert: restore: differs: ") for line in outcome.lines() if "differs:" in line]
    assert view.differences == terminal == [ADDRESS.line(), RADAR_GONE.line()]
    assert view.summary.startswith(f"2 configured properties differ. The run's exit code is {EXIT_NOT_VERIFIED};")
    assert f"paircert restore --journal {JOURNAL}" in view.summary
    assert view.id_changes == [(OLD_ID, NEW_ID)] and view.derived == [SETTLING.line()]
    html = _html(_run(outcome))
    assert "<title>RESTORE NOT VERIFIED · PASS" in html  # the tests passed; the restore did not
    assert _before_the_counts(html, 'data-restore="not-verified"')
    assert (
        "camera pairing CameraPairing-1700000000-1: address was &#34;192.0.2.10&#34;, is &#34;192.0.2.99&#34;" in html
    )
    assert "radar configuration: configuration was &#34;configured&#34;, is &lt;absent&gt;" in html


def test_a_restore_step_that_failed_is_named_on_the_page() -> None:
    refused = "ADD of camera pairing CameraPairing-1700000000-1 answered HTTP 400 (error 102)"
    view = build_page(_run(RestoreOutcome(JOURNAL, [], [], error=refused)), {}, {}, []).restore
    assert view is not None and view.state == "not-verified" and view.differences == []
    assert view.summary.startswith(f"A step failed: {refused}. The run's exit code is 6;")


def test_a_verified_restore_says_what_went_back_the_new_pairing_id_and_what_had_not_settled() -> None:
    outcome = RestoreOutcome(JOURNAL, RESTORED, [ID_CHANGE, SETTLING])
    view = build_page(_run(outcome), {}, {}, []).restore

    assert view is not None and view.state == "verified" and view.title == "Restore verified"
    assert view.restored == RESTORED and view.differences == []
    assert view.id_changes == [(OLD_ID, NEW_ID)] and view.derived == [SETTLING.line()]
    html = _html(_run(outcome))
    assert (
        html.index('id="counts"')
        < html.index('data-restore="verified"')
        < html.index("Documented requirements per API")
    )
    assert f"Camera pairing id <code>{OLD_ID}</code> → <code>{NEW_ID}</code>" in html
    assert f"added again as {NEW_ID}" in html and "status was &#34;Error&#34;, is &#34;Connecting&#34;" in html
    assert "NOT VERIFIED" not in html and "<title>PASS" in html


def test_a_device_in_use_left_alone_is_said_with_the_runs_first_line() -> None:
    view = build_page(_run(), {}, {}, [], in_use=IN_USE).restore
    assert view is not None and view.state == "not-vacated"
    assert view.summary == IN_USE.removeprefix("paircert: ")
    html = _html(_run(), in_use=IN_USE)
    assert _before_the_counts(html, 'data-restore="not-vacated"')
    assert "give --allow-destructive with --restore-password and --restore-radar-password" in html


def test_the_restore_outcome_outranks_the_first_line_and_an_empty_device_shows_nothing() -> None:
    outcome = RestoreOutcome(JOURNAL, RESTORED, [ID_CHANGE])
    view = build_page(_run(outcome), {}, {}, [], in_use="paircert: the device has it: removed for the run").restore
    assert view is not None and view.state == "verified"
    assert build_page(_run(), {}, {}, []).restore is None
    assert 'id="restore"' not in _html(_run())


def test_the_page_states_the_exit_code_the_restore_gives() -> None:
    assert page_module.EXIT_NOT_VERIFIED == EXIT_NOT_VERIFIED


# --- paircert restore and paircert bench ----------------------------------------------------


def _restore_args(tmp_path: Path, *options: str) -> argparse.Namespace:
    snapshot = Snapshot((CameraSnapshot({"id": OLD_ID, "address": "192.0.2.10"}),), RadarSnapshot({}, active=True))
    journal = Journal.create(
        tmp_path / "restore-journal.json",
        target="http://127.0.0.1:9",
        user="root",
        run_id="r",
        snapshot=snapshot,
        radar_path=None,
        set_method="PATCH",
    )
    parser = argparse.ArgumentParser()
    restore_command.add_arguments(parser)
    return parser.parse_args(["--journal", str(journal.path), "--password", "x", *options])


def test_paircert_restore_sends_through_one_traffic_with_the_runs_rate_timeout_and_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Traffic | None] = []

    def preflight(*_args: Any, traffic: Traffic | None = None, **_kwargs: Any) -> None:
        seen.append(traffic)
        raise PreflightError("no device here")

    monkeypatch.setattr(restore_command, "preflight", preflight)
    args = _restore_args(tmp_path, "--max-rps", "5", "--request-timeout", "3", "--retries", "0")
    with pytest.raises(CliError) as stopped:
        restore_command.run(args)
    assert stopped.value.code == PreflightError.exit_code
    (traffic,) = seen
    assert traffic is not None and (traffic.max_rps, traffic.request_timeout, traffic.retries) == (5, 3, 0)


@pytest.mark.parametrize(
    ("options", "fragment"), [(("--retries", "11"), "--retries"), (("--request-timeout", "0"), "--request-timeout")]
)
def test_paircert_restore_refuses_the_traffic_values_a_run_refuses(
    tmp_path: Path, options: tuple[str, str], fragment: str
) -> None:
    with pytest.raises(CliError, match=fragment) as refused:
        restore_command.run(_restore_args(tmp_path, *options))
    assert refused.value.code == 2


def test_a_benchmark_offers_no_option_to_restart_or_vacate_a_device(capsys: pytest.CaptureFixture[str]) -> None:
    """A benchmark pairs and configures the device itself: on a device in use it is blocked and says
    so (``bench.pairing``), never vacates it."""
    parser = argparse.ArgumentParser(prog="paircert bench")
    bench_cli.add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["api", "--help"])
    offered = set(re.findall(r"(--[a-z-]+)", capsys.readouterr().out))
    assert {"--target", "--max-rps", "--duration"} <= offered
    run_only = {"--restart-command", "--restart-timeout", "--allow-destructive", "--restore-password"}
    assert not offered & (run_only | {"--restore-radar-password", "--baseline", "--claims", "--bench"})


def test_a_restore_password_exported_for_paircert_run_does_not_reach_a_benchmark(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exported for ``paircert run``, a restart command would even stop a benchmark on the embedded
    emulator (it needs --target); the bench reads no variable of an option it does not offer."""
    monkeypatch.setenv("PAIRCERT_RESTART_COMMAND", "ssh root@cam reboot")
    monkeypatch.setenv("PAIRCERT_RESTORE_PASSWORD", "Restore-secret-19")
    seen: list[Any] = []

    class Rig:
        def __init__(self, config: Any) -> None:
            seen.append(config)
            raise PreflightError("stop here")

    monkeypatch.setattr(bench_cli, "Rig", Rig)
    parser = argparse.ArgumentParser()
    bench_cli.add_arguments(parser)
    assert bench_cli.run(parser.parse_args(["api"])) == 3
    (config,) = seen
    assert config.restart_command is None and config.restore_password is None
