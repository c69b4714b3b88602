"""``paircert bench generated``: the suite's generated cases per second against a bare ``schemathesis run``.

Both run in the same invocation against the same target and the same OpenAPI file
(``schemas/openapi/camera-pairing.openapi.json``), fuzzing with the same example budget per
operation (the gate profile's, times ``--budget-scale``). The suite side is
``suites/generated/test_gen_camera_schema.py`` run by pytest with ``--target``; its examples and
seconds come from ``results.json`` (the plugin counts them around the test bodies). The bare side's
cases and seconds are what the schemathesis CLI's own summary says, so neither side pays for its
process start. The two run in turns, as often as the time budget allows, and each side's fastest
run counts. The CLI speaks Basic only (PROTOCOL-NOTES §5): it is pointed at the emulator's
HTTPS port, where the emulator asks for Basic, and against a device at ``--target`` as given.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paircert.plugin.generation import BUDGETS, scaled
from paircert.resources import data_dir

from .progress import Progress
from .report import Target
from .rig import Rig

__all__ = ["GeneratedResult", "Side", "best", "parse_cli_summary", "run_generated"]

SUITE_TEST = "generated/test_gen_camera_schema.py"
OPENAPI = ("openapi", "camera-pairing.openapi.json")
MAX_PAIRS = 5
SIDE_TIMEOUT_FLOOR = 30.0  # a pytest start alone can take 10 s on a busy machine


@dataclass(frozen=True)
class Side:
    name: str
    cases: int
    seconds: float
    reason: str | None = None
    runs_per_s: tuple[float, ...] = ()

    @property
    def per_second(self) -> float:
        return self.cases / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cases": self.cases,
            "seconds": round(self.seconds, 3),
            "cases_per_s": round(self.per_second, 2),
            "runs_cases_per_s": list(self.runs_per_s),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class GeneratedResult:
    suite: Side
    bare: Side
    examples_per_operation: int

    def to_json(self) -> dict[str, Any]:
        measured = self.suite.per_second > 0 and self.bare.per_second > 0
        ratio = self.suite.per_second / self.bare.per_second if measured else None
        return {
            "examples_per_operation": self.examples_per_operation,
            "suite": self.suite.to_json(),
            "bare": self.bare.to_json(),
            "ratio_to_bare": None if ratio is None else round(ratio, 3),
        }

    calibration = None

    def headline(self) -> dict[str, Any]:
        return {"ratio_to_bare": self.to_json()["ratio_to_bare"]}

    def targets(self) -> list[Target]:
        return [Target("generated cases/s over bare schemathesis", ">=", 1.0, self.headline()["ratio_to_bare"])]

    def plots(self, folder: Path) -> list[Path]:
        return []


def parse_cli_summary(stdout: str) -> tuple[int, float] | None:
    """Cases and seconds from the CLI's summary ("Test cases: 132 generated, ..." and "... in 4.01s ===")."""
    cases = re.search(r"(\d+) generated", stdout)
    seconds = re.search(r" in (\d+(?:\.\d+)?)s =+\s*$", stdout, re.MULTILINE)
    if cases is None or seconds is None:
        return None
    return int(cases.group(1)), float(seconds.group(1))


