"""``paircert bench latency|radar|api|generated``: the arguments and the run of one benchmark.

Each benchmark takes the options of ``paircert run`` from the plugin's one table
(:data:`paircert.plugin.options.RUN_OPTIONS`), read by its one reader into a ``RunConfig``, plus
a time budget. It writes its result document (validated against ``schemas/bench/result.json``)
and its SVG plots, prints the headline figures against their targets, and exits 0 whatever the
figures are: a benchmark measures, it does not judge.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from paircert.clients.preflight import PreflightError
from paircert.plugin.options import RUN_OPTIONS, RunConfigError, read_run_config
from paircert.usage import EXIT_USAGE

from .api import DEFAULT_CONCURRENCY
from .measure import BENCHMARKS, Settings, measure
from .radar import DEFAULT_LATENCY_LIMIT_MS
from .report import Kind
from .rig import Rig

__all__ = ["add_arguments", "run"]

EXIT_TARGET = 3
RUN_ONLY = frozenset(
    {
        "paircert_baseline",
        "paircert_claims",
        "paircert_bench",
        "paircert_bench_duration",
        "paircert_restart_command",
        "paircert_restart_timeout",
        "paircert_allow_destructive",
        "paircert_restore_password",
        "paircert_restore_radar_password",
    }
)
"""Run options that mean nothing to a benchmark: a comparison with an earlier run, the claims of a
certification, the benchmarks a run includes, the restart of the persistence tests, and vacating a
device in use. A benchmark pairs and configures the device itself, so on a device that already holds
a pairing or a radar configuration it is blocked and says so; it never removes what it did not make."""
_RUN_ONLY_ENV = frozenset(option.env for option in RUN_OPTIONS if option.dest in RUN_ONLY and option.env)


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    kinds = parser.add_subparsers(dest="benchmark", required=True, parser_class=type(parser))
    for kind, (help_text, duration) in BENCHMARKS.items():
        sub = kinds.add_parser(kind, help=help_text, description=f"Measure the {help_text}.")
        for option in RUN_OPTIONS:
            if option.cli and option.dest not in RUN_ONLY:
                sub.add_argument(option.flag, **option.arguments())
        sub.add_argument(
            "--duration",
            type=_positive,
            default=duration,
            metavar="SECONDS",
            help=f"time budget of the measurement; it stops by itself (default {duration:g})",
        )
        sub.add_argument("--json", metavar="FILE", help="write the result here (default OUT/<benchmark>.json)")
        sub.add_argument("--out", metavar="DIR", help="plots and the result go here (default reports/bench/<run-id>)")
        if kind == "radar":
            sub.add_argument(
                "--latency-limit-ms",
                type=_positive,
                default=DEFAULT_LATENCY_LIMIT_MS,
                metavar="MS",
                help=f"a step whose p99 latency passes this does not hold (default {DEFAULT_LATENCY_LIMIT_MS:g})",
            )
        if kind == "api":
            sub.add_argument(
                "--concurrency",
                type=int,
                default=DEFAULT_CONCURRENCY,
                metavar="N",
                help=f"concurrent clients per operation (default {DEFAULT_CONCURRENCY})",
            )


def _fail(message: str, code: int) -> int:
    print(f"paircert: error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    kind: Kind = args.benchmark
    try:
        # A variable exported for paircert run (a restart command, restore passwords) is not the bench's.
        config = read_run_config(vars(args), {k: v for k, v in os.environ.items() if k not in _RUN_ONLY_ENV})
    except RunConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    out = Path(args.out) if args.out else Path("reports") / "bench" / config.run_id
    settings = Settings(
        duration=args.duration,
        latency_limit_ms=getattr(args, "latency_limit_ms", DEFAULT_LATENCY_LIMIT_MS),
        concurrency=getattr(args, "concurrency", DEFAULT_CONCURRENCY),
    )
    try:
        with Rig(config) as rig:
            measured = measure(kind, rig, settings, out=out, json_path=Path(args.json) if args.json else None)
    except PreflightError as exc:
        return _fail(str(exc), EXIT_TARGET)
    doc = measured.doc
    print(f"paircert bench {kind}: {doc['seconds']} s against {doc['target']['url']}")
    if doc["blocked"]:
        print(f"  blocked: {doc['blocked']}")
    calibration = doc["calibration"]
    if calibration is not None:
        print(
            f"  calibration ({calibration['delay_ms']:g} ms delay): {'passed' if calibration['passed'] else 'FAILED'}"
        )
    print(f"  headline: {json.dumps(doc['headline'])}")
    for target in measured.result.targets() if measured.result is not None else []:
        print(f"  {target.line()}")
    print(f"  result: {measured.path}")
    for plot in measured.plots:
        print(f"  plot: {plot}")
    return 0
