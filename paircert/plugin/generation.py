"""Budgets, seeds and hypothesis settings for generated tests (schemathesis and hypothesis).

One run seed (``--seed``, fixed by default) gives every generated test a seed of its own, derived
from the run seed and the test's node id, so ``--seed N`` replays a whole run and each test still
explores different data. The example database lives under the report folder (never in the
repository) and is off when the run has no report folder; hypothesis' caches (its Unicode tables,
about 2 s to build, and the constants it mines from local modules) live in a per-user cache folder
that lasts across runs (:func:`use_run_folders`). Budgets are example counts per profile:
the gate profile's generated suites finish well under a minute against the emulator on 2 cores;
the certification profile's are four times full's.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from paircert.plugin.session import STATE_KEY

__all__ = ["BUDGETS", "PROFILE", "Budget", "Generation", "generation", "hypothesis_cache_dir", "use_run_folders"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Budget:
    """Example counts of one profile.

    ``operation_examples``: schemathesis examples per operation and generation mode;
    ``links_scenarios``/``links_steps``: schemathesis' stateful run over the OpenAPI links;
    ``machine_runs``/``machine_steps``: each hypothesis rule-based state machine;
    ``property_examples``: each plain property test (per radar method, per field ...);
    ``coverage_phase``: whether schemathesis also runs its deterministic coverage phase (boundary
    values, undeclared methods), which costs several times the fuzzing budget.
    """

    operation_examples: int
    links_scenarios: int
    links_steps: int
    machine_runs: int
    machine_steps: int
    property_examples: int
    coverage_phase: bool = False


BUDGETS: dict[str, Budget] = {
    "gate": Budget(
        operation_examples=8, links_scenarios=10, links_steps=8, machine_runs=25, machine_steps=30, property_examples=25
    ),
    "full": Budget(
        operation_examples=20,
        links_scenarios=20,
        links_steps=12,
        machine_runs=50,
        machine_steps=40,
        property_examples=60,
    ),
}
BUDGETS["read-only"] = BUDGETS["gate"]
BUDGETS["certification"] = Budget(
    operation_examples=80,
    links_scenarios=80,
    links_steps=16,
    machine_runs=200,
    machine_steps=50,
    property_examples=240,
    coverage_phase=True,
)
"""Four times full's examples, longer stateful runs and schemathesis' coverage phase: a budget to stand
behind in a declaration (it multiplies the generated tests only; the other tests run once, as in full)."""
COVERAGE_PHASE_SCALE = 4.0
"""From this ``--budget-scale`` on, schemathesis' coverage phase runs too (it costs several fuzzing budgets)."""


def scaled(budget: Budget, factor: float) -> Budget:
    """``budget`` with every example count multiplied by ``factor`` (``--budget-scale``); steps stay."""
    if factor == 1:
        return budget

    def times(n: int) -> int:
        return max(1, round(n * factor))

    return Budget(
        operation_examples=times(budget.operation_examples),
        links_scenarios=times(budget.links_scenarios),
        links_steps=budget.links_steps,
        machine_runs=times(budget.machine_runs),
        machine_steps=budget.machine_steps,
        property_examples=times(budget.property_examples),
        coverage_phase=budget.coverage_phase or factor >= COVERAGE_PHASE_SCALE,
    )


# Phase.explain traces every line while it replays a failure: minutes against a network target.
_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
_HEALTH = [
    HealthCheck.too_slow,
    HealthCheck.filter_too_much,
    HealthCheck.data_too_large,
    HealthCheck.function_scoped_fixture,
]


@dataclass
class _Measure:
    count: int = 0


@dataclass
class Generation:
    """What a generated test needs to be reproducible and bounded (the ``generation`` fixture)."""

    nodeid: str
    run_seed: int
    profile: str
    budget: Budget
    database: ExampleDatabase | None
    report: Callable[[str, int, float], None] = field(repr=False)

    @property
    def seed(self) -> int:
        """This test's seed: the run seed mixed with the node id (stable across runs and machines)."""
        return (self.run_seed ^ zlib.crc32(self.nodeid.encode("utf-8"))) & 0xFFFFFFFF

    def settings(self, *, max_examples: int | None = None, steps: int | None = None) -> hypothesis.settings:
        return hypothesis.settings(
            max_examples=max_examples if max_examples is not None else self.budget.property_examples,
            stateful_step_count=steps if steps is not None else self.budget.machine_steps,
            deadline=None,
            database=self.database,
            derandomize=False,
            print_blob=False,
            report_multiple_bugs=False,
            suppress_health_check=_HEALTH,
            phases=_PHASES if self.database is not None else tuple(p for p in _PHASES if p is not Phase.reuse),
        )

    def seeded(self, test: F) -> F:
        """Apply this test's seed to a ``@given`` function or a state machine factory."""
        return hypothesis.seed(self.seed)(test)

    @contextmanager
    def measure(self) -> Iterator[_Measure]:
        """Count examples (``m.count += 1``) and time them; the report prints examples per second."""
        measured = _Measure()
        started = time.perf_counter()
        try:
            yield measured
        finally:
            self.report(self.nodeid, measured.count, time.perf_counter() - started)


def _database(report_dir: Path | None) -> ExampleDatabase | None:
    if report_dir is None:
        return None
    return DirectoryBasedExampleDatabase(str(report_dir / "hypothesis" / "examples"))


PROFILE = "paircert"
"""The hypothesis settings profile a run loads: the current one with the run's example database, so
a ``@given`` test that does not ask :class:`Generation` for its settings saves there too."""
STORAGE_ENV = "HYPOTHESIS_STORAGE_DIRECTORY"


def hypothesis_cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Hypothesis' home for paircert runs: ``$XDG_CACHE_HOME/paircert/hypothesis``, or
    ``~/.cache/paircert/hypothesis`` (the XDG specification ignores a relative ``XDG_CACHE_HOME``)."""
    base = environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "paircert" / "hypothesis"


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def use_run_folders(report_dir: Path | None) -> str | None:
    """Point hypothesis at the run's folders; with a report folder, load :data:`PROFILE` and return
    the profile loaded before (the caller loads it back when the run ends: pytest may run
    in-process, inside another session). Without one, hypothesis' default database stays.

    The caches go to :func:`hypothesis_cache_dir`, so only the first run on a machine builds them,
    and never into a ``.hypothesis/`` wherever the user happened to run paircert; where that folder
    cannot be made they go to the report folder (each run then builds them again), and with neither
    hypothesis keeps its own default. A ``HYPOTHESIS_STORAGE_DIRECTORY`` the user set wins over all.
    """
    if not os.environ.get(STORAGE_ENV):
        fallback = [report_dir / "hypothesis"] if report_dir is not None else []
        home = next((folder for folder in [hypothesis_cache_dir(), *fallback] if _usable(folder)), None)
        if home is not None:
            set_hypothesis_home_dir(home)
    if report_dir is None:
        return None
    previous = hypothesis.settings.get_current_profile_name()
    hypothesis.settings.register_profile(
        PROFILE, hypothesis.settings.get_profile(previous), database=_database(report_dir)
    )
    hypothesis.settings.load_profile(PROFILE)
    return previous


@pytest.fixture
def generation(request: pytest.FixtureRequest) -> Generation:
    """Seed, budget and settings for this generated test (see :class:`Generation`)."""
    state = request.config.stash[STATE_KEY]
    run = state.run
    return Generation(
        nodeid=request.node.nodeid,
        run_seed=run.seed,
        profile=run.profile,
        budget=scaled(BUDGETS[run.profile], run.budget_scale),
        database=_database(run.report_dir),
        report=state.coverage.add_examples,
    )
