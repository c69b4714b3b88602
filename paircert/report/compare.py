"""Two runs side by side: what a firmware CI gate and a vendor's change log need from results.json.

A *regression* is a test the baseline judged good (pass or observed) that the result judges bad:
it failed, or it was blocked. Blocked counts because a blocked test is one the run could no
longer vouch for: either a setup step failed on the device (the dependants are blocked by that
failure) or the rig lost a precondition, and a gate wants to hear about both. The reverse is a
*fix*. Every other change of verdict (to or from not-applicable, not run, pass to observed) is
listed as *changed* and decides nothing.

The *fingerprint* is what the device did where the documents are silent: every ``observed:`` key
the tests recorded, with its value. A key gone from the result counts only when a test that
recorded it in the baseline was judged again and did not record it, so running a subset does not
make the device look changed (a test that failed or was blocked may have stopped before it). Benchmark figures (the generated tests' examples per second) are
compared against a relative tolerance; they are reported, never a regression, since a gate on a
shared machine should not fail on timing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from paircert import schemas
from paircert.report.page import plain_reason

__all__ = [
    "COMPARISON_FORMAT",
    "COMPARISON_SCHEMA",
    "DEFAULT_TOLERANCE",
    "RESULTS_SCHEMA",
    "BenchmarkChange",
    "Comparison",
    "ObservedChange",
    "ResultsFileError",
    "TestChange",
    "compare",
    "read_results",
    "summary_lines",
]

RESULTS_SCHEMA = "results/results"
COMPARISON_SCHEMA = "results/comparison"
COMPARISON_FORMAT = "paircert-comparison/1"
DEFAULT_TOLERANCE = 0.10
NOT_RUN = "not run"
_GOOD = ("pass", "observed")
_BAD = ("fail", "blocked")
_IDS_SHOWN = 4
# What identifies a run, as (label, where it is in results.json's "run").
_IDENTITY = (
    ("model", ("device", "ProdNbr")),
    ("firmware", ("device", "Version")),
    ("serial", ("device", "SerialNumber")),
    ("target", ("target_url",)),
    ("profile", ("profile",)),
    ("seed", ("seed",)),
    ("suite", ("suite_version",)),
    ("run", ("run_id",)),
)
_MUST_MATCH = ("profile", "seed", "suite")


class ResultsFileError(ValueError):
    """A file that is not a results.json this paircert can read; ``str()`` is one line."""


def read_results(path: Path) -> dict[str, Any]:
    """The results.json document at ``path``, checked against its schema before anyone reads it."""
    document = schemas.read_document(path, RESULTS_SCHEMA, "results.json", ResultsFileError)
    if not isinstance(document, dict):  # the schema says so; this tells the type checker
        raise ResultsFileError(f"{path}: not a JSON object")
    return document


@dataclass(frozen=True)
class TestChange:
    """One test's state in each run: a verdict, ``not run``, or None when the run lacks the test."""

    nodeid: str
    old: str | None
    new: str | None
    requirements: list[str]
    reason: str | None = None


@dataclass(frozen=True)
class ObservedChange:
    """One fingerprint key: the distinct values each run recorded ([] when it recorded none)."""

    key: str
    old: list[Any]
    new: list[Any]
    tests: list[str]


@dataclass(frozen=True)
class BenchmarkChange:
    name: str
    figure: str
    old: float
    new: float

    @property
    def change(self) -> float:
        return (self.new - self.old) / self.old


@dataclass(frozen=True)
class Comparison:
    baseline: dict[str, Any]
    result: dict[str, Any]
    tolerance: float
    regressions: list[TestChange] = field(default_factory=list)
    fixes: list[TestChange] = field(default_factory=list)
    changed: list[TestChange] = field(default_factory=list)
    still_failing: list[str] = field(default_factory=list)
    new_tests: list[TestChange] = field(default_factory=list)
    vanished_tests: list[TestChange] = field(default_factory=list)
    observed: list[ObservedChange] = field(default_factory=list)
    benchmarks: list[BenchmarkChange] = field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    def to_dict(self) -> dict[str, Any]:
        """The comparison as ``schemas/results/comparison.json`` describes it."""
        return {
            "format": COMPARISON_FORMAT,
            "tolerance": self.tolerance,
            "regressed": self.regressed,
            "baseline": self.baseline,
            "result": self.result,
            "regressions": [asdict(change) for change in self.regressions],
            "fixes": [asdict(change) for change in self.fixes],
            "changed": [asdict(change) for change in self.changed],
            "still_failing": self.still_failing,
            "new_tests": [asdict(change) for change in self.new_tests],
            "vanished_tests": [asdict(change) for change in self.vanished_tests],
            "observed": [asdict(change) for change in self.observed],
            "benchmarks": [{**asdict(change), "change": round(change.change, 4)} for change in self.benchmarks],
        }


