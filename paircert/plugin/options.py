"""Command-line options of the plugin and their parsed, validated form."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from paircert.clients.http import Credentials
from paircert.report.records import new_run_id

__all__ = ["PROFILES", "TargetOptions", "pytest_addoption", "read_options"]

PROFILES = ("gate", "full", "read-only")
DEFAULT_SEED = 20261122
"""The seed of generated tests when ``--seed`` is not given: runs are reproducible by default."""
PASSWORD_ENV = "PAIRCERT_PASSWORD"
OPERATOR_ENV = "PAIRCERT_OPERATOR"
VIEWER_ENV = "PAIRCERT_VIEWER"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("paircert", "paircert conformance target")
    group.addoption("--target", dest="paircert_target", metavar="URL",
                    help="device URL (http:// or https://); without it an embedded emulator is started")
    group.addoption("--user", dest="paircert_user", default="root", metavar="NAME", help="admin user name (default root)")
    group.addoption("--password", dest="paircert_password", metavar="SECRET",
                    help=f"admin password; prefer the {PASSWORD_ENV} environment variable")
    group.addoption("--operator", dest="paircert_operator", metavar="NAME:SECRET",
                    help=f"operator credentials (or {OPERATOR_ENV}); tests needing them are blocked without")
    group.addoption("--viewer", dest="paircert_viewer", metavar="NAME:SECRET",
                    help=f"viewer credentials (or {VIEWER_ENV}); tests needing them are blocked without")
    group.addoption("--ca-file", dest="paircert_ca_file", metavar="PATH", help="CA certificate (PEM) to trust for https targets")
    group.addoption("--insecure", dest="paircert_insecure", action="store_true", help="do not verify the target's TLS certificate")
    group.addoption("--profile", dest="paircert_profile", choices=PROFILES, default="full",
                    help="gate: fast subset; full: everything; read-only: no test that changes device state")
    group.addoption("--report-dir", dest="paircert_report_dir", metavar="DIR", help="write results.json here")
    group.addoption("--seed", dest="paircert_seed", type=int, metavar="N", help=f"seed for generated data (default {DEFAULT_SEED}: the same examples every run)")
    group.addoption("--budget-scale", dest="paircert_budget_scale", type=float, default=1.0, metavar="F",
                    help="multiply the generated tests' example budgets of the profile by F (e.g. 10 for a long "
                         "exploration; from 4 on schemathesis' coverage phase runs too)")
    group.addoption("--set-method", dest="paircert_set_method", choices=("PATCH", "PUT"), default="PATCH",
                    help="HTTP method of DCA set operations (PUT for AXIS OS 11.10 and older)")
    group.addoption("--run-id", dest="paircert_run_id", metavar="ID", help="run identifier (default: UTC timestamp)")


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


def _credentials(value: str | None, env: str, flag: str) -> Credentials | None:
    text = value or os.environ.get(env) or None
    if text is None:
        return None
    try:
        return Credentials.parse(text)
    except ValueError as exc:
        raise pytest.UsageError(f"{flag}: {exc}") from None


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
    )
