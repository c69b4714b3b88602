"""The pytest plugin, run in child pytest processes: options, markers, profiles, preflight."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from paircert.clients.transcript import Exchange
from paircert.plugin.options import PASSWORD_ENV, RunConfig, RunConfigError, command_line, read_run_config
from paircert.plugin.redaction import RunTranscript

REPO = Path(__file__).resolve().parents[1]


def run_pytest(
    tmp_path: Path, source: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(source)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    # Without autoloaded plugins (schemathesis, hypothesis...) a child pytest starts in ~0.4 s.
    environment.update(PYTHONPATH=str(REPO), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", **(env or {}))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "paircert.plugin",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rs",
            "test_sample.py",
            *args,
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def a_known_requirement() -> str:
    from paircert.ledger import load_ledger

    return sorted(load_ledger())[0]


PLAIN = "def test_plain():\n    pass\n"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--operator", "nocolon"], {}, "--operator: expected NAME:SECRET"),
        (["--target", "http://127.0.0.1:1"], {}, "--target needs the admin password: set PAIRCERT_PASSWORD"),
        (["--target", "ftp://device"], {"PAIRCERT_PASSWORD": "x"}, "--target: expected http://HOST"),
        (["--ca-file", "/nonexistent/ca.pem"], {}, "--ca-file: no such file"),
        (["--profile", "fast"], {}, "invalid choice: 'fast'"),
    ],
)
def test_bad_options_are_usage_errors_with_a_readable_line(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    result = run_pytest(tmp_path, PLAIN, *args, env=env)
    assert result.returncode == 4
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_options_parse_into_target_options(tmp_path: Path) -> None:
    source = (
        "def test_options(request):\n"
        "    from paircert.plugin.session import STATE_KEY\n"
        "    o = request.config.stash[STATE_KEY].run\n"
        "    assert o.target_url == 'https://device.test:8443'\n"
        "    assert o.admin.username == 'admin2' and o.admin.password == 'from-env-secret'\n"
        "    assert o.operator.username == 'op' and o.operator.password == 'op:pw'\n"
        "    assert o.viewer is None and o.verify is False and o.profile == 'gate'\n"
        "    assert o.seed == 7 and o.set_method == 'PUT' and o.run_id == 'r1'\n"
        "    assert 'from-env-secret' not in repr(o)\n"
    )
    result = run_pytest(
        tmp_path,
        source,
        "--target",
        "https://device.test:8443/",
        "--user",
        "admin2",
        "--operator",
        "op:op:pw",
        "--insecure",
        "--profile",
        "gate",
        "--seed",
        "7",
        "--set-method",
        "PUT",
        "--run-id",
        "r1",
        env={"PAIRCERT_PASSWORD": "from-env-secret"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


PROFILED = """
import pytest

@pytest.mark.changes_state
def test_changes():
    pass

@pytest.mark.slow_conformance
def test_slow():
    pass

def test_reads():
    pass
