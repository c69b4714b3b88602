"""What a restore ended with: what was put back, the differences left, and whether it verified."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paircert.restore.compare import Difference

__all__ = ["EXIT_NOT_VERIFIED", "RestoreOutcome"]

EXIT_NOT_VERIFIED = 6
"""The exit code of a run (and of ``paircert restore``) whose restore did not verify."""
PREFIX = "paircert: restore: "


@dataclass
class RestoreOutcome:
    """Verified when every step succeeded and no configured property differs. An id that changed
    (ids are generated on ADD) is expected; a derived property still settling is reported apart."""

    journal: Path
    restored: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    error: str | None = None

    def of_kind(self, kind: str) -> list[Difference]:
        return [d for d in self.differences if d.kind == kind]

    @property
    def verified(self) -> bool:
        return self.error is None and not self.of_kind("configured")

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "journal": str(self.journal),
            "restored": list(self.restored),
            "id_changes": [{"before": d.before, "after": d.after} for d in self.of_kind("identity")],
            "differences": [d.to_dict() for d in self.of_kind("configured")],
            "derived_differences": [d.to_dict() for d in self.of_kind("derived")],
            "error": self.error,
        }

    def lines(self) -> list[str]:
        """The terminal's account: the verdict first, then every difference, one line each."""
        ids = [f"{d.before} is now {d.after}" for d in self.of_kind("identity")]
        id_note = f" (camera pairing {', '.join(ids)}: the device generates ids on ADD)" if ids else ""
        if self.verified:
            lines = [f"{PREFIX}verified: the device holds what it held before the run{id_note}"]
        else:
            why = self.error or f"{len(self.of_kind('configured'))} configured propert(ies) differ"
            lines = [f"{PREFIX}NOT VERIFIED: {why}"]
            lines += [f"{PREFIX}differs: {d.line()}" for d in self.of_kind("configured")]
        lines += [f"{PREFIX}{item}" for item in self.restored]
        lines += [f"{PREFIX}link not settled (not a configured property): {d.line()}" for d in self.of_kind("derived")]
        if not self.verified:
            lines.append(f"{PREFIX}journal {self.journal}: 'paircert restore --journal {self.journal}' tries again")
        return lines
