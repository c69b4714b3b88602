"""The benchmark result document: one envelope for every benchmark, checked against its schema.

``schemas/bench/result.json`` is the contract; the document is validated by the one schema
validator (:mod:`paircert.schemas`) before it is written, so a file that exists is a file that
validates. Targets are figures to report against, never verdicts: a missed one is ``met: false``
in the document and a line on the terminal, and the exit code stays 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, get_args
from urllib.parse import urlsplit, urlunsplit

from paircert import schemas

__all__ = ["KINDS", "SCHEMA", "BenchResult", "Kind", "Target", "document", "write"]

SCHEMA = "bench/result"
VERSION = 1
Kind = Literal["latency", "radar", "api", "generated"]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""Every benchmark's name, in the order ``--bench all`` runs them."""


@dataclass(frozen=True)
class Target:
    """A figure's goal: ``measured`` compared with ``goal`` by ``op``; None when not measured."""

    name: str
    op: Literal["<=", ">="]
    goal: float
    measured: float | None

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured <= self.goal if self.op == "<=" else self.measured >= self.goal

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "op": self.op, "goal": self.goal, "measured": self.measured, "met": self.met}

    def line(self) -> str:
        verdict = {True: "met", False: "missed", None: "not measured"}[self.met]
        measured = "-" if self.measured is None else f"{self.measured:g}"
        return f"{self.name}: {measured} (target {self.op} {self.goal:g}): {verdict}"


class BenchResult(Protocol):
    @property
    def calibration(self) -> Any: ...

    def to_json(self) -> dict[str, Any]: ...

    def headline(self) -> dict[str, Any]: ...

    def targets(self) -> list[Target]: ...

    def plots(self, folder: Path) -> list[Path]: ...


def _without_userinfo(url: str) -> str:
    """A URL as it may appear in a report: credentials in its authority are cut off."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def document(
    kind: Kind,
    *,
    target_url: str,
    embedded: bool,
    run_id: str,
    started: datetime,
    seconds: float,
    budget_s: float,
    result: BenchResult | None,
    plots: list[Path],
    blocked: str | None = None,
) -> dict[str, Any]:
    """The result document of one benchmark (``result`` None: it was blocked, ``blocked`` says why)."""
    calibration = result.calibration if result is not None else None
    return {
        "benchmark": kind,
        "version": VERSION,
        "run_id": run_id,
        "target": {"url": _without_userinfo(target_url), "embedded": embedded},
        "started": started.astimezone(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "budget_s": budget_s,
        "blocked": blocked,
        "calibration": calibration.to_json() if calibration is not None else None,
        "headline": result.headline() if result is not None else {},
        "targets": [t.to_json() for t in result.targets()] if result is not None else [],
        "result": result.to_json() if result is not None else None,
        "plots": [path.name for path in plots],
    }


def write(path: Path, doc: dict[str, Any]) -> Path:
    """Validate ``doc`` against the schema and write it; a document that does not validate is a bug."""
    errors = schemas.validate(SCHEMA, doc)
    if errors:
        raise ValueError(f"benchmark result does not match {SCHEMA}: " + "; ".join(errors[:5]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path