def _suite(rig: Rig, workdir: Path, timeout: float) -> Side:
    assert rig.admin is not None
    name = "paircert suite (pytest, Digest, checks + auth probes)"
    suites = data_dir("suites")
    ini = Path(__file__).resolve().parents[1] / "plugin" / "suite.ini"
    report = workdir / "suite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env["PAIRCERT_PASSWORD"] = rig.admin.password
    run = rig.run
    argv = [
        *(sys.executable, "-m", "pytest", str(suites / SUITE_TEST), "-c", str(ini), "--rootdir", str(suites.parent)),
        *("--confcutdir", str(suites), "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "paircert.plugin"),
        *("-q", "--target", rig.base_url, "--user", rig.admin.username, "--profile", "gate"),
        *("--seed", str(run.seed), "--budget-scale", str(run.budget_scale), "--report-dir", str(report)),
        *(("--ca-file", rig.verify) if isinstance(rig.verify, str) else () if rig.verify else ("--insecure",)),
    ]
    try:
        subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        generated = json.loads((report / "results.json").read_text())["coverage"]["generated"]
    except (subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
        return Side(name, 0, 0.0, f"the suite gave no count: {type(exc).__name__}")
    entry = next((v for k, v in generated.items() if SUITE_TEST in k), None)
    if entry is None:
        return Side(name, 0, 0.0, "the suite's results carry no count for the schema test")
    return Side(name, int(entry["examples"]), float(entry["seconds"]))


def _bare(rig: Rig, workdir: Path, examples: int, timeout: float) -> Side:
    assert rig.admin is not None
    url = rig.basic_url
    name = "bare schemathesis CLI (Basic, default checks)"
    if url is None:
        return Side(
            name, 0, 0.0, "the CLI speaks Basic only and the target is http:// (Digest): give an https:// target"
        )
    argv = [
        *("schemathesis", "run", str(data_dir("schemas").joinpath(*OPENAPI)), "--url", url),
        *("--auth", f"{rig.admin.username}:{rig.admin.password}", "--phases", "examples,fuzzing"),
        *("--max-examples", str(examples), "--seed", str(rig.run.seed), "--generation-database", "none", "--no-color"),
        *(("--tls-verify", rig.verify) if isinstance(rig.verify, str) else ("--tls-verify", str(rig.verify).lower())),
    ]
    try:
        proc = subprocess.run(argv, cwd=workdir, capture_output=True, text=True, timeout=timeout, check=False)
    except (subprocess.TimeoutExpired, OSError) as exc:
        return Side(name, 0, 0.0, f"the CLI gave no count: {type(exc).__name__}")
    summary = parse_cli_summary(proc.stdout)
    if summary is None:
        return Side(name, 0, 0.0, "the CLI's summary carries no case count or duration")
    return Side(name, *summary)


def best(runs: list[Side]) -> Side:
    """The fastest counted run of a side (as timeit takes the minimum: load from elsewhere on the
    machine only ever slows a run down); the first run's reason when none counted."""
    counted = [run for run in runs if run.reason is None and run.seconds > 0]
    if not counted:
        return runs[0]
    fastest = max(counted, key=lambda run: run.per_second)
    return Side(fastest.name, fastest.cases, fastest.seconds, None, tuple(round(r.per_second, 2) for r in counted))


def run_generated(rig: Rig, budget_s: float, progress: Progress) -> GeneratedResult:
    """Suite and bare CLI in turns, while the time budget allows another pair (at least one pair);
    each side reports its fastest run. A side cut short by its timeout says why, with no count."""
    examples = scaled(BUDGETS["gate"], rig.run.budget_scale).operation_examples
    deadline = time.monotonic() + budget_s
    suites: list[Side] = []
    bares: list[Side] = []
    with tempfile.TemporaryDirectory(prefix="paircert-bench-generated-") as tmp:
        pair_s = 0.0
        while not suites or (time.monotonic() + pair_s < deadline and len(suites) < MAX_PAIRS):
            began = time.monotonic()
            workdir = Path(tmp) / str(len(suites))
            workdir.mkdir()
            progress.phase(f"the suite's generated schema test (run {len(suites) + 1})")
            suites.append(_suite(rig, workdir, max(SIDE_TIMEOUT_FLOOR, budget_s / 2)))
            progress.phase(f"bare schemathesis run (run {len(bares) + 1})")
            bares.append(_bare(rig, workdir, examples, max(SIDE_TIMEOUT_FLOOR, budget_s / 2)))
            pair_s = time.monotonic() - began
    return GeneratedResult(best(suites), best(bares), examples)
