"""``paircert restore --journal FILE``: finish a restore that a crash of the tester machine cut short.

The journal names the device, the admin user and what the device held; the password comes from
``--password`` or ``PAIRCERT_PASSWORD`` as for ``paircert run``, and so do the restore passwords.
Exit codes: 0 the device holds what the journal's snapshot says (put back now, earlier, or never
removed); 2 a wrong option, a missing password or a file that is not a restore journal; 3 the
device cannot be reached or refuses the admin; 4 it is not an Axis device; 6 the restore did not
verify (each difference is printed; run it again once the cause is fixed).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from urllib.parse import urlsplit

from paircert.clients.http import Credentials, open_client
from paircert.clients.preflight import PreflightError, preflight
from paircert.clients.traffic import Traffic
from paircert.clients.transcript import Transcript
from paircert.plugin.options import (
    PASSWORD_ENV,
    RESTORE_PASSWORD_ENV,
    RESTORE_RADAR_PASSWORD_ENV,
    RUN_OPTIONS,
    RunConfigError,
    read_run_config,
)
from paircert.restore.device import open_device
from paircert.restore.interrupts import hold_interrupts
from paircert.restore.journal import Journal, JournalError
from paircert.restore.outcome import EXIT_NOT_VERIFIED, PREFIX
from paircert.restore.restorer import RestorePasswords, restore
from paircert.usage import EXIT_USAGE, CliError

__all__ = ["add_arguments", "run"]

HELP = {
    "--target": "the device's URL (default: the journal's)",
    "--user": "admin user name (default: the journal's)",
    "--password": f"admin password; prefer the {PASSWORD_ENV} environment variable",
    "--restore-password": f"the camera pairing's password, to add it back (or {RESTORE_PASSWORD_ENV})",
    "--restore-radar-password": f"the radar configuration's password, to set it again (or {RESTORE_RADAR_PASSWORD_ENV})",
    "--ca-file": "CA certificate (PEM) to trust for an https target",
    "--insecure": "do not verify the target's TLS certificate",
}
TRAFFIC = ("--max-rps", "--request-timeout", "--retries")
"""The run's traffic options, which a restore takes with ``paircert run``'s help and defaults."""
"""The options of ``paircert run`` a restore takes (flags, names and variables from :data:`RUN_OPTIONS`)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--journal", required=True, metavar="FILE", help="the run's restore-journal.json")
    for option in RUN_OPTIONS:
        if option.flag in HELP:
            arguments = {**option.arguments(), "help": HELP[option.flag]}
            if not option.switch:
                arguments["default"] = None
            parser.add_argument(option.flag, **arguments)
        elif option.flag in TRAFFIC:
            parser.add_argument(option.flag, **option.arguments())


def _given(args: argparse.Namespace, dest: str) -> str | None:
    value = getattr(args, dest, None)
    option = next(o for o in RUN_OPTIONS if o.dest == dest)
    if not value and option.env is not None:
        value = os.environ.get(option.env)
    return str(value) if value else None


def _verify(args: argparse.Namespace) -> bool | str:
    ca_file = getattr(args, "paircert_ca_file", None)
    if ca_file is not None and not Path(ca_file).is_file():
        raise CliError(f"--ca-file: no such file: {ca_file}", EXIT_USAGE)
    if getattr(args, "paircert_insecure", False):
        return False
    return str(Path(ca_file).resolve()) if ca_file else True


def _traffic(args: argparse.Namespace) -> Traffic:
    """One pace, request timeout and retry rule for preflight and the restore, checked by the run's
    one reader as ``paircert run`` checks them."""
    values = {option.dest: getattr(args, option.dest, None) for option in RUN_OPTIONS if option.flag in TRAFFIC}
    try:
        settings = read_run_config(values, {})
    except RunConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    return Traffic.from_settings(settings.max_rps, settings.request_timeout, settings.retries)


def run(args: argparse.Namespace) -> int:
    try:
        journal = Journal.read(Path(args.journal))
    except JournalError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    target = _given(args, "paircert_target") or journal.target
    if urlsplit(target).scheme not in ("http", "https"):
        raise CliError(f"--target: expected http://HOST[:PORT] or https://HOST[:PORT], got {target!r}", EXIT_USAGE)
    password = _given(args, "paircert_password")
    if password is None:
        raise CliError(f"the admin password is needed: set {PASSWORD_ENV} (or pass --password)", EXIT_USAGE)
    admin = Credentials(_given(args, "paircert_user") or journal.user, password)
    verify = _verify(args)
    passwords = RestorePasswords(
        _given(args, "paircert_restore_password"), _given(args, "paircert_restore_radar_password")
    )
    traffic = _traffic(args)
    try:
        preflight(target, admin, verify=verify, timeout=traffic.request_timeout, traffic=traffic)
    except PreflightError as exc:
        raise CliError(str(exc), exc.exit_code) from None
    transcript = Transcript()
    with open_client(target, admin, verify=verify, transcript=transcript, traffic=traffic) as client:
        device = open_device(client, transcript, set_method=journal.set_method, radar_path=journal.radar_path)
        print(f"{PREFIX}{journal.path}: {len(journal.steps)} step(s) done before; restoring {target}", flush=True)
        with hold_interrupts("restoring the device"):
            outcome = restore(device, journal, passwords)
    print("\n".join(outcome.lines()))
    return 0 if outcome.verified else EXIT_NOT_VERIFIED
