"""The run options: defined once, read and validated once, into a frozen :class:`RunConfig`.

:data:`RUN_OPTIONS` is the one definition of every option of a run. The plugin registers it with
pytest and ``paircert run`` builds its ``--help`` and its parser from it, then forwards the values
to pytest (:func:`command_line`); :func:`read_run_config` is the one validator, so a wrong value
says the same line whichever way the run was started.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args
from urllib.parse import urlsplit

import pytest

from paircert.auth import digest_algorithms
from paircert.bench.report import KINDS, Kind
from paircert.clients.http import Credentials
from paircert.clients.traffic import DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRIES
from paircert.declaration.claims import Claims, ClaimsError, load_claims
from paircert.emulator.choices import CHOICE_NAMES, ChoiceName
from paircert.emulator.config import FaultSet, RadarRevision
from paircert.report.compare import ResultsFileError, read_results
from paircert.report.records import new_run_id

__all__ = [
    "DEFAULT_SEED",
    "PASSWORD_ENV",
    "PROFILES",
    "RESTORE_PASSWORD_ENV",
    "RESTORE_RADAR_PASSWORD_ENV",
    "RUN_OPTIONS",
    "STANDARD_PEER_PORTS",
    "PeerOptions",
    "Profile",
    "RunConfig",
    "RunConfigError",
    "RunOption",
    "command_line",
    "pytest_addoption",
    "read_options",
    "read_run_config",
]

Profile = Literal["gate", "full", "read-only", "certification"]
SetMethod = Literal["PATCH", "PUT"]
PROFILES: dict[str, Profile] = {
    "gate": "gate",
    "full": "full",
    "read-only": "read-only",
    "certification": "certification",
}
SET_METHODS: dict[str, SetMethod] = {"PATCH": "PATCH", "PUT": "PUT"}
DEFAULT_SEED = 20261122
"""The seed of generated tests when ``--seed`` is not given: runs are reproducible by default."""
PASSWORD_ENV = "PAIRCERT_PASSWORD"
OPERATOR_ENV = "PAIRCERT_OPERATOR"
VIEWER_ENV = "PAIRCERT_VIEWER"
RESTART_COMMAND_ENV = "PAIRCERT_RESTART_COMMAND"
"""The restart command may hold a secret (an ssh or power-switch login): ``paircert run`` passes it through here."""
RESTORE_PASSWORD_ENV = "PAIRCERT_RESTORE_PASSWORD"
RESTORE_RADAR_PASSWORD_ENV = "PAIRCERT_RESTORE_RADAR_PASSWORD"
DEFAULT_RESTART_TIMEOUT = 300.0
"""Seconds for the restart command, then again for the device to answer: an Axis device reboots in one to three minutes."""
RADAR_REVISIONS: tuple[RadarRevision, ...] = get_args(RadarRevision)
STANDARD_PEER_PORTS = (554, 322, 80, 443)
"""Where a device dials a paired address (no port in the address): RTSP, RTSPS, HTTP, HTTPS."""
DEFAULT_DIGEST_ALGORITHMS = "MD5"
"""What the run's own servers (the embedded emulator, the hosted peers) offer: every common client speaks it."""
MAX_RETRIES = 10
"""Retries are for a flaky network, not a device that is down: a few are plenty."""
T = TypeVar("T")


class RunConfigError(ValueError):
    """A run option has a value the run cannot use; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class RunOption:
    """One option of a run, as both pytest and ``paircert run`` declare it.

    ``env`` names the environment variable read when the option is not given; ``paircert run``
    hands such options over through it, because argv shows in ``ps`` and in reports. ``cli`` is
    False for what ``paircert run`` sets itself (the run folder and its id). ``repeat`` options
    may be given several times and hold the list of values.
    """

    flag: str
    dest: str
    help: str
    metavar: str | None = None
    default: object = None
    choices: tuple[str, ...] | None = None
    type: Callable[[str], Any] | None = None
    switch: bool = False
    env: str | None = None
    cli: bool = True
    repeat: bool = False

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``argparse.add_argument`` and pytest's ``addoption`` alike."""
        if self.switch:
            return {"dest": self.dest, "action": "store_true", "help": self.help}
        if self.repeat:
            return {"dest": self.dest, "action": "append", "metavar": self.metavar, "help": self.help}
        arguments: dict[str, Any] = {"dest": self.dest, "default": self.default, "help": self.help}
        if self.metavar is not None:
            arguments["metavar"] = self.metavar
        if self.choices is not None:
            arguments["choices"] = self.choices
        if self.type is not None:
            arguments["type"] = self.type
        return arguments


