"""Command-line options of the plugin and their parsed, validated form."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from paircert.clients.http import Credentials
from paircert.report.records import new_run_id

__all__ = ["PROFILES", "STANDARD_PEER_PORTS", "TargetOptions", "pytest_addoption", "read_options"]

PROFILES = ("gate", "full", "read-only")
DEFAULT_SEED = 20261122
"""The seed of generated tests when ``--seed`` is not given: runs are reproducible by default."""
PASSWORD_ENV = "PAIRCERT_PASSWORD"
OPERATOR_ENV = "PAIRCERT_OPERATOR"
VIEWER_ENV = "PAIRCERT_VIEWER"
STANDARD_PEER_PORTS = (554, 322, 80, 443)
"""Where a device dials a paired address (no port in the address): RTSP, RTSPS, HTTP, HTTPS."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("paircert", "paircert conformance target")
    group.addoption(
        "--target",
        dest="paircert_target",
        metavar="URL",
        help="device URL (http:// or https://); without it an embedded emulator is started",
    )
    group.addoption(
        "--user", dest="paircert_user", default="root", metavar="NAME", help="admin user name (default root)"
    )
    group.addoption(
        "--password",
        dest="paircert_password",
        metavar="SECRET",
        help=f"admin password; prefer the {PASSWORD_ENV} environment variable",
    )
    group.addoption(
        "--operator",
        dest="paircert_operator",
        metavar="NAME:SECRET",
        help=f"operator credentials (or {OPERATOR_ENV}); tests needing them are blocked without",
    )
    group.addoption(
        "--viewer",
        dest="paircert_viewer",
        metavar="NAME:SECRET",
        help=f"viewer credentials (or {VIEWER_ENV}); tests needing them are blocked without",
    )
    group.addoption(
        "--ca-file", dest="paircert_ca_file", metavar="PATH", help="CA certificate (PEM) to trust for https targets"
    )
    group.addoption(
        "--insecure", dest="paircert_insecure", action="store_true", help="do not verify the target's TLS certificate"
    )
    group.addoption(
        "--profile",
        dest="paircert_profile",
        choices=PROFILES,
        default="full",
        help="gate: fast subset; full: everything; read-only: no test that changes device state",
    )
    group.addoption("--report-dir", dest="paircert_report_dir", metavar="DIR", help="write results.json here")
    group.addoption(
        "--seed",
        dest="paircert_seed",
        type=int,
        metavar="N",
        help=f"seed for generated data (default {DEFAULT_SEED}: the same examples every run)",
    )
    group.addoption(
        "--budget-scale",
        dest="paircert_budget_scale",
        type=float,
        default=1.0,
        metavar="F",
        help="multiply the generated tests' example budgets of the profile by F (e.g. 10 for a long "
        "exploration; from 4 on schemathesis' coverage phase runs too)",
    )
    group.addoption(
        "--set-method",
        dest="paircert_set_method",
        choices=("PATCH", "PUT"),
        default="PATCH",
        help="HTTP method of DCA set operations (PUT for AXIS OS 11.10 and older)",
    )
    group.addoption("--run-id", dest="paircert_run_id", metavar="ID", help="run identifier (default: UTC timestamp)")
    group.addoption(
        "--peer-address",
        dest="paircert_peer_address",
        metavar="ADDR",
        help="with --target: an address of this machine the device can reach; the suite hosts its peer "
        "camera there (ports 554/322/80/443: root or CAP_NET_BIND_SERVICE)",
    )
    group.addoption(
        "--radar-peer-address",
        dest="paircert_radar_peer_address",
        metavar="ADDR",
        help="with --target: a second such address for the peer radar (camera and radar use the same ports)",
    )
    group.addoption(
        "--peer-ca-dir",
        dest="paircert_peer_ca_dir",
        metavar="DIR",
        help="keep the peers' test CA here (made once, then reused) so a device can trust it for good",
    )
    group.addoption(
        "--peer-ports",
        dest="paircert_peer_ports",
        metavar="RTSP,RTSPS,HTTP,HTTPS",
        help="with --target: the peers' ports, for a target that is a 'paircert emulator' told other "
        "--peer-*-port values (default 554,322,80,443, what a real device dials)",
    )
    group.addoption(
        "--device-trusts-peer-ca",
        dest="paircert_device_trusts_peer_ca",
        action="store_true",
        help="the device's trust store holds the CA in --peer-ca-dir; without it the cases that need a "
        "verified certificate to pass are blocked",
    )


