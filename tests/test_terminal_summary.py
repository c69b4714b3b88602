"""The terminal after a run: one line per failed test and per blocked reason, the counts, the report.

``paircert run`` turns the summary on (``--verdict-summary``) and quiets pytest (``-qq --tb=no``);
a plain pytest user keeps pytest's output unless they opt in, and ``--tb=long`` brings the
tracebacks back.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from test_first_contact import ChallengelessDevice, loopback_server, paircert_run
from test_plugin import run_pytest

SAMPLE = (
    "import pytest\n"
    "from paircert.plugin.verdicts import blocked\n\n"
    "@pytest.mark.requirement('DCA-AUTH-REQUIRED')\n"
    "def test_answers_401():\n"
    "    status = 500\n"
    "    assert status == 401, f'expected HTTP 401, got {status}'\n\n"
    "@pytest.mark.requirement('DCA-CONTENT-TYPE')\n"
    "def test_needs_a_peer():\n"
    "    blocked('no peer camera hosted')\n\n"
    "def test_passes():\n"
    "    pass\n"
)
SUMMARY = ("--verdict-summary", "-qq", "--tb=no", "-rN")


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_the_summary_is_one_line_per_finding_then_the_counts_without_tracebacks(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, SAMPLE, *SUMMARY)
    assert result.returncode == 1
    lines = _lines(result)
    assert lines[-3:-1] == [
        "FAIL     test_sample.py::test_answers_401 [DCA-AUTH-REQUIRED]: expected HTTP 401, got 500",
        "BLOCKED  test_sample.py::test_needs_a_peer [DCA-CONTENT-TYPE]: no peer camera hosted",
    ]
    assert lines[-1].startswith("paircert: 1 pass, 1 fail, 1 blocked, 0 not-applicable, 0 observed")
    assert "status = 500" not in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_a_pytest_user_keeps_pytests_own_output_without_the_option(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, SAMPLE)
    assert "status = 500" in result.stdout  # pytest's traceback with the source line
    assert not any(line.startswith(("FAIL     ", "paircert: ")) for line in result.stdout.splitlines())


def test_tb_long_after_the_summary_options_brings_the_traceback_back(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, SAMPLE, *SUMMARY, "--tb=long")
    assert "status = 500" in result.stdout
    assert "FAIL     test_sample.py::test_answers_401 [DCA-AUTH-REQUIRED]: expected HTTP 401, got 500" in result.stdout


def test_paircert_run_with_a_failure_ends_with_the_finding_the_blocked_reason_the_counts_and_the_report(
    tmp_path: Path,
) -> None:
    with loopback_server(ChallengelessDevice) as url:
        result = paircert_run("--target", url, "--report-dir", "out", "-k", "test_cp_auth", cwd=tmp_path)
    assert result.returncode == 1
    (run_dir,) = (tmp_path / "out").iterdir()
    fail, blocked, counts, report = _lines(result)[-4:]
    assert fail == (
        "FAIL     first-contact::authentication [DCA-AUTH-REQUIRED]: "
        "GET /config/discover answered 401 without a WWW-Authenticate challenge"
    )
    assert blocked.startswith("BLOCKED  ") and "tests [" in blocked and blocked.endswith("at first contact")
    blocked_count = int(blocked.split()[1])
    assert counts.startswith(f"paircert: 0 pass, 1 fail, {blocked_count} blocked, 0 not-applicable, 0 observed")
    assert report == f"paircert: report: {run_dir / 'report.html'}"
    assert len(_lines(result)) <= 8 and "Traceback" not in result.stdout + result.stderr