def _identity(document: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for label, where in _IDENTITY:
        value: Any = document["run"]
        for key in where:
            value = value.get(key) if isinstance(value, dict) else None
        found[label] = value
    return found


def _states(document: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every test of a run by node id: its verdict (or ``not run``) and its record."""
    states = {test["nodeid"]: (NOT_RUN, test) for test in document["not_run"]}
    states.update({test["nodeid"]: (test["verdict"], test) for test in document["tests"]})
    return states


def _kind(before: str | None, after: str | None) -> str | None:
    """Which list of the comparison a test's change of state belongs in (None: no change)."""
    if before is None:
        return "new"
    if after is None:
        return "vanished"
    if before in _GOOD and after in _BAD:
        return "regression"
    if before in _BAD and after in _GOOD:
        return "fix"
    return "changed" if before != after else None


def _test_changes(baseline: Mapping[str, Any], result: Mapping[str, Any]) -> dict[str, list[TestChange]]:
    old, new = _states(baseline), _states(result)
    changes: dict[str, list[TestChange]] = {"new": [], "vanished": [], "regression": [], "fix": [], "changed": []}
    for nodeid in sorted(old.keys() | new.keys()):
        before, old_record = old.get(nodeid, (None, {}))
        after, new_record = new.get(nodeid, (None, {}))
        kind = _kind(before, after)
        if kind is None:
            continue
        record = new_record or old_record
        message = new_record.get("message")
        reason = plain_reason(message) if message else None
        changes[kind].append(TestChange(nodeid, before, after, list(record["requirements"]), reason))
    return changes


def _still_failing(baseline: Mapping[str, Any], result: Mapping[str, Any]) -> list[str]:
    old, new = _states(baseline), _states(result)
    return [nodeid for nodeid in sorted(old.keys() & new.keys()) if old[nodeid][0] == new[nodeid][0] == "fail"]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _fingerprint(document: Mapping[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Per observed key, each distinct value (as canonical JSON) and the tests that recorded it."""
    found: dict[str, dict[str, list[str]]] = {}
    for test in document["tests"]:
        for key, value in test["observations"].items():
            found.setdefault(key, {}).setdefault(_canonical(value), []).append(test["nodeid"])
    return found


def _observed_changes(baseline: Mapping[str, Any], result: Mapping[str, Any]) -> list[ObservedChange]:
    old, new = _fingerprint(baseline), _fingerprint(result)
    passed_again = {test["nodeid"] for test in result["tests"] if test["verdict"] in _GOOD}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key, {}), new.get(key, {})
        if set(before) == set(after):
            continue
        recorders = {nodeid for nodeids in before.values() for nodeid in nodeids}
        if not after and not recorders & passed_again:
            continue  # no test that saw it ran to its end this time: nothing is known
        tests = sorted({nodeid for nodeids in (*before.values(), *after.values()) for nodeid in nodeids})
        changes.append(
            ObservedChange(key, [json.loads(v) for v in sorted(before)], [json.loads(v) for v in sorted(after)], tests)
        )
    return changes


def _rates(document: Mapping[str, Any]) -> dict[str, float]:
    generated = (document.get("coverage") or {}).get("generated", {})
    return {
        nodeid: float(figures["examples_per_second"])
        for nodeid, figures in generated.items()
        if figures.get("examples_per_second")
    }


def _benchmark_changes(
    baseline: Mapping[str, Any], result: Mapping[str, Any], tolerance: float
) -> list[BenchmarkChange]:
    old, new = _rates(baseline), _rates(result)
    changes = [
        BenchmarkChange(name, "examples per second", old[name], new[name]) for name in sorted(old.keys() & new.keys())
    ]
    return [change for change in changes if abs(change.change) > tolerance]


def compare(baseline: Mapping[str, Any], result: Mapping[str, Any], tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """Compare two results.json documents (already read by :func:`read_results`)."""
    changes = _test_changes(baseline, result)
    return Comparison(
        baseline=_identity(baseline),
        result=_identity(result),
        tolerance=tolerance,
        regressions=changes["regression"],
        fixes=changes["fix"],
        changed=changes["changed"],
        still_failing=_still_failing(baseline, result),
        new_tests=changes["new"],
        vanished_tests=changes["vanished"],
        observed=_observed_changes(baseline, result),
        benchmarks=_benchmark_changes(baseline, result, tolerance),
    )


# --- the human summary ----------------------------------------------------------------------------


def _ids(requirements: Iterable[str]) -> str:
    ids = sorted(set(requirements))
    shown = ", ".join(ids[:_IDS_SHOWN]) + (f" and {len(ids) - _IDS_SHOWN} more" if len(ids) > _IDS_SHOWN else "")
    return f"[{shown}]" if ids else "[no requirement]"


def _tests(count: int) -> str:
    return f"{count} test" if count == 1 else f"{count} tests"


def _values(values: list[Any]) -> str:
    if not values:
        return "(not observed)"
    return " | ".join(_canonical(value) for value in values)


def _run(identity: Mapping[str, Any]) -> str:
    return (
        f"{identity['model'] or 'unknown model'} firmware {identity['firmware'] or 'unknown'} (run {identity['run']})"
    )


def _change_lines(tag: str, changes: list[TestChange]) -> list[str]:
    """One line per test, except that tests blocked for one reason share a line (as in a run's summary)."""
    lines = []
    blocked: dict[tuple[str | None, str | None], list[TestChange]] = {}
    for change in changes:
        if change.new == "blocked" and len(changes) > 1:
            blocked.setdefault((change.old, change.reason), []).append(change)
            continue
        line = f"{tag:<11}{change.nodeid} {_ids(change.requirements)}: {change.old} → {change.new}"
        lines.append(line + (f": {change.reason}" if change.reason and change.new in _BAD else ""))
    for (old, reason), group in blocked.items():
        who = group[0].nodeid if len(group) == 1 else _tests(len(group))
        ids = _ids(rid for change in group for rid in change.requirements)
        lines.append(f"{tag:<11}{who} {ids}: {old} → blocked: {reason or 'no reason given'}")
    return lines


def summary_lines(comparison: Comparison) -> list[str]:
    """What changed, one line per finding, regressions first; the last line counts them."""
    old, new = comparison.baseline, comparison.result
    lines = [f"paircert compare: baseline {_run(old)} → result {_run(new)}"]
    lines += [
        f"NOTE       {label} differs: {old[label]} → {new[label]}; tests one run left out show as new or vanished"
        for label in _MUST_MATCH
        if old[label] != new[label]
    ]
    lines += _change_lines("REGRESSION", comparison.regressions)
    lines += _change_lines("FIXED", comparison.fixes)
    lines += _change_lines("CHANGED", comparison.changed)
    lines += [f"NEW        {change.nodeid}: {change.new}" for change in comparison.new_tests]
    lines += [f"VANISHED   {change.nodeid}: was {change.old}" for change in comparison.vanished_tests]
    lines += [
        f"OBSERVED   {change.key}: {_values(change.old)} → {_values(change.new)} ({_tests(len(change.tests))})"
        for change in comparison.observed
    ]
    lines += [
        f"BENCHMARK  {change.name}: {change.old:g} → {change.new:g} {change.figure} ({change.change:+.0%}, "
        f"tolerance {comparison.tolerance:.0%})"
        for change in comparison.benchmarks
    ]
    counts = (
        (len(comparison.regressions), "regression", "regressions"),
        (len(comparison.fixes), "fix", "fixes"),
        (len(comparison.changed), "other verdict change", "other verdict changes"),
        (len(comparison.still_failing), "still failing", "still failing"),
        (len(comparison.new_tests), "new test", "new tests"),
        (len(comparison.vanished_tests), "vanished test", "vanished tests"),
        (len(comparison.observed), "observed change", "observed changes"),
        (len(comparison.benchmarks), "benchmark change", "benchmark changes"),
    )
    lines.append("paircert compare: " + ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts))
    return lines
