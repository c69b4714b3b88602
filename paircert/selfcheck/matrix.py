"""The kill matrix: which seeded faults the suite noticed, by which requirements and tests.

A fault is judged only by failures the clean run does not also have: a test that fails against
the unbroken emulator says nothing about the fault, so it is set aside (``masked``) and never
counts as a kill. A kill is *on target* when a new failure cites one of the ledger ids the
catalogue says the fault breaks; a fault noticed only through other requirements is killed
*elsewhere*, which is still a kill but shows that the test of its own requirement missed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from paircert.report.compare import read_results as read_results_document

__all__ = [
    "FAULT_VERDICTS",
    "CatalogueEntry",
    "Failure",
    "FaultResult",
    "FaultVerdict",
    "Kill",
    "RunOutcome",
    "RunStatus",
    "judge",
    "ordered",
    "read_results",
    "tally",
]

RunStatus = Literal["completed", "refused", "timeout", "crashed"]
FaultVerdict = Literal["survived", "refused", "error", "killed-elsewhere", "killed"]
FAULT_VERDICTS: tuple[FaultVerdict, ...] = ("survived", "refused", "error", "killed-elsewhere", "killed")
"""Also the order of the matrix: what the suite missed comes first."""
KILLED: tuple[FaultVerdict, ...] = ("killed-elsewhere", "killed")


class CatalogueEntry(Protocol):
    """What the matrix needs of a fault (``paircert.emulator.faults.Fault`` has it)."""

    @property
    def name(self) -> str: ...
    @property
    def breaks(self) -> Sequence[str]: ...
    @property
    def layer(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def needs(self) -> str | None: ...


@dataclass(frozen=True)
class Failure:
    """One failed test of a run, with the requirement ids it cites."""

    test: str
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class RunOutcome:
    """How one ``paircert run`` ended.

    ``completed``: it wrote results.json (whatever its verdicts). ``refused``: it stopped before
    any test because it judged the target unusable (exit 3 or 4, one line on stderr). ``timeout``
    and ``crashed`` are the machinery's failures, not the suite's judgement.
    """

    status: RunStatus
    exit_code: int | None
    duration: float
    failures: tuple[Failure, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "duration": round(self.duration, 1),
            "counts": dict(self.counts),
            "failures": [{"test": f.test, "requirements": list(f.requirements)} for f in self.failures],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Kill:
    """The new failures of one requirement under one fault."""

    requirement: str | None
    on_target: bool
    tests: tuple[str, ...]


@dataclass(frozen=True)
class FaultResult:
    name: str
    layer: str
    summary: str
    breaks: tuple[str, ...]
    needs: str | None
    verdict: FaultVerdict
    kills: tuple[Kill, ...]
    masked: tuple[str, ...]
    run: RunOutcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "layer": self.layer,
            "summary": self.summary,
            "breaks": list(self.breaks),
            "needs": self.needs,
            "verdict": self.verdict,
            "kills": [
                {"requirement": k.requirement, "on_target": k.on_target, "tests": list(k.tests)} for k in self.kills
            ],
            "masked": list(self.masked),
            "run": self.run.to_dict(),
        }


def read_results(path: Path) -> tuple[tuple[Failure, ...], dict[str, int]]:
    """The failed tests and the verdict counts of a run's results.json (read, and checked against its
    schema, by the one reader :func:`paircert.report.compare.read_results`)."""
    document = read_results_document(path)
    failures = tuple(
        Failure(str(test["nodeid"]), tuple(str(rid) for rid in test["requirements"]))
        for test in document["tests"]
        if test["verdict"] == "fail"
    )
    return failures, {str(name): int(count) for name, count in document["counts"].items()}


def _kills(new: Iterable[Failure], breaks: frozenset[str]) -> tuple[Kill, ...]:
    by_requirement: dict[str | None, list[str]] = {}
    for failure in new:
        for requirement in failure.requirements or (None,):
            by_requirement.setdefault(requirement, []).append(failure.test)
    return tuple(
        Kill(requirement, requirement in breaks, tuple(sorted(tests)))
        for requirement, tests in sorted(by_requirement.items(), key=lambda item: (item[0] is None, item[0] or ""))
    )


def judge(fault: CatalogueEntry, run: RunOutcome, clean: RunOutcome) -> FaultResult:
    """One fault's row of the matrix from its run and the clean run."""
    clean_failing = {failure.test for failure in clean.failures}
    new = [failure for failure in run.failures if failure.test not in clean_failing]
    masked = tuple(sorted(failure.test for failure in run.failures if failure.test in clean_failing))
    kills = _kills(new, frozenset(fault.breaks)) if run.status == "completed" else ()
    verdict: FaultVerdict
    if run.status in ("timeout", "crashed"):
        verdict = "error"
    elif run.status == "refused":
        verdict = "refused"
    elif not kills:
        verdict = "survived"
    else:
        verdict = "killed" if any(kill.on_target for kill in kills) else "killed-elsewhere"
    return FaultResult(
        name=fault.name,
        layer=fault.layer,
        summary=fault.summary,
        breaks=tuple(fault.breaks),
        needs=fault.needs,
        verdict=verdict,
        kills=kills,
        masked=masked,
        run=run,
    )


def ordered(results: Iterable[FaultResult]) -> list[FaultResult]:
    """Survivors first, then the rest by how well the suite did, each group by name."""
    return sorted(results, key=lambda result: (FAULT_VERDICTS.index(result.verdict), result.name))


def tally(results: Sequence[FaultResult]) -> dict[str, Any]:
    """Counts per verdict and the kill rates (of every fault selected, errors included)."""
    counts = {verdict: sum(1 for r in results if r.verdict == verdict) for verdict in FAULT_VERDICTS}
    total = len(results)
    killed = counts["killed"] + counts["killed-elsewhere"]
    return {
        "faults": total,
        **{verdict.replace("-", "_"): count for verdict, count in counts.items()},
        "kill_rate": round(killed / total, 4) if total else None,
        "on_target_rate": round(counts["killed"] / total, 4) if total else None,
    }
