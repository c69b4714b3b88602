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
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from paircert.clients.preflight import PreflightError
from paircert.plugin.options import RUN_OPTIONS, RunConfigError, read_run_config
from paircert.plugin.peering import PeersUnavailable
from paircert.usage import EXIT_USAGE

from .api import DEFAULT_CONCURRENCY, run_api
from .generated import run_generated
from .latency import LatencyBudget, run_latency
from .pairing import BenchBlocked
from .progress import Progress
from .radar import DEFAULT_LATENCY_LIMIT_MS, run_radar
from .report import BenchResult, Kind, document, write
from .rig import Rig

__all__ = ["add_arguments", "run"]

EXIT_TARGET = 3
SWITCH_INTERVAL = 0.0005
"""The device, the peers and the readers share this process: a busy thread may otherwise hold the
others off for CPython's default 5 ms, which would show up as latency that no network adds."""

BENCHMARKS: dict[str, tuple[str, float]] = {
    "latency": ("stream latency added by the device over the direct peer path, with calibration", 30.0),
    "radar": ("highest zero-loss radar metadata rate through the device and directly", 50.0),
    "api": ("request latency and throughput per operation against a bare HTTP app", 30.0),
    "generated": ("generated cases per second of the suite against a bare schemathesis run", 60.0),
}
Runner = Callable[[Rig, argparse.Namespace, Progress], BenchResult]
RUNNERS: dict[str, Runner] = {
    "latency": lambda rig, args, progress: run_latency(rig, LatencyBudget(args.duration), progress),
    "radar": lambda rig, args, progress: run_radar(
        rig, args.duration, progress, latency_limit_ms=args.latency_limit_ms
    ),
    "api": lambda rig, args, progress: run_api(rig, args.duration, progress, concurrency=args.concurrency),
    "generated": lambda rig, args, progress: run_generated(rig, args.duration, progress),
}


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
            if option.cli:
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
        config = read_run_config(vars(args), os.environ)
    except RunConfigError as exc:
        return _fail(str(exc), EXIT_USAGE)
    out = Path(args.out) if args.out else Path("reports") / "bench" / config.run_id
    progress = Progress(args.duration)
    started, began = datetime.now(UTC), time.perf_counter()
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        with Rig(config) as rig:
            target_url, embedded = rig.base_url, rig.embedded
            try:
                result: BenchResult | None = RUNNERS[kind](rig, args, progress)
                blocked = None
            except (BenchBlocked, PeersUnavailable) as exc:
                result, blocked = None, str(exc)
    except PreflightError as exc:
        return _fail(str(exc), EXIT_TARGET)
    finally:
        sys.setswitchinterval(previous)
        progress.done()
    plots = result.plots(out) if result is not None else []
    doc = document(
        kind,
        target_url=target_url,
        embedded=embedded,
        run_id=config.run_id,
        started=started,
        seconds=time.perf_counter() - began,
        budget_s=args.duration,
        result=result,
        plots=plots,
        blocked=blocked,
    )
    path = write(Path(args.json) if args.json else out / f"{kind}.json", doc)
    print(f"paircert bench {kind}: {doc['seconds']} s against {doc['target']['url']}")
    if blocked:
        print(f"  blocked: {blocked}")
    calibration = doc["calibration"]
    if calibration is not None:
        print(
            f"  calibration ({calibration['delay_ms']:g} ms delay): {'passed' if calibration['passed'] else 'FAILED'}"
        )
    print(f"  headline: {json.dumps(doc['headline'])}")
    for target in result.targets() if result is not None else []:
        print(f"  {target.line()}")
    print(f"  result: {path}")
    for plot in plots:
        print(f"  plot: {plot}")
    return 0
