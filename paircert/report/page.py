"""What the HTML report says, as typed data: the run's answer first, the evidence behind folds.

A QA engineer opens the report to learn, in order: did the device pass, what failed or could not
be judged and why, and which documented requirement each answer rests on. :func:`build_page` puts
a run's records in that order; :mod:`paircert.report.html` only lays it out, so every sentence
and number on the page is decided (and testable) here, away from markup.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from paircert.ledger import Requirement
from paircert.report.benchmarks import BenchmarkView, benchmark_views
from paircert.report.records import (
    BLOCKED_PREFIX,
    NOT_APPLICABLE_PREFIX,
    VERDICTS,
    Overall,
    RunRecord,
    TestRecord,
    Verdict,
    aggregate,
)

__all__ = ["ApiBar", "Evidence", "Finding", "Page", "RestoreView", "build_page", "plain_reason"]

REASON_LENGTH = 240
STRENGTH_INTRO = (
    "How strong this suite is: how many of the reference emulator's seeded faults it kills, per profile, "
    "as published in paircert/selfcheck/strength.toml (reproduce with paircert selfcheck)."
)
EVIDENCE_LENGTH = 64_000
EXIT_NOT_VERIFIED = 6
"""The exit code of a run whose restore did not verify (``paircert.restore.outcome``; the report
does not import the restore, so the page states the number it documents)."""
RUN_LINE_PREFIX = "paircert: "
_PREFIXES = ("Failed: ", "AssertionError: ", BLOCKED_PREFIX, NOT_APPLICABLE_PREFIX, "xfail: ")
_ID_TAGS = re.compile(r"^(?:\[[A-Z][A-Z0-9, -]*\]\s*)+")
_OBJECT_REPR = re.compile(r"<[^<>]*? at 0x[0-9a-fA-F]+>")


@dataclass(frozen=True)
class Evidence:
    """What a failed or blocked test leaves for the reader who opens its fold (already redacted)."""

    transcript: str | None = None
    curl: tuple[str, ...] = ()
    traceback: str | None = None


@dataclass(frozen=True)
class Finding:
    """A failed or blocked test: its requirements, the reason in one sentence, and its evidence."""

    test: TestRecord
    reason: str
    statements: dict[str, str]
    node: str
    evidence: Evidence


@dataclass(frozen=True)
class ApiBar:
    """The documented requirements of one API by how this run left them."""

    api: str
    passed: int
    failed: int
    blocked: int
    not_tested: int

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.blocked + self.not_tested

    def segments(self) -> list[tuple[str, int, float]]:
        """(label, count, percent of the bar) for each part that is not empty."""
        parts = [("passed", self.passed), ("failed", self.failed), ("blocked", self.blocked)]
        parts.append(("not tested", self.not_tested))
        return [(label, n, 100 * n / self.total) for label, n in parts if n]


@dataclass(frozen=True)
class RestoreView:
    """What became of a device in use, for the first screen.

    ``state`` is ``not-verified`` (the run's exit code is 6: as grave as a failure), ``verified``,
    or ``not-vacated`` (the device held something and the run left it alone, so the tests that
    need an empty device were blocked). ``differences`` are the configured properties that differ,
    each the exact line the terminal printed; ``id_changes`` are (old id, new id), expected because
    the device generates ids on ADD; ``derived`` are link properties that had not settled (never a
    failure)."""

    state: str
    title: str
    summary: str
    differences: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    id_changes: list[tuple[str, str]] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)
    journal: str | None = None


@dataclass(frozen=True)
class Page:
    run: RunRecord
    overall: Overall
    headline: str
    identity: list[tuple[str, str]]
    counts: list[tuple[str, int]]
    bars: list[ApiBar]
    failed: list[Finding]
    blocked: list[Finding]
    matrix: list[tuple[str, Verdict | None, list[TestRecord]]] = field(default_factory=list)
    observed: list[tuple[str, str, str]] = field(default_factory=list)
    unexercised: list[tuple[str, str, str]] = field(default_factory=list)
    environment: list[tuple[str, str]] = field(default_factory=list)
    benchmarks: list[BenchmarkView] = field(default_factory=list)
    profile: list[str] = field(default_factory=list)
    attempts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    strength: list[str] = field(default_factory=list)
    """A certification run's citation of the suite's published strength: an introduction, then one
    sentence per profile (empty on other runs)."""
    restore: RestoreView | None = None
    """A device in use: put back (verified or not), or left alone; None when it held nothing."""


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def plain_reason(message: str | None) -> str:
    """One sentence a person can read: the message's first line without the exception's class, the
    verdict prefix and the requirement tags (the page shows the ids beside it), and without
    Python object reprs, which say nothing about the device."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    first = lines[0] if lines else ""
    for prefix in _PREFIXES:
        first = first.removeprefix(prefix)
    first = _ID_TAGS.sub("", first).strip()
    if first.startswith("assert ") or not first:
        return "A check in the test did not hold; the details show the assertion."
    return _clip(_OBJECT_REPR.sub("(an internal value)", first), REASON_LENGTH)


def _seconds(run: RunRecord) -> str:
    try:
        span = datetime.fromisoformat(run.metadata.finished) - datetime.fromisoformat(run.metadata.started)
    except ValueError:
        return "unknown"
    minutes, seconds = divmod(round(span.total_seconds()), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _identity(run: RunRecord) -> list[tuple[str, str]]:
    meta = run.metadata
    model, number = meta.device.get("ProdFullName", ""), meta.device.get("ProdNbr", "")
    rows = [
        ("Model", f"{model} ({number})" if model and number and number not in model else model or number or "unknown"),
        ("Firmware", meta.device.get("Version") or "unknown"),
        ("Serial", meta.device.get("SerialNumber") or "unknown"),
    ]
    target = (meta.target_url or "unknown") + (" (embedded emulator)" if meta.embedded else "")
    return rows + [
        ("Target", target),
        ("Suite", f"paircert {meta.suite_version}"),
        ("Profile", meta.profile),
        ("Seed", str(meta.seed)),
        ("Duration", _seconds(run)),
    ]


def _profile(run: RunRecord) -> list[str]:
    """Which profile ran and what it left out (tests not run, by reason); the read-only proof; how
    the run's traffic was held."""
    left = run.left_out()
    total = sum(count for _, count in left)
    lines = [
        f"Profile {run.metadata.profile}: "
        + (
            f"{total} test{'s' if total != 1 else ''} not run ("
            + "; ".join(f"{count}: {_clip(reason, REASON_LENGTH)}" for reason, count in left)
            + ")."
            if left
            else "every selected test ran."
        )
    ]
    traffic = run.traffic or {}
    proof = traffic.get("read_only")
    if isinstance(proof, dict):
        lines.append(str(proof.get("statement", "")))
    if traffic:
        rate = f"at most {traffic['max_rps']:g} per second" if traffic.get("max_rps") else "no rate limit"
        lines.append(
            f"Traffic: {traffic['requests']} requests ({traffic['state_changing']} that could change state), {rate}, "
            f"{traffic['request_timeout']:g} s per request, up to {traffic['retries']} retries after a transport error."
        )
    return lines


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _restore(restore: Mapping[str, Any] | None, in_use: str | None) -> RestoreView | None:
    """The restore as results.json holds it (``RestoreOutcome.to_dict``), or, when the run did not
    vacate a device in use, the run's first line (``in_use``) without its ``paircert:`` prefix."""
    if restore is None:
        if not in_use:
            return None
        return RestoreView(
            state="not-vacated",
            title="Device in use: left as it was, not vacated",
            summary=in_use.removeprefix(RUN_LINE_PREFIX),
        )
    differences = [str(d["line"]) for d in restore.get("differences", [])]
    id_changes = [(str(c["before"]), str(c["after"])) for c in restore.get("id_changes", [])]
    derived = [str(d["line"]) for d in restore.get("derived_differences", [])]
    journal = str(restore.get("journal") or "") or None
    restored = [str(line) for line in restore.get("restored", [])]
    if restore.get("verified"):
        summary = "Read back property by property after the run, the device holds what it held before the run."
        return RestoreView("verified", "Restore verified", summary, [], restored, id_changes, derived, journal)
    error = restore.get("error")
    why = (
        f"A step failed: {error}"
        if error
        else _plural(len(differences), "configured property differs", "configured properties differ")
    )
    retry = f"; 'paircert restore --journal {journal}' tries again once the cause is fixed." if journal else "."
    summary = f"{why}. The run's exit code is {EXIT_NOT_VERIFIED}{retry}"
    title = "Restore not verified: the device is not as the run found it"
    return RestoreView("not-verified", title, summary, differences, restored, id_changes, derived, journal)


def _headline(run: RunRecord, overall: Overall, bars: list[ApiBar]) -> str:
    if not run.read_only_holds():
        return "The read-only run sent a request that could change state (a suite bug): see the profile line."
    counts = run.counts()
    failed_ids = {rid for t in run.tests if t.verdict == "fail" for rid in t.requirements}
    blocked = counts["blocked"]
    blocked_text = f"{blocked} test{'s' if blocked != 1 else ''} blocked"
    if overall == "FAIL":
        tests = counts["fail"]
        text = f"The device failed {len(failed_ids)} requirement{'s' if len(failed_ids) != 1 else ''}"
        text += f" in {tests} test{'s' if tests != 1 else ''}"
        return text + (f"; {blocked_text}." if blocked else ".")
    if overall == "INCOMPLETE":
        if not run.tests:
            return "No test was judged: the selection or the profile left nothing to run."
        if blocked:
            return f"Nothing failed, but {blocked_text}: what they check was not judged."
        return "Nothing failed, but the run did not finish judging the device."
    tested = sum(bar.passed for bar in bars)
    documented = sum(bar.total for bar in bars)
    return f"Every judged test passed; {tested} of {documented} documented requirements were tested."


def _bars(run: RunRecord, ledger: Mapping[str, Requirement]) -> list[ApiBar]:
    by_requirement = run.by_requirement()
    unexercised = set(run.unexercised_requirements())
    tally: dict[str, dict[str, int]] = {}
    for rid, requirement in ledger.items():
        if requirement.level != "documented":
            continue
        worst = aggregate([t.verdict for t in by_requirement.get(rid, [])])
        if worst == "fail":
            state = "failed"
        elif worst == "blocked":
            state = "blocked"
        elif worst in ("pass", "observed") and rid not in unexercised:
            state = "passed"
        else:
            state = "not tested"
        tally.setdefault(requirement.api, dict.fromkeys(("passed", "failed", "blocked", "not tested"), 0))[state] += 1
    return [ApiBar(api, t["passed"], t["failed"], t["blocked"], t["not tested"]) for api, t in sorted(tally.items())]


def _unexercised(run: RunRecord) -> list[tuple[str, str, str]]:
    """(requirement, path, why) for laws the run cites but never exercised: every test of them was
    blocked or returned early, or a path where a law applies was met by no test (a pass there says
    nothing about that path)."""
    never = set(run.unexercised_requirements())
    rows = [
        (rid, "every test citing it", "; ".join(sorted({t.message or "" for t in tests})))
        for rid, tests in run.by_requirement().items()
        if rid in never
    ]
    return rows + [
        (rid, path, "; ".join(whys)) for rid, paths in run.unexercised_paths().items() for path, whys in paths.items()
    ]


def _adds_to(traceback: str | None, message: str | None) -> bool:
    """Whether a traceback says more than the message (with --tb=no it is the message again)."""
    said = {line.strip().removeprefix("Failed: ") for line in (message or "").splitlines()}
    return any(line.strip() not in said for line in (traceback or "").splitlines())


def _finding(test: TestRecord, run: RunRecord, ledger: Mapping[str, Requirement], evidence: Evidence) -> Finding:
    traceback = evidence.traceback if _adds_to(evidence.traceback, test.message) else None
    return Finding(
        test=test,
        reason=plain_reason(test.message),
        statements={rid: ledger[rid].assertion if rid in ledger else "" for rid in test.requirements},
        node=f"{test.nodeid} (--seed {run.metadata.seed})",
        evidence=Evidence(
            transcript=_clip(evidence.transcript, EVIDENCE_LENGTH) if evidence.transcript else None,
            curl=evidence.curl,
            traceback=_clip(traceback, EVIDENCE_LENGTH) if traceback else None,
        ),
    )


def build_page(
    run: RunRecord,
    evidence: Mapping[str, Evidence],
    ledger: Mapping[str, Requirement],
    environment: list[tuple[str, str]],
    plots: Mapping[str, bytes] | None = None,
    strength: Sequence[str] = (),
    in_use: str | None = None,
) -> Page:
    """The page of one run; ``evidence`` holds what failed and blocked tests left, by node id, and
    ``plots`` the benchmarks' plot files by their path in the run folder. ``strength`` are the
    published suite strength's sentences, one per profile, which a certification run cites.
    ``in_use`` is the run's first line when it found a device in use and did not vacate it."""
    overall = run.overall()
    counts = run.counts()
    bars = _bars(run, ledger)
    findings = {
        verdict: [
            _finding(t, run, ledger, evidence.get(t.nodeid, Evidence())) for t in run.tests if t.verdict == verdict
        ]
        for verdict in ("fail", "blocked")
    }
    return Page(
        run=run,
        overall=overall,
        headline=_headline(run, overall, bars),
        identity=_identity(run),
        counts=[(verdict, counts[verdict]) for verdict in VERDICTS] + [("not run", len(run.not_run))],
        bars=bars,
        failed=findings["fail"],
        blocked=findings["blocked"],
        matrix=[(rid, aggregate([t.verdict for t in tests]), tests) for rid, tests in run.by_requirement().items()],
        observed=[
            (t.nodeid, key, json.dumps(value, ensure_ascii=False))
            for t in run.tests
            for key, value in t.observations.items()
        ],
        unexercised=_unexercised(run),
        environment=environment,
        benchmarks=benchmark_views(run.benchmarks, plots or {}),
        profile=_profile(run),
        attempts=[(t.nodeid, attempt) for t in run.tests for attempt in t.failed_attempts],
        strength=[STRENGTH_INTRO, *strength] if strength else [],
        restore=_restore(run.restore, in_use),
    )