RUN_OPTIONS: tuple[RunOption, ...] = (
    RunOption(
        "--target",
        "paircert_target",
        "device URL (http:// or https://); without it an embedded emulator is started",
        metavar="URL",
    ),
    RunOption("--user", "paircert_user", "admin user name (default root)", metavar="NAME", default="root"),
    RunOption(
        "--password",
        "paircert_password",
        f"admin password; prefer the {PASSWORD_ENV} environment variable",
        metavar="SECRET",
        env=PASSWORD_ENV,
    ),
    RunOption(
        "--operator",
        "paircert_operator",
        f"operator credentials (or {OPERATOR_ENV}); tests needing them are blocked without",
        metavar="NAME:SECRET",
        env=OPERATOR_ENV,
    ),
    RunOption(
        "--viewer",
        "paircert_viewer",
        f"viewer credentials (or {VIEWER_ENV}); tests needing them are blocked without",
        metavar="NAME:SECRET",
        env=VIEWER_ENV,
    ),
    RunOption(
        "--allow-destructive",
        "paircert_allow_destructive",
        "on a device that holds a camera pairing or a radar configuration: remove them for the state-changing "
        "tests and put them back afterwards (needs the restore passwords; README: devices in use)",
        switch=True,
    ),
    RunOption(
        "--restore-password",
        "paircert_restore_password",
        "with --allow-destructive: the password of the device's camera pairing, to add it back "
        f"(or {RESTORE_PASSWORD_ENV})",
        metavar="SECRET",
        env=RESTORE_PASSWORD_ENV,
    ),
    RunOption(
        "--restore-radar-password",
        "paircert_restore_radar_password",
        "with --allow-destructive: the password of the device's radar configuration, to set it again "
        f"(or {RESTORE_RADAR_PASSWORD_ENV})",
        metavar="SECRET",
        env=RESTORE_RADAR_PASSWORD_ENV,
    ),
    RunOption("--ca-file", "paircert_ca_file", "CA certificate (PEM) to trust for an https target", metavar="PATH"),
    RunOption("--insecure", "paircert_insecure", "do not verify the target's TLS certificate", switch=True),
    RunOption(
        "--profile",
        "paircert_profile",
        "gate: fast subset; full: everything; read-only: no test that changes device state; certification: "
        "everything with larger generated budgets, ending with declaration.json (default full)",
        choices=tuple(PROFILES),
        default="full",
    ),
    RunOption(
        "--claims",
        "paircert_claims",
        "with --profile certification: TOML file of the APIs, revisions, options and waivers the vendor "
        "claims (README: declaration of conformance); without it the declaration claims nothing",
        metavar="FILE",
    ),
    RunOption(
        "--seed",
        "paircert_seed",
        f"seed for generated data (default {DEFAULT_SEED}: the same examples every run)",
        metavar="N",
        type=int,
    ),
    RunOption(
        "--budget-scale",
        "paircert_budget_scale",
        "multiply the generated tests' example budgets of the profile by F (e.g. 10 for a long "
        "exploration; from 4 on schemathesis' coverage phase runs too)",
        metavar="F",
        type=float,
        default=1.0,
    ),
    RunOption(
        "--set-method",
        "paircert_set_method",
        "HTTP method of DCA set operations (PUT for AXIS OS 11.10 and older; default PATCH)",
        choices=tuple(SET_METHODS),
        default="PATCH",
    ),
    RunOption(
        "--max-rps",
        "paircert_max_rps",
        "send at most N requests per second to the target, across every client of the run (default: no limit)",
        metavar="N",
        type=float,
    ),
    RunOption(
        "--request-timeout",
        "paircert_request_timeout",
        f"seconds one request may take, connecting and the whole answer included (default {DEFAULT_REQUEST_TIMEOUT:g})",
        metavar="S",
        type=float,
    ),
    RunOption(
        "--retries",
        "paircert_retries",
        "try a request again up to N times after a transport error before any answer byte (never after an "
        f"HTTP status; a state-changing request only when it was not sent; default {DEFAULT_RETRIES})",
        metavar="N",
        type=int,
    ),
    RunOption(
        "--peer-address",
        "paircert_peer_address",
        "with --target: an address of this machine the device can reach; the suite hosts its peer "
        "camera there (ports 554/322/80/443: root or CAP_NET_BIND_SERVICE)",
        metavar="ADDR",
    ),
    RunOption(
        "--radar-peer-address",
        "paircert_radar_peer_address",
        "with --target: a second such address for the peer radar (camera and radar use the same ports)",
        metavar="ADDR",
    ),
    RunOption(
        "--peer-ca-dir",
        "paircert_peer_ca_dir",
        "keep the peers' test CA here (made once, then reused) so a device can trust it for good",
        metavar="DIR",
    ),
    RunOption(
        "--peer-ports",
        "paircert_peer_ports",
        "with --target: the peers' ports, for a target that is a 'paircert emulator' told other "
        "--peer-*-port values (default 554,322,80,443, what a real device dials)",
        metavar="RTSP,RTSPS,HTTP,HTTPS",
    ),
    RunOption(
        "--device-trusts-peer-ca",
        "paircert_device_trusts_peer_ca",
        "the device's trust store holds the CA in --peer-ca-dir; without it the cases that need a "
        "verified certificate to pass are blocked",
        switch=True,
    ),
    RunOption(
        "--digest-algorithms",
        "paircert_digest_algorithms",
        "Digest algorithms the embedded emulator and the suite-hosted peers offer, in offer order "
        f"(comma-separated, e.g. SHA-256,MD5; default {DEFAULT_DIGEST_ALGORITHMS}, and SHA-256,MD5 for the "
        "embedded emulator with --emulator-choices alternate)",
        metavar="ALG[,ALG]",
    ),
    RunOption(
        "--emulator-choices",
        "paircert_emulator_choices",
        "without --target: what the embedded emulator does where the documents are silent "
        "(README: reference choices and their alternates; default reference)",
        choices=CHOICE_NAMES,
        default="reference",
    ),
    RunOption(
        "--emulator-fault",
        "paircert_emulator_faults",
        "without --target: run the embedded emulator with this seeded fault (repeatable; "
        "'paircert emulator --list-faults' names them)",
        metavar="NAME",
        repeat=True,
    ),
    RunOption(
        "--emulator-radar-revision",
        "paircert_emulator_radar_revision",
        "without --target: the radar document revision the embedded emulator follows (2025-08: tls and "
        "tls-verify; 2026-01: tls-certificate-cn; default 2025-08)",
        choices=RADAR_REVISIONS,
    ),
    RunOption(
        "--restart-command",
        "paircert_restart_command",
        f"with --target: a shell command that restarts the device (or {RESTART_COMMAND_ENV}); the persistence "
        "tests run it, then wait for the device to answer again; without it they are blocked (the embedded "
        "emulator is restarted by the suite itself)",
        metavar="CMD",
        env=RESTART_COMMAND_ENV,
    ),
    RunOption(
        "--restart-timeout",
        "paircert_restart_timeout",
        "seconds the restart command may take, and again the device to answer after it "
        f"(default {DEFAULT_RESTART_TIMEOUT:.0f})",
        metavar="S",
        type=float,
    ),
    RunOption(
        "--baseline",
        "paircert_baseline",
        "compare this run with an earlier run's results.json at the end (as 'paircert compare' does, "
        "written to comparison.json); a regression makes the run's exit code 1",
        metavar="FILE",
    ),
    RunOption(
        "--bench",
        "paircert_bench",
        f"after the suites, run these benchmarks against the same target ({', '.join(KINDS)}, comma-separated, "
        "or all); their results and plots go into the run folder and the report (README: Benchmarks)",
        metavar="NAME[,NAME]",
    ),
    RunOption(
        "--bench-duration",
        "paircert_bench_duration",
        "with --bench: each benchmark's time budget in seconds (default: each its own, a minute or less)",
        metavar="S",
        type=float,
    ),
    RunOption(
        "--verdict-summary",
        "paircert_verdict_summary",
        "end with one line per failed test and per reason tests were blocked, the counts per verdict "
        "and the report path (paircert run sets it)",
        switch=True,
        cli=False,
    ),
    RunOption(
        "--report-dir",
        "paircert_report_dir",
        "write results.json (and the hypothesis example database) here",
        metavar="DIR",
        cli=False,
    ),
    RunOption("--run-id", "paircert_run_id", "run identifier (default: UTC timestamp)", metavar="ID", cli=False),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("paircert", "paircert conformance target")
    for option in RUN_OPTIONS:
        group.addoption(option.flag, **option.arguments())


def command_line(values: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The pytest arguments and environment that carry parsed option ``values`` to the plugin.

    Values equal to their default are left out; options with an environment variable go through
    the environment, never argv.
    """
    argv: list[str] = []
    environment: dict[str, str] = {}
    for option in RUN_OPTIONS:
        value = values.get(option.dest)
        if value is None or value is False or value == option.default:
            continue
        if option.env is not None:
            environment[option.env] = str(value)
        elif option.repeat:
            argv += [part for item in value for part in (option.flag, str(item))]
        elif option.switch:
            argv.append(option.flag)
        else:
            argv += [option.flag, str(value)]
    return argv, environment


@dataclass(frozen=True)
class PeerOptions:
    """Where and how the run hosts its peers (see :mod:`paircert.plugin.peering`)."""

    address: str | None = None
    radar_address: str | None = None
    ca_dir: Path | None = None
    ports: tuple[int, int, int, int] = STANDARD_PEER_PORTS
    device_trusts_ca: bool = False


@dataclass(frozen=True)
class RunConfig:
    """A run's options, checked. Its repr shows no secret (:class:`Credentials` redact theirs).

    ``admin`` is None only without ``--target`` and without a password: the embedded emulator
    then gets an account made for the run.
    """

    target_url: str | None
    user: str
    admin: Credentials | None
    operator: Credentials | None
    viewer: Credentials | None
    verify: bool | str
    profile: Profile
    set_method: SetMethod
    seed: int
    budget_scale: float
    run_id: str
    report_dir: Path | None
    digest_algorithms: tuple[str, ...] = (DEFAULT_DIGEST_ALGORITHMS,)
    digest_algorithms_given: bool = False
    """Without ``--digest-algorithms`` the embedded emulator offers what its choices offer."""
    emulator_choices: ChoiceName = "reference"
    emulator_faults: FaultSet = FaultSet()
    emulator_radar_revision: RadarRevision = "2025-08"
    restart_command: str | None = field(default=None, repr=False)
    """With ``--target``: the user's shell command that restarts the device (never shown in any artifact)."""
    restart_timeout: float = DEFAULT_RESTART_TIMEOUT
    verdict_summary: bool = False
    max_rps: float | None = None
    """``--max-rps``: one limit for the whole run (None: no limit)."""
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    retries: int = DEFAULT_RETRIES
    baseline: Path | None = None
    """An earlier run's results.json, already checked against its schema."""
    benchmarks: tuple[Kind, ...] = ()
    """What ``--bench`` asked for, run after the suites (:mod:`paircert.plugin.benchmarking`)."""
    bench_duration: float | None = None
    peers: PeerOptions = field(default_factory=PeerOptions)
    claims: Claims | None = None
    claims_file: Path | None = None
    allow_destructive: bool = False
    """``--allow-destructive``: a device in use is vacated for the run and restored after it."""
    restore_password: str | None = field(default=None, repr=False)
    restore_radar_password: str | None = field(default=None, repr=False)
    """The claims file as given (certification runs copy it into the run folder)."""


def _target(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RunConfigError(f"--target: expected http://HOST[:PORT] or https://HOST[:PORT], got {value!r}")
    return value.rstrip("/")


def _emulator_faults(names: list[str] | None, target: str | None) -> FaultSet:
    if not names:
        return FaultSet()
    if target is not None:
        raise RunConfigError("--emulator-fault: faults are seeded into the embedded emulator; drop --target")
    try:
        return FaultSet.of(names)
    except ValueError as exc:
        raise RunConfigError(f"--emulator-fault: {exc}") from None


def _radar_revision(value: str | None, target: str | None) -> RadarRevision:
    if value is None:
        return "2025-08"
    if target is not None:
        raise RunConfigError("--emulator-radar-revision: it tells the embedded emulator; drop --target")
    return _choice({revision: revision for revision in RADAR_REVISIONS}, value, "--emulator-radar-revision")


def _restart_command(value: str | None, target: str | None) -> str | None:
    if value is None:
        return None
    if target is None:
        raise RunConfigError("--restart-command: the suite restarts the embedded emulator itself; use it with --target")
    if not value.strip():
        raise RunConfigError("--restart-command: the command is empty")
    return value


def _restart_timeout(value: float | None) -> float:
    if value is None:
        return DEFAULT_RESTART_TIMEOUT
    if not value > 0:
        raise RunConfigError(f"--restart-timeout: expected a positive number of seconds, got {value}")
    return float(value)


def _benchmarks(
    value: str | None, duration: float | None, profile: Profile, report_dir: str | None
) -> tuple[Kind, ...]:
    if value is None:
        if duration is not None:
            raise RunConfigError("--bench-duration: it is the budget of each benchmark --bench names; add --bench")
        return ()
    if duration is not None and not duration > 0:
        raise RunConfigError(f"--bench-duration: expected a positive number of seconds, got {duration}")
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in (*KINDS, "all")]
    if unknown or not names:
        raise RunConfigError(f"--bench: expected {', '.join(KINDS)} or all (comma-separated), got {value!r}")
    if profile == "read-only":
        raise RunConfigError("--bench: the benchmarks pair and configure the device; not with --profile read-only")
    if not report_dir:
        raise RunConfigError("--bench: benchmarks write into the run folder; give --report-dir (paircert run does)")
    return KINDS if "all" in names else tuple(kind for kind in KINDS if kind in names)


def _max_rps(value: float | None) -> float | None:
    if value is not None and not (0 < value < math.inf):
        raise RunConfigError(f"--max-rps: expected a positive number of requests per second, got {value}")
    return value


def _request_timeout(value: float | None) -> float:
    if value is None:
        return DEFAULT_REQUEST_TIMEOUT
    if not (0 < value < math.inf):
        raise RunConfigError(f"--request-timeout: expected a positive number of seconds, got {value}")
    return float(value)


def _retries(value: int | None) -> int:
    if value is None:
        return DEFAULT_RETRIES
    if not 0 <= value <= MAX_RETRIES:
        raise RunConfigError(f"--retries: expected 0 to {MAX_RETRIES}, got {value}")
    return value


def _baseline(value: str | None) -> Path | None:
    """Read the baseline once here, so a wrong file is one line before the run, not after it."""
    if value is None:
        return None
    path = Path(value).expanduser().resolve()
    try:
        read_results(path)
    except ResultsFileError as exc:
        raise RunConfigError(f"--baseline: {exc}") from None
    return path


def _credentials(text: str | None, flag: str) -> Credentials | None:
    if text is None:
        return None
    try:
        return Credentials.parse(text)
    except ValueError as exc:
        raise RunConfigError(f"{flag}: {exc}") from None


def _verify(insecure: bool, ca_file: str | None) -> bool | str:
    if ca_file is not None and not Path(ca_file).is_file():
        raise RunConfigError(f"--ca-file: no such file: {ca_file}")
    if insecure:
        return False
    return str(Path(ca_file).resolve()) if ca_file else True


def _peer_address(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise RunConfigError(f"{flag}: expected an IP address of this machine, got {value!r}") from None


def _peer_ports(value: str | None) -> tuple[int, int, int, int]:
    if value is None:
        return STANDARD_PEER_PORTS
    wrong = RunConfigError(f"--peer-ports: expected four ports RTSP,RTSPS,HTTP,HTTPS, got {value!r}")
    try:
        rtsp, rtsps, http, https = (int(part) for part in value.split(","))
    except ValueError:
        raise wrong from None
    if not all(0 < port < 65536 for port in (rtsp, rtsps, http, https)):
        raise wrong
    return rtsp, rtsps, http, https


def _peers(values: Mapping[str, Any]) -> PeerOptions:
    address = _peer_address(values.get("paircert_peer_address"), "--peer-address")
    radar_address = _peer_address(values.get("paircert_radar_peer_address"), "--radar-peer-address")
    if address is not None and address == radar_address:
        raise RunConfigError("--radar-peer-address: the radar needs an address of its own (same ports as the camera)")
    ca_dir = values.get("paircert_peer_ca_dir")
    trusts = bool(values.get("paircert_device_trusts_peer_ca"))
    if trusts and ca_dir is None:
        raise RunConfigError("--device-trusts-peer-ca needs --peer-ca-dir (the CA the device was told to trust)")
    return PeerOptions(
        address=address,
        radar_address=radar_address,
        ca_dir=Path(ca_dir).expanduser() if ca_dir else None,
        ports=_peer_ports(values.get("paircert_peer_ports")),
        device_trusts_ca=trusts,
    )


def _claims(value: str | None, profile: Profile) -> tuple[Claims | None, Path | None]:
    if value is None:
        return None, None
    if profile != "certification":
        raise RunConfigError("--claims: claims are declared by a certification run; add --profile certification")
    path = Path(value).expanduser().resolve()
    try:
        return load_claims(path), path
    except ClaimsError as exc:
        raise RunConfigError(f"--claims: {exc}") from None


def _choice(table: Mapping[str, T], value: object, flag: str) -> T:
    if not isinstance(value, str) or value not in table:
        raise RunConfigError(f"{flag}: invalid choice: {value!r} (choose from {', '.join(table)})")
    return table[value]


def _given(option: RunOption, values: Mapping[str, Any], environ: Mapping[str, str]) -> Any:
    value = values.get(option.dest)
    if value is None or value == "":
        value = environ.get(option.env) if option.env else None
    return None if value == "" else value


def read_run_config(values: Mapping[str, Any], environ: Mapping[str, str]) -> RunConfig:
    """Check option ``values`` (by ``dest``, as parsed from :data:`RUN_OPTIONS`) into a RunConfig.

    Options with an environment variable fall back to it; an empty value counts as absent.
    """
    given = {option.dest: _given(option, values, environ) for option in RUN_OPTIONS}
    target = _target(given["paircert_target"])
    user = str(given["paircert_user"] or "root")
    password = given["paircert_password"]
    if target is not None and password is None:
        raise RunConfigError(f"--target needs the admin password: set {PASSWORD_ENV} (or pass --password)")
    seed = given["paircert_seed"]
    budget_scale = float(given["paircert_budget_scale"] if given["paircert_budget_scale"] is not None else 1.0)
    if budget_scale <= 0:
        raise RunConfigError(f"--budget-scale: expected a positive factor, got {budget_scale}")
    try:
        algorithms = digest_algorithms(given["paircert_digest_algorithms"] or DEFAULT_DIGEST_ALGORITHMS)
    except ValueError as exc:
        raise RunConfigError(f"--digest-algorithms: {exc}") from None
    report_dir = given["paircert_report_dir"]
    profile = _choice(PROFILES, given["paircert_profile"] or "full", "--profile")
    claims, claims_file = _claims(given["paircert_claims"], profile)
    return RunConfig(
        target_url=target,
        user=user,
        admin=Credentials(user, password) if password else None,
        operator=_credentials(given["paircert_operator"], "--operator"),
        viewer=_credentials(given["paircert_viewer"], "--viewer"),
        verify=_verify(bool(given["paircert_insecure"]), given["paircert_ca_file"]),
        profile=profile,
        set_method=_choice(SET_METHODS, given["paircert_set_method"] or "PATCH", "--set-method"),
        seed=int(seed) if seed is not None else DEFAULT_SEED,
        budget_scale=budget_scale,
        run_id=str(given["paircert_run_id"] or new_run_id()),
        report_dir=Path(report_dir) if report_dir else None,
        digest_algorithms=algorithms,
        digest_algorithms_given=given["paircert_digest_algorithms"] is not None,
        emulator_choices=_choice(
            {name: name for name in CHOICE_NAMES},
            given["paircert_emulator_choices"] or "reference",
            "--emulator-choices",
        ),
        emulator_faults=_emulator_faults(given["paircert_emulator_faults"], target),
        emulator_radar_revision=_radar_revision(given["paircert_emulator_radar_revision"], target),
        restart_command=_restart_command(given["paircert_restart_command"], target),
        restart_timeout=_restart_timeout(given["paircert_restart_timeout"]),
        verdict_summary=bool(given["paircert_verdict_summary"]),
        max_rps=_max_rps(given["paircert_max_rps"]),
        request_timeout=_request_timeout(given["paircert_request_timeout"]),
        retries=_retries(given["paircert_retries"]),
        baseline=_baseline(given["paircert_baseline"]),
        benchmarks=_benchmarks(given["paircert_bench"], given["paircert_bench_duration"], profile, report_dir),
        bench_duration=given["paircert_bench_duration"],
        peers=_peers(given),
        claims=claims,
        claims_file=claims_file,
        allow_destructive=bool(given["paircert_allow_destructive"]),
        restore_password=given["paircert_restore_password"],
        restore_radar_password=given["paircert_restore_radar_password"],
    )


def read_options(config: pytest.Config) -> RunConfig:
    """The run's configuration from pytest's parsed options; a wrong value is a usage error."""
    values = {option.dest: config.getoption(option.dest) for option in RUN_OPTIONS}
    try:
        return read_run_config(values, os.environ)
    except RunConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