"""


@pytest.mark.parametrize(
    ("profile", "skipped", "reason"),
    [
        ("read-only", "test_changes", "read-only profile: the test changes device state"),
        ("gate", "test_slow", "gate profile: slow conformance test"),
    ],
)
def test_profiles_skip_with_a_reason(tmp_path: Path, profile: str, skipped: str, reason: str) -> None:
    result = run_pytest(tmp_path, PROFILED, "--profile", profile)
    assert result.returncode == 0
    assert "2 passed, 1 skipped" in result.stdout
    assert reason in result.stdout


def test_full_profile_runs_everything(tmp_path: Path) -> None:
    assert "3 passed" in run_pytest(tmp_path, PROFILED).stdout


def test_unknown_requirement_ids_stop_collection_with_a_clear_error(tmp_path: Path) -> None:
    known = a_known_requirement()
    source = (
        "import pytest\n\n"
        f"@pytest.mark.requirement({known!r})\ndef test_known():\n    pass\n\n"
        "@pytest.mark.requirement('CP-NO-SUCH-THING')\ndef test_unknown():\n    pass\n"
    )
    result = run_pytest(tmp_path, source)
    assert result.returncode == 4
    assert "unknown requirement ID test_sample.py::test_unknown: CP-NO-SUCH-THING" in result.stderr
    assert known not in result.stderr


def test_known_requirement_ids_pass_collection(tmp_path: Path) -> None:
    source = f"import pytest\n\n@pytest.mark.requirement({a_known_requirement()!r})\ndef test_known():\n    pass\n"
    assert run_pytest(tmp_path, source).returncode == 0


def test_unreachable_target_exits_with_one_line_before_any_test(tmp_path: Path) -> None:
    source = "def test_needs_target(target):\n    pass\n\ndef test_other(camera):\n    pass\n"
    port = closed_port()
    result = run_pytest(
        tmp_path, source, "--target", f"http://127.0.0.1:{port}", env={"PAIRCERT_PASSWORD": "pw-123456"}
    )
    assert result.returncode == 3
    assert f"paircert: cannot reach the target at http://127.0.0.1:{port}" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "passed" not in result.stdout and "pw-123456" not in result.stdout + result.stderr


def test_tests_without_a_target_never_start_one(tmp_path: Path) -> None:
    port = closed_port()
    result = run_pytest(tmp_path, PLAIN, "--target", f"http://127.0.0.1:{port}", env={"PAIRCERT_PASSWORD": "pw"})
    assert result.returncode == 0 and "1 passed" in result.stdout


def test_blocked_and_not_applicable_are_prefixed_skips(tmp_path: Path) -> None:
    source = (
        "from paircert.plugin.verdicts import blocked, not_applicable\n"
        "def test_b():\n    blocked('no peer')\n"
        "def test_n():\n    not_applicable('no radar')\n"
    )
    result = run_pytest(tmp_path, source)
    assert "blocked: no peer" in result.stdout and "not-applicable: no radar" in result.stdout


def test_loading_the_plugin_twice_configures_it_once(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["paircert.plugin"]\n')
    result = run_pytest(tmp_path, PLAIN, "-p", "paircert.plugin")
    assert result.returncode == 0, result.stdout + result.stderr


def checked(**values: object) -> RunConfig:
    return read_run_config({f"paircert_{name}": value for name, value in values.items()}, {})


def test_the_run_config_falls_back_to_the_environment_and_keeps_a_seed_of_zero() -> None:
    run = read_run_config({"paircert_target": "http://192.0.2.50/", "paircert_seed": 0}, {PASSWORD_ENV: "env-secret-1"})
    assert run.target_url == "http://192.0.2.50" and run.seed == 0
    assert run.admin is not None and run.admin.password == "env-secret-1"
    assert run.digest_algorithms == ("MD5",) and run.peers.ports == (554, 322, 80, 443)
    assert "env-secret-1" not in repr(run)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"viewer": "nocolon"}, "--viewer: expected NAME:SECRET"),
        ({"peer_ports": "554,322,80,x"}, "--peer-ports: expected four ports"),
        ({"budget_scale": 0.0}, "--budget-scale: expected a positive factor"),
        ({"digest_algorithms": "MD5,MD5"}, "--digest-algorithms: Digest algorithm MD5 given twice"),
        ({"profile": "fast"}, "--profile: invalid choice: 'fast'"),
    ],
)
def test_each_wrong_value_is_one_run_config_error(values: dict[str, object], message: str) -> None:
    with pytest.raises(RunConfigError, match=re.escape(message)):
        checked(**values)


def test_the_forwarded_command_line_carries_secrets_only_in_the_environment() -> None:
    argv, environment = command_line(
        {
            "paircert_target": "http://192.0.2.50",
            "paircert_password": "admin-secret",
            "paircert_operator": "op:op-secret",
            "paircert_insecure": True,
            "paircert_seed": 0,
            "paircert_profile": "full",  # the default: not forwarded
        }
    )
    assert argv == ["--target", "http://192.0.2.50", "--insecure", "--seed", "0"]
    assert environment == {PASSWORD_ENV: "admin-secret", "PAIRCERT_OPERATOR": "op:op-secret"}
    assert read_run_config(dict(zip(argv[::2], argv[1::2], strict=False)), environment).admin is not None


def test_generated_passwords_are_redacted_but_not_learned_while_they_are_test_data() -> None:
    recorded: list[Exchange] = []
    transcript = RunTranscript(recorded.append)
    transcript.keep_secret("run-credential")

    def send(password: str) -> None:
        request = httpx.Request("POST", "http://device.test/x", json={"password": password})
        transcript.record(httpx.Response(200, json={}, request=request))

    with transcript.passwords_are_test_data():
        send("invalid_params")
        send("run-credential")
    assert transcript.scrub("invalid_params run-credential") == "invalid_params <redacted>"
    send("learned-later")
    assert transcript.scrub("learned-later") == "<redacted>"
    assert len(recorded) == 3 and all("invalid_params" not in e.request_body for e in recorded)


def test_the_embedded_emulator_offers_the_runs_digest_algorithms(tmp_path: Path) -> None:
    source = (
        "def test_offer(http_anonymous):\n"
        "    response = http_anonymous.get('/config/rest/camera-pairing/v1beta/camerapairings')\n"
        "    offers = response.headers.get_list('www-authenticate')\n"
        "    assert response.status_code == 401 and offers, offers\n"
        "    assert all('algorithm=SHA-256' in offer for offer in offers if offer.startswith('Digest')), offers\n"
    )
    result = run_pytest(tmp_path, source, "--digest-algorithms", "sha-256")
    assert result.returncode == 0, result.stdout + result.stderr
