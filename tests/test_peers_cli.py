"""``paircert peers``: options, one-line errors, URLs when ready, Ctrl-C exits 0."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from paircert.peers import cli

RUNNER = "import argparse, sys; from paircert.peers import cli; p = argparse.ArgumentParser(); cli.add_arguments(p); sys.exit(cli.run(p.parse_args()))"
FREE_PORTS = ["--rtsp-port", "0", "--rtsps-port", "0", "--http-port", "0", "--https-port", "0"]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="paircert peers")
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_are_the_standard_ports_on_127_0_0_2() -> None:
    args = parse()
    assert (args.address, args.rtsp_port, args.rtsps_port, args.http_port, args.https_port) == (
        "127.0.0.2",
        554,
        322,
        80,
        443,
    )
    assert (args.kind, args.cert, args.user) == ("camera", "trusted", "root")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refuse", ("all", "refuse", True)),
        ("http:reject-credentials", ("http", "reject_credentials", True)),
        ("rtsp:refuse=off", ("rtsp", "refuse", False)),
        ("drop-after=5", ("all", "drop_after_frames", 5)),
        ("stall-after-frames=0", ("all", "stall_after_frames", 0)),
        ("delay=250", ("all", "frame_delay_ms", 250.0)),
    ],
)
def test_fault_options_parse(text: str, expected: tuple[str, str, object]) -> None:
    assert cli.parse_fault(text) == expected


@pytest.mark.parametrize("text", ["bogus", "drop-after", "delay=soon", "udp:refuse"])
def test_bad_fault_options_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        cli.parse_fault(text)


def test_errors_are_one_line_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(cli.PASSWORD_ENV, raising=False)
    assert cli.run(parse(*FREE_PORTS)) == 1
    monkeypatch.setenv(cli.PASSWORD_ENV, "secret")
    assert cli.run(parse(*FREE_PORTS, "--fault", "bogus")) == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.2", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert (
            cli.run(parse("--rtsp-port", "0", "--rtsps-port", str(port), "--http-port", "0", "--https-port", "0")) == 1
        )
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"paircert peers: error: no password: set {cli.PASSWORD_ENV} (or give --password)"
    assert lines[1].startswith("paircert peers: error: unknown fault 'bogus'")
    assert lines[2] == f"paircert peers: error: cannot listen on 127.0.0.2:{port} (rtsps): address already in use"
    assert len(lines) == 3


def test_it_prints_its_urls_writes_the_ca_and_exits_0_on_ctrl_c(tmp_path: Path) -> None:
    ca_out = tmp_path / "test-ca.pem"
    command = [
        sys.executable,
        "-c",
        RUNNER,
        *FREE_PORTS,
        "--kind",
        "both",
        "--ca-out",
        str(ca_out),
        "--ca-dir",
        str(tmp_path / "ca"),
        "--fault",
        "rtsp:delay=5",
        "--control-port",
        "0",
    ]
    env = {**os.environ, cli.PASSWORD_ENV: "secret"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            lines = []
            for _ in range(40):  # bounded: the banner is about a dozen lines
                line = process.stdout.readline()
                if not line:
                    break
                lines.append(line.rstrip())
                if line.startswith("ready"):
                    break
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
    text = "\n".join(lines)
    assert process.returncode == 0, err
    assert "rtsps://127.0.0.2:" in text and "rtsp://127.0.0.3:" in text and "analytics=polygon" in text
    assert "control  http://127.0.0.1:" in text
    assert "secret" not in text + err
    assert ca_out.read_bytes() == (tmp_path / "ca" / "paircert-test-ca.pem").read_bytes()
