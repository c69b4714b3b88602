"""The console script: every user-caused failure is one line and an exit code, never a traceback."""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from emulator_process import running_emulator
from serving import serving

from paircert.auth import ServerAuth
from paircert.plugin.options import RUN_OPTIONS

REPO = Path(__file__).resolve().parents[1]


def paircert(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "paircert", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert lines[0].startswith("paircert: error: ")
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RejectingDevice:
    url: str
    fresh_requests: list[str] = field(default_factory=list)  # requests without Authorization


@pytest.fixture
def rejecting_device() -> Iterator[RejectingDevice]:
    """A device that answers every request with a Digest challenge: credentials are never accepted."""
    verifier = ServerAuth("AXIS_TEST", {})
    device = RejectingDevice("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _challenge(self) -> None:
            if "Authorization" not in self.headers:
                device.fresh_requests.append(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(401)
            for value in verifier.challenges():
                self.send_header("WWW-Authenticate", value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _challenge

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as server:
        device.url = f"http://127.0.0.1:{server.server_address[1]}"
        yield device


# The unspecified address, written without its dotted literal: nothing here binds or dials it.
UNSPECIFIED_IPV4 = str(ipaddress.IPv4Address(0))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["run", "--bogus"], "unrecognized arguments: --bogus"),
        (["run", "--profile", "nope"], "invalid choice: 'nope'"),
        ([], "the following arguments are required: command"),
        (["emulator", "--", "-x"], "extra pytest arguments after '--' only go with 'run'"),
        (["run", "--target", "http://127.0.0.1:1"], "--target needs the admin password"),
        (["run", "--ca-file", "/nonexistent/ca.pem"], "--ca-file: no such file"),
        (["run", "--digest-algorithms", "SHA-1"], "--digest-algorithms: unsupported Digest algorithm 'SHA-1'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    result = paircert(*args)
    assert result.returncode == 2
    assert fragment in one_error_line(result)


def test_unreachable_target_is_one_line_and_exit_3(tmp_path: Path) -> None:
    port = closed_port()
    result = paircert(
        "run",
        "--target",
        f"http://127.0.0.1:{port}",
        "--report-dir",
        str(tmp_path),
        env={"PAIRCERT_PASSWORD": "pw-abcdef"},
        cwd=tmp_path,
    )
    assert result.returncode == 3
    line = one_error_line(result)
    assert f"cannot reach the target at http://127.0.0.1:{port}" in line and "pw-abcdef" not in line
    assert list(tmp_path.iterdir()) == []  # nothing ran, nothing written


def test_rejected_credentials_are_a_different_line_from_one_preflight(
    tmp_path: Path, rejecting_device: RejectingDevice
) -> None:
    result = paircert(
        "run",
        "--target",
        rejecting_device.url,
        "--user",
        "root",
        env={"PAIRCERT_PASSWORD": "wrong-pw-123"},
        cwd=tmp_path,
    )
    assert result.returncode == 3
    line = one_error_line(result)
    assert "rejected the admin credentials for user 'root'" in line and "wrong-pw-123" not in line
    assert len(rejecting_device.fresh_requests) == 1, (
        rejecting_device.fresh_requests
    )  # one preflight, one first contact


def test_run_help_shows_every_run_option_with_the_plugins_help_text() -> None:
    result = paircert("run", "--help")
    assert result.returncode == 0
    text = "".join(result.stdout.split())  # argparse wraps lines, also inside hyphenated words
    shown = [option for option in RUN_OPTIONS if option.cli]
    assert len(shown) >= 15
    for option in shown:
        assert option.flag in text and "".join(option.help.split()) in text, option.flag


def test_emulator_without_users_or_password_is_a_usage_error() -> None:
    result = paircert("emulator")
    assert result.returncode == 2
    assert "--user NAME:SECRET:ROLE" in one_error_line(result)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--user", "root:pw:superuser"], "expected NAME:SECRET:ROLE"),
        (["--host", UNSPECIFIED_IPV4, "--user", "root:pw:admin"], "every interface"),
        (["--cert", "/nonexistent.pem", "--user", "root:pw:admin"], "--cert and --key go together"),
        (["--dial-allow", "not-a-net", "--user", "root:pw:admin"], "--dial-allow: not a network"),
    ],
)
def test_emulator_option_errors(args: list[str], fragment: str) -> None:
    result = paircert("emulator", *args)
    assert result.returncode == 2
    assert fragment in one_error_line(result)


def test_emulator_port_in_use_is_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = paircert("emulator", "--http-port", str(port), "--user", "root:pw:admin")
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1 port {port}: in use" in one_error_line(result)


def test_emulator_prints_its_urls_and_stops_quietly_on_interrupt(tmp_path: Path) -> None:
    with running_emulator("--state-dir", str(tmp_path), env={"PAIRCERT_PASSWORD": "emu-secret-123"}) as emulator:
        lines = emulator.banner[:4]
        assert lines[0].strip() == "paircert emulator ready"
        assert lines[1].split()[1].startswith("http://127.0.0.1:")
        assert lines[2].split()[1].startswith("https://127.0.0.1:")
        assert Path(lines[3].split()[1]).is_file()
        stderr = emulator.interrupt()
    assert emulator.process.returncode == 0
    assert "Traceback" not in stderr and "emu-secret-123" not in stderr


def test_run_against_the_embedded_emulator_writes_the_artifacts_and_maps_no_tests(tmp_path: Path) -> None:
    result = paircert("run", "--report-dir", "out", "-k", "no_test_is_called_this", cwd=tmp_path, timeout=120)
    assert result.returncode == 5
    assert "no tests were selected" in one_error_line(result)
    (run_dir,) = (tmp_path / "out").iterdir()
    assert len(run_dir.name) == len("20261122T013000Z") and run_dir.name.endswith("Z")
    assert f"paircert: report: {run_dir / 'report.html'}" in result.stdout
    assert (run_dir / "report.html").is_file() and (run_dir / "junit.xml").is_file()


def test_run_with_emulator_choices_alternate_meets_the_alternate_emulator(tmp_path: Path) -> None:
    chosen = (
        "test_discover_answers_the_framework_version_and_apis_by_id or test_the_radar_probe_reports_which_path_answered"
    )
    result = paircert(
        "run", "--emulator-choices", "alternate", "--report-dir", "out", "-k", chosen, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (run_dir,) = (tmp_path / "out").iterdir()
    tests = json.loads((run_dir / "results.json").read_text())["tests"]
    observed = {key: value for test in tests for key, value in test["observations"].items()}
    assert observed["discover.form"] == "bare document"  # the reference answers in the envelope
    assert observed["radar.path"] == "/networkradarpairing.cgi"  # the reference answers under /axis-cgi/ first


@pytest.mark.parametrize("asked", [False, True])
def test_an_internal_error_is_one_line_and_its_traceback_only_when_asked_for(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], asked: bool
) -> None:
    from paircert import cli

    def broken(args: object) -> int:
        raise TypeError("a bug with secret-for-the-test inside")

    monkeypatch.setattr(cli, "_compare", broken)
    monkeypatch.setenv(cli.PASSWORD_ENV, "secret-for-the-test")
    if asked:
        monkeypatch.setenv(cli.TRACEBACK_ENV, "1")
    else:
        monkeypatch.delenv(cli.TRACEBACK_ENV, raising=False)
    assert cli.main(["compare", "a.json", "b.json"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == "paircert: error: TypeError: a bug with <redacted> inside"
    assert ("Traceback (most recent call last)" in err) is asked
    assert "secret-for-the-test" not in err
