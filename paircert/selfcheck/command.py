"""``paircert selfcheck``: run the suite against the emulator once clean and once per seeded fault.

The kill rate is reported, not judged: the command exits 0 whenever it produced the matrix,
whatever the rate. It exits 1 when the machinery failed: the clean run did not complete (then no
fault is run, because nothing could be compared with it) or a fault's run timed out or crashed
(the matrix is still written, with that fault as ``error``). A clean run that completes with
failing tests is not a machinery failure: those tests are set aside for every fault and named
in the summary, because the suite's rule is to judge a fault by the failures it adds.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from paircert.plugin.options import PROFILES
from paircert.selfcheck.matrix import CatalogueEntry, FaultResult, RunOutcome, judge, ordered
from paircert.selfcheck.report import Selfcheck, summary_lines
from paircert.selfcheck.runs import EMULATOR_VARIANTS, RunSpec, execute
from paircert.usage import EXIT_USAGE, CliError

__all__ = ["DEFAULT_TIMEOUT", "add_arguments", "run"]

DEFAULT_TIMEOUT = 900.0
"""Seconds one run may take: a gate run takes about a minute on two cores, a full run several."""
CLEAN = "clean"
EXIT_INFRASTRUCTURE = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--faults",
        metavar="A,B,...",
        help="only these catalogue faults (default: all; paircert emulator --list-faults)",
    )
    parser.add_argument(
        "--profile", choices=tuple(PROFILES), default="gate", help="the suite profile of every run (default gate)"
    )
    parser.add_argument("--json", metavar="FILE", help="write the kill matrix here (schemas/selfcheck/result.json)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="runs at a time (default: the CPU count)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds each run may take before it is stopped (default {DEFAULT_TIMEOUT:.0f})",
    )
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="pass this pytest -k expression to every run")
    parser.add_argument(
        "--runs-dir", metavar="DIR", help="keep every run's report and output here (default: a temporary folder)"
    )


def _selected(catalogue: dict[str, CatalogueEntry], names: str | None) -> list[CatalogueEntry]:
    if names is None:
        return list(catalogue.values())
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    if not wanted:
        raise CliError("--faults: give at least one fault name", EXIT_USAGE)
    unknown = [name for name in wanted if name not in catalogue]
    if unknown:
        raise CliError(
            f"--faults: unknown fault {', '.join(unknown)} (see 'paircert emulator --list-faults')", EXIT_USAGE
        )
    return [catalogue[name] for name in dict.fromkeys(wanted)]


def _command(args: argparse.Namespace) -> str:
    words = ["paircert", "selfcheck", "--profile", args.profile]
    if args.faults is not None:
        words += ["--faults", args.faults]
    if args.keyword:
        words += ["-k", args.keyword]
    return shlex.join(words)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM ends the runs as Ctrl-C does (the runs live in sessions of their own)."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress(done: int, total: int, label: str, text: str) -> None:
    print(f"selfcheck: [{done}/{total}] {label}: {text}", file=sys.stderr, flush=True)


def _told(outcome: RunOutcome) -> str:
    if outcome.status == "completed":
        return f"{len(outcome.failures)} failing tests in {outcome.duration:.0f} s"
    return f"{outcome.status} (exit {outcome.exit_code}) after {outcome.duration:.0f} s"


def _variant(fault: CatalogueEntry) -> str | None:
    """The emulator variant a fault runs on (None: the default emulator)."""
    return fault.needs if fault.needs in EMULATOR_VARIANTS else None


def _clean_label(variant: str | None) -> str:
    return CLEAN if variant is None else f"{CLEAN}-{variant}"


def _collect(
    faults: Sequence[CatalogueEntry], args: argparse.Namespace, work_dir: Path
) -> tuple[dict[str | None, RunOutcome], list[FaultResult]]:
    """Every fault's run judged against the clean run of the same emulator variant.

    The default emulator's clean run always happens; a variant's (the 2026-01 radar revision) only
    when a selected fault needs it. The clean runs go first, and one that does not complete stops
    everything: nothing could be compared with it."""
    variants = [None, *sorted({variant for fault in faults if (variant := _variant(fault)) is not None})]
    cleans = {
        _clean_label(variant): RunSpec(_clean_label(variant), (), EMULATOR_VARIANTS.get(variant or "", ()))
        for variant in variants
    }
    specs = [
        *cleans.values(),
        *(RunSpec(fault.name, (fault.name,), EMULATOR_VARIANTS.get(fault.needs or "", ())) for fault in faults),
    ]
    outcomes: dict[str, RunOutcome] = {}
    runs = execute(
        specs, profile=args.profile, keyword=args.keyword, jobs=args.jobs, timeout=args.timeout, work_dir=work_dir
    )
    try:
        for spec, outcome in runs:
            outcomes[spec.label] = outcome
            _progress(len(outcomes), len(specs), spec.label, _told(outcome))
            if spec.label in cleans and outcome.status != "completed":
                raise CliError(
                    f"the {spec.label} run did not complete ({outcome.status}, exit {outcome.exit_code}): "
                    f"{outcome.detail}",
                    EXIT_INFRASTRUCTURE,
                )
    finally:
        runs.close()
    clean = {variant: outcomes[_clean_label(variant)] for variant in variants}
    return clean, ordered(judge(fault, outcomes[fault.name], clean[_variant(fault)]) for fault in faults)


def run(args: argparse.Namespace) -> int:
    from paircert.emulator.faults import catalogue

    if args.jobs < 1:
        raise CliError("--jobs: expected at least 1", EXIT_USAGE)
    if args.timeout <= 0:
        raise CliError("--timeout: expected a positive number of seconds", EXIT_USAGE)
    entries: dict[str, CatalogueEntry] = dict(catalogue())
    faults = _selected(entries, args.faults)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with ExitStack() as stack:
        if args.runs_dir:
            work_dir = Path(args.runs_dir).resolve()
            work_dir.mkdir(parents=True, exist_ok=True)
        else:
            work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="paircert-selfcheck-")))
        stack.enter_context(_terminate_as_interrupt())
        cleans, results = _collect(faults, args, work_dir)
    check = Selfcheck(
        profile=args.profile,
        keyword=args.keyword,
        command=_command(args),
        catalogue_size=len(entries),
        jobs=args.jobs,
        timeout=args.timeout,
        started=started,
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        clean=cleans[None],
        variant_cleans={variant: outcome for variant, outcome in cleans.items() if variant is not None},
        results=results,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(check.to_dict(), indent=2) + "\n", encoding="utf-8")
    print("\n".join(summary_lines(check)))
    return EXIT_INFRASTRUCTURE if any(result.verdict == "error" for result in results) else 0
