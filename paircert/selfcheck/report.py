"""The kill matrix as a JSON document (``schemas/selfcheck/result.json``) and as lines for a person."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from paircert.selfcheck.matrix import FAULT_VERDICTS, FaultResult, RunOutcome, tally

__all__ = ["FORMAT", "Selfcheck", "summary_lines"]

FORMAT = "paircert-selfcheck/1"
_NAMED = 5
"""Requirements named per fault killed elsewhere in the summary (the JSON has them all)."""


@dataclass(frozen=True)
class Selfcheck:
    """One selfcheck: how it was run, the clean runs, and the matrix (survivors first).

    ``clean`` is the default emulator's clean run; ``variant_cleans`` the clean run of each
    emulator variant a selected fault needed (by need, e.g. ``radar-2026-01``), which that fault's
    run was judged against."""

    profile: str
    keyword: str | None
    command: str
    catalogue_size: int
    jobs: int
    timeout: float
    started: str
    finished: str
    clean: RunOutcome
    results: Sequence[FaultResult]
    variant_cleans: Mapping[str, RunOutcome] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "profile": self.profile,
            "keyword": self.keyword,
            "command": self.command,
            "catalogue_size": self.catalogue_size,
            "jobs": self.jobs,
            "timeout": self.timeout,
            "started": self.started,
            "finished": self.finished,
            "clean": self.clean.to_dict(),
            "variant_cleans": {variant: run.to_dict() for variant, run in sorted(self.variant_cleans.items())},
            "summary": tally(self.results),
            "faults": [result.to_dict() for result in self.results],
        }


_HEADINGS = {
    "survived": "survived (no new failure)",
    "refused": "refused (the run stopped before any test, as for a configuration error)",
    "error": "error (the run timed out or crashed: no verdict)",
    "killed-elsewhere": "killed elsewhere (new failures, none citing what the fault breaks)",
    "killed": "killed on target",
}


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} = {100 * part / whole:.1f}%" if whole else "0/0"


def _line(result: FaultResult) -> str:
    breaks = ", ".join(result.breaks) or "nothing in the ledger"
    where = result.layer if result.needs is None else f"{result.layer}, needs {result.needs}"
    text = f"  {result.name} [{where}] breaks {breaks}: {result.summary}"
    if result.verdict == "killed-elsewhere":
        killers = [kill.requirement or "(no requirement)" for kill in result.kills]
        more = f" and {len(killers) - _NAMED} more" if len(killers) > _NAMED else ""
        text += f" Killed by {', '.join(killers[:_NAMED])}{more}."
    elif result.verdict in ("refused", "error"):
        text += f" ({result.run.detail})"
    return text


def summary_lines(check: Selfcheck) -> list[str]:
    """Counts, kill rate, and every fault the suite did not kill on target, with its summary."""
    numbers = tally(check.results)
    total = numbers["faults"]
    clean = check.clean
    lines = [
        f"paircert selfcheck: profile {check.profile}, {total} of {check.catalogue_size} catalogue faults, "
        f"clean run {clean.counts.get('pass', 0)} pass, {clean.counts.get('fail', 0)} fail in {clean.duration:.0f} s"
    ]
    if clean.failures:
        lines.append(
            f"  note: the clean run failed {len(clean.failures)} test(s); they cannot kill any fault: "
            + ", ".join(failure.test for failure in clean.failures)
        )
    for variant, run in sorted(check.variant_cleans.items()):
        lines.append(
            f"  faults that need {variant} are judged against a clean run with it: {run.counts.get('pass', 0)} pass, "
            f"{run.counts.get('fail', 0)} fail in {run.duration:.0f} s"
            + (f"; it failed {', '.join(failure.test for failure in run.failures)}" if run.failures else "")
        )
    for verdict in FAULT_VERDICTS:
        group = [result for result in check.results if result.verdict == verdict]
        if not group:
            continue
        lines.append(f"{_HEADINGS[verdict]}: {len(group)}")
        if verdict != "killed":
            lines.extend(_line(result) for result in group)
    killed = numbers["killed"] + numbers["killed_elsewhere"]
    lines.append(
        f"kill rate {_percent(killed, total)} (on target {_percent(numbers['killed'], total)}); "
        f"reproduce: {check.command}"
    )
    return lines
