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

What keeps the two comparable:

* the same phases (examples and fuzzing; coverage and stateful off on both sides), modes
  (positive and negative) and example budget per operation;
* warm caches on both sides: hypothesis builds its Unicode tables in its home folder on first use
  (about 2 s, inside either side's timed window) and reads them after. Fresh folders made both
  sides pay that in every run, which hid most of the per-case difference. So each side keeps
  one folder for all its runs (the CLI's working directory, the suite's report folder), and
  both folders get the tables before the first run (:func:`warm_caches`, untimed);
* compiled modules kept on both sides: each side's process gets a pycache folder of its own that
  lasts across runs (``PYTHONPYCACHEPREFIX``), with bytecode writing on even where the
  environment turns it off (``PYTHONDONTWRITEBYTECODE``, as on this project's CI machines).
  Without that, pytest rewrote the asserts of every schemathesis module the suite imports
  lazily, inside its timed window, in every run (about 7% of it), while the CLI read the
  bytecode its install compiled;
* the CLI goes on after a failure (``--continue-on-failure``): otherwise the first failing case
  of an operation ends it, and the CLI's own ST202 on an address it generates (which the device
  rejects with 102, and the suite's strict address layer never sends) cut ADD, the costliest
  operation to generate, to one case against the suite's eight;
* the same generator on both sides (:data:`BARE_CONFIG`): the CLI's engine by default fills
  values from a pool of what earlier answers (and its own credentials) held, mixing negative
  data into those draws at 3%, and reshapes schemas after 4xx answers; schemathesis' pytest
  integration, which the suite runs on, does neither. With both on, the CLI sent 139 cases,
  108 of them with pooled values and 16% negative (negative cases cost about four times as
  much to generate), against the suite's 146 with 35% negative; with both off, the CLI sends
  the same 146 cases per run (eight per operation, one for each operation without
  parameters) in about the suite's mix, and both count each case sent once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paircert.plugin.generation import BUDGETS, scaled
from paircert.resources import data_dir

from .progress import Progress
from .report import Target
from .rig import Rig

__all__ = ["GeneratedResult", "Side", "best", "parse_cli_summary", "run_generated", "warm_caches"]

SUITE_TEST = "generated/test_gen_camera_schema.py"
OPENAPI = ("openapi", "camera-pairing.openapi.json")
MAX_PAIRS = 5
SIDE_TIMEOUT_FLOOR = 30.0  # a pytest start alone can take 10 s on a busy machine
WARM_TIMEOUT = 30.0
SUITE_REPORT = "report"
# Where each side's hypothesis keeps its caches: the CLI in its working directory's .hypothesis,
# the suite under its report folder (given as HYPOTHESIS_STORAGE_DIRECTORY, which the plugin
# leaves alone, so the run stays off the user's cache folder).
BARE_HYPOTHESIS_HOME = (".hypothesis",)
SUITE_HYPOTHESIS_HOME = (SUITE_REPORT, "hypothesis")
BARE_CONFIG = """\
# paircert bench generated: the CLI generates from the schema alone, as the pytest integration does
[phases.fuzzing]
extra-data-sources = { responses = false }
error-feedback = { enabled = false }
"""
# Draws one string the way schemathesis does (codec utf-8), which makes hypothesis write its tables.
_WARM = (
    "import sys\n"
    "from hypothesis import find, settings, strategies as st\n"
    "from hypothesis.configuration import set_hypothesis_home_dir\n"
    "set_hypothesis_home_dir(sys.argv[1])\n"
    "find(st.text(st.characters(codec='utf-8'), min_size=1), bool, settings=settings(database=None))\n"
)


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


def _side_env(workdir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """A side's environment: bytecode (pytest's rewritten modules included) cached in the side's
    own folder, kept across runs (see the module docstring)."""
    env = {k: v for k, v in environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def _suite(rig: Rig, workdir: Path, timeout: float) -> Side:
    """One run of the suite's schema test; ``workdir`` is kept across runs (its report folder holds
    hypothesis' caches, see the module docstring)."""
    assert rig.admin is not None
    name = "paircert suite (pytest, Digest, checks + auth probes)"
    suites = data_dir("suites")
    ini = Path(__file__).resolve().parents[1] / "plugin" / "suite.ini"
    report = workdir / SUITE_REPORT
    env = _side_env(workdir, {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")})
    env["PAIRCERT_PASSWORD"] = rig.admin.password
    env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(workdir.joinpath(*SUITE_HYPOTHESIS_HOME))
    run = rig.run
    argv = [
        *(sys.executable, "-m", "pytest", str(suites / SUITE_TEST), "-c", str(ini), "--rootdir", str(suites.parent)),
        *("--confcutdir", str(suites), "--import-mode=importlib", "-p", "no:cacheprovider", "-p", "paircert.plugin"),
        *("-q", "--target", rig.base_url, "--user", rig.admin.username, "--profile", "gate"),
        *("--seed", str(run.seed), "--budget-scale", str(run.budget_scale), "--report-dir", str(report)),
        *(("--ca-file", rig.verify) if isinstance(rig.verify, str) else () if rig.verify else ("--insecure",)),
    ]
    results = report / "results.json"
    results.unlink(missing_ok=True)  # a run that writes none must not be read as the last one's
    try:
        subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        generated = json.loads(results.read_text())["coverage"]["generated"]
    except (subprocess.TimeoutExpired, OSError, ValueError, KeyError) as exc:
        return Side(name, 0, 0.0, f"the suite gave no count: {type(exc).__name__}")
    entry = next((v for k, v in generated.items() if SUITE_TEST in k), None)
    if entry is None:
        return Side(name, 0, 0.0, "the suite's results carry no count for the schema test")
    return Side(name, int(entry["examples"]), float(entry["seconds"]))


def _bare(rig: Rig, workdir: Path, examples: int, timeout: float) -> Side:
    """One CLI run; ``workdir`` is kept across runs (its ``.hypothesis`` holds hypothesis' caches)."""
    assert rig.admin is not None
    url = rig.basic_url
    name = "bare schemathesis CLI (Basic, default checks, no response pool)"
    if url is None:
        return Side(
            name, 0, 0.0, "the CLI speaks Basic only and the target is http:// (Digest): give an https:// target"
        )
    config = workdir / "schemathesis.toml"
    config.write_text(BARE_CONFIG)
    argv = [
        *("schemathesis", "--config-file", str(config), "run", str(data_dir("schemas").joinpath(*OPENAPI))),
        *("--url", url),
        *("--auth", f"{rig.admin.username}:{rig.admin.password}", "--phases", "examples,fuzzing"),
        *("--max-examples", str(examples), "--seed", str(rig.run.seed), "--generation-database", "none", "--no-color"),
        "--continue-on-failure",
        *(("--tls-verify", rig.verify) if isinstance(rig.verify, str) else ("--tls-verify", str(rig.verify).lower())),
    ]
    try:
        env = _side_env(workdir, os.environ)
        proc = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except (subprocess.TimeoutExpired, OSError) as exc:
        return Side(name, 0, 0.0, f"the CLI gave no count: {type(exc).__name__}")
    summary = parse_cli_summary(proc.stdout)
    if summary is None:
        return Side(name, 0, 0.0, "the CLI's summary carries no case count or duration")
    return Side(name, *summary)


def warm_caches(homes: list[Path]) -> None:
    """Fill hypothesis' Unicode tables in each side's home folder before any run is timed; both at
    once, each bounded. A warm-up that fails only leaves that side's first run cold."""
    procs = [
        subprocess.Popen([sys.executable, "-c", _WARM, str(home)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for home in homes
    ]
    for proc in procs:
        try:
            proc.wait(WARM_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
        suite_dir, bare_dir = Path(tmp) / "suite", Path(tmp) / "bare"
        suite_dir.mkdir()
        bare_dir.mkdir()
        progress.phase("hypothesis' caches for both sides")
        warm_caches([suite_dir.joinpath(*SUITE_HYPOTHESIS_HOME), bare_dir.joinpath(*BARE_HYPOTHESIS_HOME)])
        pair_s = 0.0
        while not suites or (time.monotonic() + pair_s < deadline and len(suites) < MAX_PAIRS):
            began = time.monotonic()
            progress.phase(f"the suite's generated schema test (run {len(suites) + 1})")
            suites.append(_suite(rig, suite_dir, max(SIDE_TIMEOUT_FLOOR, budget_s / 2)))
            progress.phase(f"bare schemathesis run (run {len(bares) + 1})")
            bares.append(_bare(rig, bare_dir, examples, max(SIDE_TIMEOUT_FLOOR, budget_s / 2)))
            pair_s = time.monotonic() - began
    return GeneratedResult(best(suites), best(bares), examples)
