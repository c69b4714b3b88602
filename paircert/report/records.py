"""Typed records of a run and the verdict vocabulary every artifact uses.

A verdict is one of five, and it is about the device. A test that was never judged (left out by
the profile, or skipped for a reason that is neither blocked nor not-applicable) has no verdict:
it is a :class:`NotRun` with its reason, kept apart so a tool counting verdicts counts only
judgements.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "BLOCKED_PREFIX",
    "NOT_APPLICABLE_PREFIX",
    "OBSERVED_PREFIX",
    "PATH_PREFIX",
    "VERDICTS",
    "BenchmarkCalibration",
    "BenchmarkRecord",
    "BenchmarkTarget",
    "DeviceInUse",
    "HeldPairing",
    "HeldRadar",
    "NotRun",
    "Overall",
    "RunMetadata",
    "RunRecord",
    "TestRecord",
    "Verdict",
    "aggregate",
    "classify",
    "new_run_id",
]

Verdict = Literal["pass", "fail", "blocked", "not-applicable", "observed"]
# The answer of a whole run; see RunRecord.overall.
Overall = Literal["PASS", "FAIL", "INCOMPLETE"]
VERDICTS: tuple[Verdict, ...] = ("pass", "fail", "blocked", "not-applicable", "observed")
BLOCKED_PREFIX = "blocked: "
NOT_APPLICABLE_PREFIX = "not-applicable: "
OBSERVED_PREFIX = "observed:"
# A user property "path:<requirement>" whose value is JSON {"path": ..., "taken": bool, "why": ...}:
# a test met (or, returning early, did not meet) one path on which the requirement applies.
PATH_PREFIX = "path:"
# A test exercises its requirements when the device was judged by it (a blocked test does not).
_EXERCISING: tuple[Verdict, ...] = ("pass", "fail", "observed")
# Worst first: a requirement is as good as its worst test.
_SEVERITY: tuple[Verdict, ...] = ("fail", "blocked", "observed", "pass", "not-applicable")


def classify(
    outcome: str, message: str | None, observations: dict[str, Any], *, checks_documented: bool
) -> Verdict | None:
    """Verdict of one test from its pytest outcome and skip reason; None for a test never judged.

    A passing test that checks no documented requirement and recorded what the device did is
    ``observed``: the documents are silent, so it never fails, but a gate comparing runs looks
    at it. A passing test of a documented requirement is ``pass`` even when it also observed.
    """
    if outcome == "passed":
        return "observed" if observations and not checks_documented else "pass"
    if outcome in ("failed", "error"):
        return "fail"
    text = message or ""
    if text.startswith(BLOCKED_PREFIX):
        return "blocked"
    if text.startswith(NOT_APPLICABLE_PREFIX):
        return "not-applicable"
    return None


def new_run_id() -> str:
    """A run id that sorts by time, e.g. 20261122T013000Z (UTC)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def aggregate(verdicts: list[Verdict]) -> Verdict | None:
    for verdict in _SEVERITY:
        if verdict in verdicts:
            return verdict
    return None


@dataclass
class TestRecord:
    nodeid: str
    outcome: str  # passed, failed, error (setup/teardown failed), skipped
    verdict: Verdict
    requirements: list[str]
    observations: dict[str, Any]
    duration: float
    message: str | None = None
    paths: list[dict[str, Any]] = field(default_factory=list)  # {"requirement", "path", "taken", "why"}
    failed_attempts: list[dict[str, Any]] = field(default_factory=list)
    """Tries of the test's requests that got no answer (transport errors), each saying whether it was
    tried again: {"request", "attempt", "phase", "error", "retried"}. A verdict never rests on them."""

    def exercises(self, requirement: str) -> bool:
        """Judged by this test (a failure always counts), and by a pass not only on paths it
        recorded as not taken."""
        if self.verdict not in _EXERCISING or requirement not in self.requirements:
            return False
        if self.verdict == "fail":
            return True
        recorded = [p for p in self.paths if p["requirement"] == requirement]
        return not recorded or any(p["taken"] for p in recorded)


@dataclass
class NotRun:
    """A test the run did not judge the device by, and why (the profile, a plain skip, an xfail)."""

    nodeid: str
    requirements: list[str]
    reason: str | None
    duration: float = 0.0


@dataclass
class RunMetadata:
    run_id: str
    target_url: str | None
    embedded: bool
    profile: str
    seed: int
    suite_version: str
    schema_version: str
    device: dict[str, str] = field(default_factory=dict)
    radar_path: str | None = None
    started: str = ""
    finished: str = ""
    exit_status: int | None = None


@dataclass
class BenchmarkTarget:
    """A benchmark figure's goal as the benchmark states it (``measured`` None: not measured)."""

    name: str
    op: str  # "<=" or ">="
    goal: float
    measured: float | None
    met: bool | None


@dataclass
class BenchmarkCalibration:
    """Whether a known delay came out of the measurement; when not, no latency figure is reported."""

    passed: bool
    delay_ms: float
    tolerance_ms: float


@dataclass
class BenchmarkRecord:
    """A benchmark the run included (``paircert run --bench``), as results.json and the report show it.

    ``headline`` holds the plain-named figures (``added_latency_ms`` p50/p95/p99,
    ``zero_loss_objects_per_s``, ``ratio_to_direct``, ``ratio_to_bare``); ``result`` and ``plots``
    are paths relative to the run folder. ``blocked`` says why a benchmark measured nothing.
    """

    name: str
    blocked: str | None
    seconds: float
    headline: dict[str, Any]
    calibration: BenchmarkCalibration | None
    targets: list[BenchmarkTarget]
    result: str
    plots: list[str]