@dataclass(frozen=True)
class TargetOptions:
    target_url: str | None
    admin: Credentials | None
    operator: Credentials | None
    viewer: Credentials | None
    verify: bool | str
    profile: str
    report_dir: Path | None
    seed: int
    set_method: str
    run_id: str
    user: str = field(default="root")
    peer_address: str | None = None
    radar_peer_address: str | None = None
    peer_ca_dir: Path | None = None
    peer_ports: tuple[int, int, int, int] = STANDARD_PEER_PORTS
    device_trusts_peer_ca: bool = False


def _credentials(value: str | None, env: str, flag: str) -> Credentials | None:
    text = value or os.environ.get(env) or None
    if text is None:
        return None
    try:
        return Credentials.parse(text)
    except ValueError as exc:
        raise pytest.UsageError(f"{flag}: {exc}") from None


def _peer_address(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise pytest.UsageError(f"{flag}: expected an IP address of this machine, got {value!r}") from None


def _peer_ports(value: str | None) -> tuple[int, int, int, int]:
    if value is None:
        return STANDARD_PEER_PORTS
    parts = value.split(",")
    try:
        ports = tuple(int(part) for part in parts)
    except ValueError:
        ports = ()
    if len(ports) != 4 or not all(0 < port < 65536 for port in ports):
        raise pytest.UsageError(f"--peer-ports: expected four ports RTSP,RTSPS,HTTP,HTTPS, got {value!r}")
    return ports  # type: ignore[return-value]  # four ints, checked above


def read_options(config: pytest.Config) -> TargetOptions:
    """Validate the options once, at configure time, with messages a user can act on."""
    get = config.getoption
    target = get("paircert_target")
    if target is not None:
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise pytest.UsageError(f"--target: expected http://HOST[:PORT] or https://HOST[:PORT], got {target!r}")
        target = target.rstrip("/")
    password = get("paircert_password") or os.environ.get(PASSWORD_ENV) or None
    if target is not None and password is None:
        raise pytest.UsageError(f"--target needs the admin password: set {PASSWORD_ENV} (or pass --password)")
    ca_file = get("paircert_ca_file")
    if ca_file is not None and not Path(ca_file).is_file():
        raise pytest.UsageError(f"--ca-file: no such file: {ca_file}")
    verify: bool | str = False if get("paircert_insecure") else (str(Path(ca_file).resolve()) if ca_file else True)
    report_dir = get("paircert_report_dir")
    seed = get("paircert_seed")
    user = get("paircert_user")
    peer_address = _peer_address(get("paircert_peer_address"), "--peer-address")
    radar_peer_address = _peer_address(get("paircert_radar_peer_address"), "--radar-peer-address")
    if peer_address is not None and peer_address == radar_peer_address:
        raise pytest.UsageError(
            "--radar-peer-address: the radar needs an address of its own (same ports as the camera)"
        )
    peer_ca_dir = get("paircert_peer_ca_dir")
    trusts = bool(get("paircert_device_trusts_peer_ca"))
    if trusts and peer_ca_dir is None:
        raise pytest.UsageError("--device-trusts-peer-ca needs --peer-ca-dir (the CA the device was told to trust)")
    return TargetOptions(
        target_url=target,
        admin=Credentials(user, password) if password else None,
        operator=_credentials(get("paircert_operator"), OPERATOR_ENV, "--operator"),
        viewer=_credentials(get("paircert_viewer"), VIEWER_ENV, "--viewer"),
        verify=verify,
        profile=get("paircert_profile"),
        report_dir=Path(report_dir) if report_dir else None,
        seed=seed if seed is not None else DEFAULT_SEED,
        set_method=get("paircert_set_method"),
        run_id=get("paircert_run_id") or new_run_id(),
        user=user,
        peer_address=peer_address,
        radar_peer_address=radar_peer_address,
        peer_ca_dir=Path(peer_ca_dir).expanduser() if peer_ca_dir else None,
        peer_ports=_peer_ports(get("paircert_peer_ports")),
        device_trusts_peer_ca=trusts,
    )
