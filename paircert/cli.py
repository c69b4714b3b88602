"""The ``paircert`` console script: ``paircert run`` (the suites), ``paircert emulator``, ``paircert peers``.

Every failure the user can cause (a wrong option, a dead target, rejected credentials, a port in
use) ends as one ``paircert: error: ...`` line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import ipaddress
import json
import os
import shutil
import socket
import sys
import tempfile
import traceback
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

from paircert.clients.preflight import PreflightError
from paircert.plugin.options import (
    PASSWORD_ENV,
    RESTORE_PASSWORD_ENV,
    RESTORE_RADAR_PASSWORD_ENV,
    RUN_OPTIONS,
    command_line,
)
from paircert.plugin.session import STATE_KEY
from paircert.report.compare import DEFAULT_TOLERANCE
from paircert.usage import EXIT_USAGE, CliError
from paircert.vapix.passwords import Redactor

# Set to anything to see the traceback behind a one-line internal error (for a bug report).
TRACEBACK_ENV = "PAIRCERT_TRACEBACK"

if TYPE_CHECKING:
    from paircert.emulator.config import Role, User

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see '{self.prog} --help')", EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="paircert", description="Conformance suite for the Axis camera and radar pairing APIs.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run",
        help="run the conformance suites against a device or the embedded emulator",
        description="Run the suites. Extra pytest arguments go after '--'.",
    )
    for option in RUN_OPTIONS:
        if option.cli:
            run.add_argument(option.flag, **option.arguments())
    run.add_argument(
        "--report-dir", default="reports", metavar="DIR", help="artifacts go to DIR/<run-id>/ (default reports)"
    )
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="only tests matching this pytest -k expression")

    emu = commands.add_parser("emulator", help="serve the reference emulator in the foreground")
    emu.add_argument("--host", default="127.0.0.1")
    emu.add_argument("--http-port", type=int, default=0, metavar="PORT", help="0 picks a free port")
    emu.add_argument("--https-port", type=int, default=0, metavar="PORT", help="0 picks a free port")
    emu.add_argument("--state-dir", metavar="DIR", help="where pairings persist (default: a temporary folder)")
    emu.add_argument(
        "--user",
        dest="users",
        action="append",
        default=[],
        metavar="NAME:SECRET:ROLE",
        help=f"a user (repeatable); default root with the password in {PASSWORD_ENV}",
    )
    emu.add_argument(
        "--own-address", action="append", default=[], metavar="ADDR", help="an address that is the device itself"
    )
    emu.add_argument("--dial-allow", action="append", default=[], metavar="CIDR", help="networks the emulator may dial")
    emu.add_argument("--cert", metavar="PEM", help="TLS certificate (with --key); default a generated test CA")
    emu.add_argument("--key", metavar="PEM")
    emu.add_argument(
        "--rtsp-port",
        type=int,
        default=0,
        metavar="PORT",
        help="where the emulator re-serves paired media over RTSP (a device uses 554; 0 picks a free port)",
    )
    emu.add_argument(
        "--rtsps-port", type=int, default=0, metavar="PORT", help="the same over RTSP/TLS (a device uses 322)"
    )
    emu.add_argument(
        "--peer-rtsp-port", type=int, default=554, metavar="PORT", help="the peers' RTSP port (default 554)"
    )
    emu.add_argument(
        "--peer-rtsps-port", type=int, default=322, metavar="PORT", help="the peers' RTSPS port (default 322)"
    )
    emu.add_argument("--peer-http-port", type=int, default=80, metavar="PORT", help="the peers' HTTP port (default 80)")
    emu.add_argument(
        "--peer-https-port", type=int, default=443, metavar="PORT", help="the peers' HTTPS port (default 443)"
    )
    emu.add_argument(
        "--trust-ca-file",
        metavar="PEM",
        help="CA the emulator trusts for peer certificates (e.g. the file paircert peers --ca-out writes)",
    )
    emu.add_argument(
        "--radar-revision",
        choices=("2025-08", "2026-01"),
        default="2025-08",
        help="which radar document revision's TLS fields getRadarConnection answers with",
    )
    emu.add_argument(
        "--choices",
        choices=("reference", "alternate"),
        default="reference",
        help="what the emulator does where the documents are silent (README: reference choices and their alternates)",
    )
    emu.add_argument(
        "--fault",
        dest="faults",
        action="append",
        default=[],
        metavar="NAME",
        help="run with this seeded fault (repeatable; --list-faults names them)",
    )
    emu.add_argument(
        "--list-faults", action="store_true", help="print the fault catalogue's names, one per line, and exit"
    )
    emu.add_argument("--auth-http", choices=("digest", "basic", "both"), default="digest")
    emu.add_argument("--auth-https", choices=("digest", "basic", "both"), default="basic")
    emu.add_argument(
        "--digest-algorithms",
        metavar="LIST",
        help="Digest algorithms the 401 offers on HTTP and the RTSP re-serve, in order, comma separated: "
        "MD5, MD5-sess, SHA-256, SHA-256-sess (default MD5, which every common client speaks; "
        "SHA-256,MD5 with --choices alternate)",
    )
    peers = commands.add_parser(
        "peers",
        help="run the peer camera and/or radar in the foreground",
        description="Serve the simulated peers a device pairs with (see README: ports and privileges).",
    )
    from paircert.peers import cli as peers_cli

    peers_cli.add_arguments(peers)
    bench = commands.add_parser(
        "bench",
        help="measure stream latency, radar throughput, API and generation speed",
        description="Benchmarks against the embedded emulator, or any --target with the options of 'paircert run'.",
    )
    from paircert.bench import cli as bench_cli

    bench_cli.add_arguments(bench)
    selfcheck = commands.add_parser(
        "selfcheck",
        help="run the suite against the emulator once clean and once per seeded fault: the kill matrix",
        description="Measure the suite: which of the emulator's seeded faults it notices (README: Suite strength).",
    )
    from paircert.selfcheck import command as selfcheck_cli

    selfcheck_cli.add_arguments(selfcheck)
    verify = commands.add_parser(
        "verify",
        help="check a declaration of conformance: its content hash, the artifacts beside it, the suite's files",
        description="Recompute a declaration's hashes and say what, if anything, was edited (exit 0 untouched, 1 edited).",
    )
    from paircert.declaration import command as verify_cli

    verify_cli.add_arguments(verify)
    restore = commands.add_parser(
        "restore",
        help="finish putting a device back from a run's restore journal (after a crash of the tester machine)",
        description="Restore and verify what a run's restore-journal.json says the device held. Exit 0 verified, "
        "2 a wrong option or file, 3 the device cannot be reached or refuses the admin, 4 not an Axis device, "
        "6 not verified (every difference printed).",
    )
    from paircert.restore import command as restore_cli

    restore_cli.add_arguments(restore)
    compare = commands.add_parser(
        "compare",
        help="compare two runs' results.json: regressions, fixes, changed observed behaviour",
        description="Compare a run with a baseline run. Exit 1 on a regression (a test the baseline judged "
        "pass or observed is fail or blocked), 0 otherwise, 2 when a file is not a results.json.",
    )
    compare.add_argument("baseline", metavar="BASELINE", help="results.json of the earlier (good) run")
    compare.add_argument("result", metavar="RESULT", help="results.json of the run to judge")
    compare.add_argument(
        "--json", metavar="FILE", help="also write the comparison here (schemas/results/comparison.json)"
    )
    compare.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        metavar="F",
        help=f"report a benchmark figure that moved by more than this fraction (default {DEFAULT_TOLERANCE})",
    )
    return parser


# --- paircert run -------------------------------------------------------------------------------


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Hand secrets to the plugin through the environment: argv ends up in reports and ps."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is not None:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _pytest_args(args: argparse.Namespace, run_dir: Path, options: list[str], extra: list[str]) -> list[str]:
    from paircert.resources import data_dir

    suites = data_dir("suites")
    ini = Path(__file__).resolve().parent / "plugin" / "suite.ini"
    argv = [
        str(suites),
        "-c",
        str(ini),
        "--rootdir",
        str(suites.parent),
        "--confcutdir",
        str(suites),
        "--import-mode=importlib",
        "-p",
        "no:cacheprovider",
        "-p",
        "paircert.plugin",
        # This process imported the plugin (and httpx, hypothesis) to build its parser, so pytest
        # cannot rewrite their asserts; none of them asserts anything a user reads.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "--junitxml",
        str(run_dir / "junit.xml"),
        "--report-dir",
        str(run_dir),
        "--run-id",
        run_dir.name,
        # The terminal says what was found (paircert.plugin.summary); tracebacks stay in the
        # report, and pytest arguments after '--' (e.g. --tb=long, -v) come later and win.
        "--verdict-summary",
        "-qq",
        "--tb=no",
        "-rN",
        *options,
    ]
    if args.keyword:
        argv += ["-k", args.keyword]
    return argv + extra


class _PluginOutcome:
    """What the plugin said in its own way, for ``paircert run`` to say in one line.

    pytest prints a usage error as ``ERROR: ...`` and a failed preflight as a banner; the plugin
    remembers the preflight failure on its session state.
    """

    def __init__(self) -> None:
        self.usage_error: str | None = None
        self._config: pytest.Config | None = None

    @pytest.hookimpl(wrapper=True)
    def pytest_cmdline_main(
        self, config: pytest.Config
    ) -> Generator[None, int | pytest.ExitCode, int | pytest.ExitCode]:
        self._config = config
        try:
            return (yield)
        except pytest.UsageError as exc:
            self.usage_error = str(exc)
            return pytest.ExitCode.USAGE_ERROR

    def preflight_failure(self) -> PreflightError | None:
        state = self._config.stash.get(STATE_KEY, None) if self._config is not None else None
        return state.target.failure if state is not None else None


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    """Forward the run options to pytest; the plugin reads, checks and preflights them."""
    from paircert.report.records import new_run_id

    options, environment = command_line(vars(args))
    run_dir = Path(args.report_dir).resolve() / new_run_id()
    outcome = _PluginOutcome()
    with _environment(**environment):
        code = int(pytest.main(_pytest_args(args, run_dir, options, extra), plugins=[outcome]))
    if outcome.usage_error is not None:
        raise CliError(outcome.usage_error, EXIT_USAGE)
    failure = outcome.preflight_failure()
    if failure is not None:
        shutil.rmtree(run_dir, ignore_errors=True)  # no test ran: a report would only repeat this line
        raise CliError(str(failure), failure.exit_code)
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        print("paircert: error: no tests were selected (check -k and the profile)", file=sys.stderr)
    return code


# --- paircert emulator --------------------------------------------------------------------------


def _users(specs: list[str]) -> list[User]:
    from paircert.emulator.config import User

    if not specs:
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            raise CliError(f"give --user NAME:SECRET:ROLE or set {PASSWORD_ENV} for the root user", EXIT_USAGE)
        return [User("root", password, "admin")]
    roles: dict[str, Role] = {"admin": "admin", "operator": "operator", "viewer": "viewer"}
    users = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        secret, _, role = rest.rpartition(":")
        if not (name and secret and role in roles):
            raise CliError("--user: expected NAME:SECRET:ROLE with ROLE admin, operator or viewer", EXIT_USAGE)
        users.append(User(name, secret, roles[role]))
    return users


def _check_bindable(host: str, port: int) -> None:
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise CliError(f"cannot listen on {host} port {port}: {reason}") from None


def _emulator(args: argparse.Namespace) -> int:
    from paircert.emulator.faults import FaultSet, UnknownFault, catalogue

    if args.list_faults:
        print("\n".join(catalogue()))
        return 0
    try:
        faults = FaultSet.of(args.faults)
    except UnknownFault as exc:
        raise CliError(f"--fault: {exc}", EXIT_USAGE) from None
    try:
        if ipaddress.ip_address(args.host).is_unspecified:
            raise CliError(f"--host {args.host} would listen on every interface; give one address", EXIT_USAGE)
    except ValueError:
        pass
    if bool(args.cert) != bool(args.key):
        raise CliError("--cert and --key go together", EXIT_USAGE)
    for path in (args.cert, args.key, args.trust_ca_file):
        if path and not Path(path).is_file():
            raise CliError(f"no such file: {path}", EXIT_USAGE)
    for cidr in args.dial_allow:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise CliError(f"--dial-allow: not a network: {cidr}", EXIT_USAGE) from None
    from paircert.auth import digest_algorithms
    from paircert.emulator.choices import choices_named
    from paircert.emulator.config import EmulatorConfig
    from paircert.emulator.server import serve

    choices = choices_named(args.choices)
    try:
        algorithms = digest_algorithms(args.digest_algorithms or choices.digest_algorithms)
    except ValueError as exc:
        raise CliError(f"--digest-algorithms: {exc}", EXIT_USAGE) from None
    users = _users(args.users)
    for port in (args.http_port, args.https_port, args.rtsp_port, args.rtsps_port):
        _check_bindable(args.host, port)
    with contextlib.ExitStack() as stack:
        state_dir = (
            Path(args.state_dir)
            if args.state_dir
            else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="paircert-emulator-")))
        )
        state_dir.mkdir(parents=True, exist_ok=True)
        config = EmulatorConfig(
            host=args.host,
            http_port=args.http_port,
            https_port=args.https_port,
            state_dir=state_dir,
            users=users,
            own_addresses=list(args.own_address),
            auth_http=args.auth_http,
            auth_https=args.auth_https,
            digest_algorithms=algorithms,
            rtsp_port=args.rtsp_port,
            rtsps_port=args.rtsps_port,
            peer_rtsp_port=args.peer_rtsp_port,
            peer_rtsps_port=args.peer_rtsps_port,
            peer_http_port=args.peer_http_port,
            peer_https_port=args.peer_https_port,
            radar_revision=args.radar_revision,
            choices=choices,
            faults=faults,
            certfile=Path(args.cert) if args.cert else None,
            keyfile=Path(args.key) if args.key else None,
            trust_ca_file=Path(args.trust_ca_file) if args.trust_ca_file else None,
        )
        if args.dial_allow:
            config.dial_allow = list(args.dial_allow)

        media: list[str] = []

        def ready(http_url: str, https_url: str, ca_file: Path) -> None:
            print(f"paircert emulator ready\n  http:  {http_url}\n  https: {https_url}\n  CA:    {ca_file}", flush=True)
            print("".join(f"  {line}\n" for line in media), end="", flush=True)

        def rtsp_ready(rtsp_url: str, rtsps_url: str) -> None:
            media.extend((f"rtsp:  {rtsp_url}", f"rtsps: {rtsps_url}"))

        try:
            asyncio.run(serve(config, on_ready=ready, on_rtsp=rtsp_ready))
        except KeyboardInterrupt:
            return 0
        except OSError as exc:
            raise CliError(f"the emulator could not start: {exc.strerror or exc}") from None
        except SystemExit as exc:  # uvicorn exits when it cannot bind
            raise CliError(f"the emulator could not start (exit {exc.code}); is a port in use?") from None
    return 0


# --- paircert compare ---------------------------------------------------------------------------


def _compare(args: argparse.Namespace) -> int:
    from paircert.report.compare import ResultsFileError, compare, read_results, summary_lines

    if args.tolerance < 0:
        raise CliError(f"--tolerance: expected a fraction of 0 or more, got {args.tolerance}", EXIT_USAGE)
    try:
        comparison = compare(read_results(Path(args.baseline)), read_results(Path(args.result)), args.tolerance)
    except ResultsFileError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    print("\n".join(summary_lines(comparison)))
    if args.json:
        Path(args.json).write_text(
            json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return 1 if comparison.regressed else 0


# --- entry point --------------------------------------------------------------------------------


def _split_extra(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        index = argv.index("--")
        return argv[:index], argv[index + 1 :]
    return argv, []


def _scrub(text: str) -> str:
    """An error line without the password from the environment (whole occurrences, the run's rule)."""
    redactor = Redactor()
    for name in (PASSWORD_ENV, RESTORE_PASSWORD_ENV, RESTORE_RADAR_PASSWORD_ENV):
        redactor.add(os.environ.get(name) or "")
    return redactor.text(text)


def main(argv: Sequence[str] | None = None) -> int:
    own, extra = _split_extra(list(sys.argv[1:] if argv is None else argv))
    try:
        args = _parser().parse_args(own)
        if extra and args.command != "run":
            raise CliError("extra pytest arguments after '--' only go with 'run'", EXIT_USAGE)
        if args.command == "peers":
            from paircert.peers import cli as peers_cli

            return peers_cli.run(args)
        if args.command == "bench":
            from paircert.bench import cli as bench_cli

            return bench_cli.run(args)
        if args.command == "selfcheck":
            from paircert.selfcheck import command as selfcheck_cli

            return selfcheck_cli.run(args)
        if args.command == "verify":
            from paircert.declaration import command as verify_cli

            return verify_cli.run(args)
        if args.command == "restore":
            from paircert.restore import command as restore_cli

            return restore_cli.run(args)
        if args.command == "compare":
            return _compare(args)
        return _run(args, extra) if args.command == "run" else _emulator(args)
    except CliError as exc:
        print(f"paircert: error: {_scrub(str(exc))}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # last line of defence: one line, the traceback only when asked for
        if os.environ.get(TRACEBACK_ENV):
            print(_scrub(traceback.format_exc()), file=sys.stderr)
        print(f"paircert: error: {_scrub(f'{type(exc).__name__}: {exc}')}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