@dataclass(frozen=True)
class HeldPairing:
    """A camera pairing a device in use held, by the id and address the run's first line names."""

    id: str
    address: str | None


@dataclass(frozen=True)
class HeldRadar:
    """The radar configuration a device in use held, by its address and active state."""

    address: str | None
    active: bool


@dataclass(frozen=True)
class DeviceInUse:
    """A device in use that the run left as it found it, so the tests that need an empty device
    were blocked: the run's first line, what the device held (ids and addresses only: a snapshot's
    other properties belong to the restore journal, and no password is ever readable) and the
    options the run lacked (none when it had them but could not vacate the device: the line says why).
    """

    line: str
    camera_pairings: list[HeldPairing]
    radar: HeldRadar | None
    missing_options: list[str]


@dataclass
class RunRecord:
    metadata: RunMetadata
    tests: list[TestRecord]
    untested_requirements: list[str]
    coverage: dict[str, Any] | None = None  # paircert.report.coverage.Coverage.to_dict()
    not_run: list[NotRun] = field(default_factory=list)
    traffic: dict[str, Any] | None = None  # paircert.plugin.politeness.RunTraffic.to_dict()
    benchmarks: list[BenchmarkRecord] = field(default_factory=list)
    restore: dict[str, Any] | None = None  # paircert.restore.outcome.RestoreOutcome.to_dict()
    device_in_use: DeviceInUse | None = None

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for test in self.tests:
            counts[test.verdict] += 1
        return counts

    def overall(self) -> Overall:
        """FAIL when a test failed; INCOMPLETE when nothing failed but the run cannot vouch for what
        it set out to judge (a test was blocked, no test was judged, or the session was interrupted
        or broke: pytest's exit statuses 2 and 3); PASS otherwise. Requirements the profile left out
        do not make a run incomplete: the report shows them as not tested."""
        verdicts = {test.verdict for test in self.tests}
        if "fail" in verdicts or not self.read_only_holds():
            return "FAIL"
        if "blocked" in verdicts or not verdicts or self.metadata.exit_status in (2, 3):
            return "INCOMPLETE"
        return "PASS"

    def read_only_holds(self) -> bool:
        """False when a read-only run's transcript holds a state-changing request (a suite bug that
        fails the run); True for every other run."""
        proof = (self.traffic or {}).get("read_only")
        return not isinstance(proof, dict) or bool(proof.get("holds"))

    def left_out(self) -> list[tuple[str, int]]:
        """Why tests were not run, with how many each reason left out (most first)."""
        reasons: dict[str, int] = {}
        for test in self.not_run:
            reason = test.reason or "no reason given"
            reasons[reason] = reasons.get(reason, 0) + 1
        return sorted(reasons.items(), key=lambda item: (-item[1], item[0]))

    def by_requirement(self) -> dict[str, list[TestRecord]]:
        matrix: dict[str, list[TestRecord]] = {}
        for test in self.tests:
            for requirement in test.requirements:
                matrix.setdefault(requirement, []).append(test)
        return dict(sorted(matrix.items()))

    def unexercised_requirements(self) -> list[str]:
        """Requirements some test cites that no test exercised (each was blocked, or returned early)."""
        return [rid for rid, tests in self.by_requirement().items() if not any(t.exercises(rid) for t in tests)]

    def unexercised_paths(self) -> dict[str, dict[str, list[str]]]:
        """Per requirement, the paths a test recorded as not taken that no judged test took, with why."""
        taken = {
            (p["requirement"], p["path"]) for t in self.tests if t.verdict in _EXERCISING for p in t.paths if p["taken"]
        }
        missed: dict[str, dict[str, list[str]]] = {}
        for test in self.tests:
            for p in test.paths:
                if not p["taken"] and (p["requirement"], p["path"]) not in taken:
                    whys = missed.setdefault(p["requirement"], {}).setdefault(p["path"], [])
                    whys.append(f"{test.nodeid}: {p['why']}")
        return {rid: dict(sorted(paths.items())) for rid, paths in sorted(missed.items())}

    def to_json(self) -> str:
        document: dict[str, Any] = {
            "format": "paircert-results/1",
            "run": asdict(self.metadata),
            "counts": self.counts(),
            "tests": [asdict(t) for t in self.tests],
            "not_run": [asdict(t) for t in self.not_run],
            "requirements": {
                rid: {
                    "verdict": aggregate([t.verdict for t in tests]),
                    "tests": [t.nodeid for t in tests],
                    "exercised_by": [t.nodeid for t in tests if t.exercises(rid)],
                }
                for rid, tests in self.by_requirement().items()
            },
            "untested_requirements": self.untested_requirements,
            "unexercised_requirements": self.unexercised_requirements(),
            "unexercised_paths": self.unexercised_paths(),
        }
        if self.coverage is not None:
            document["coverage"] = self.coverage
        document["profile"] = {
            "name": self.metadata.profile,
            "left_out": [{"reason": reason, "tests": count} for reason, count in self.left_out()],
            "read_only": (self.traffic or {}).get("read_only"),
        }
        if self.traffic is not None:
            document["traffic"] = {key: value for key, value in self.traffic.items() if key != "read_only"}
        if self.benchmarks:
            document["benchmarks"] = [asdict(benchmark) for benchmark in self.benchmarks]
        if self.restore is not None:
            document["restore"] = self.restore
        if self.device_in_use is not None:
            document["device_in_use"] = asdict(self.device_in_use)
        return json.dumps(document, indent=2, ensure_ascii=False, default=str)
