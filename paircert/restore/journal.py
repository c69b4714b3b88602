"""The restore journal: what the device held and what has been done to it, on disk before each change.

It is written before anything is changed and again after every step, each time whole and atomically
(a temporary file in the same folder, fsync, ``os.replace``, fsync of the folder), so a crash of the
tester machine leaves the last complete version and never half a file. ``paircert restore
--journal FILE`` reads it to finish the job. It holds no password: none is ever readable from the
device, and the document goes through the one password walk before it is written anyway. It is
checked against ``schemas/restore/journal.json`` whenever it is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from paircert import schemas
from paircert.atomicfile import write_atomically
from paircert.restore.snapshot import Snapshot
from paircert.vapix.passwords import REDACTED, replace_passwords

__all__ = ["FORMAT", "JOURNAL_FILE", "SCHEMA", "Journal", "JournalError", "Step", "StepName"]

FORMAT = "paircert-restore-journal/1"
SCHEMA = "restore/journal"
JOURNAL_FILE = "restore-journal.json"
"""Its name in a run's report folder."""
StepName = Literal[
    "vacated-camera",
    "vacated-radar",
    "restore-started",
    "removed-leftover-camera",
    "removed-leftover-radar",
    "restored-camera",
    "restored-radar",
    "verified",
    "not-verified",
]


class JournalError(Exception):
    """A journal that cannot be read or is not one; ``str()`` is one line."""


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Step:
    """One thing done to the device. ``pairing`` is the snapshot's pairing id a camera step is about,
    ``now`` the id the device gave it when restored, ``note`` says how."""

    step: StepName
    at: str
    pairing: str | None = None
    now: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value is not None}


@dataclass
class Journal:
    """A journal on disk; every :meth:`add` writes the whole document again before it returns."""

    path: Path
    target: str
    user: str
    run_id: str
    created: str
    snapshot: Snapshot
    radar_path: str | None = None
    set_method: str = "PATCH"
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        target: str,
        user: str,
        run_id: str,
        snapshot: Snapshot,
        radar_path: str | None,
        set_method: str,
    ) -> Journal:
        """Write a new journal (before anything is changed) and return it. A password in the target
        URL's userinfo is not kept: the URL is written without userinfo."""
        journal = cls(path, _without_userinfo(target), user, run_id, _now(), snapshot, radar_path, set_method)
        journal.write()
        return journal

    def to_dict(self) -> dict[str, Any]:
        document = {
            "format": FORMAT,
            "target": self.target,
            "user": self.user,
            "run_id": self.run_id,
            "created": self.created,
            "radar_path": self.radar_path,
            "set_method": self.set_method,
            "snapshot": self.snapshot.to_dict(),
            "steps": [step.to_dict() for step in self.steps],
        }
        redacted: dict[str, Any] = replace_passwords(document, lambda _value: REDACTED)
        return redacted

    def write(self) -> None:
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, text.encode("utf-8"), prefix=f".{self.path.name}.")

    def add(
        self, step: StepName, *, pairing: str | None = None, now: str | None = None, note: str | None = None
    ) -> None:
        self.steps.append(Step(step, _now(), pairing, now, note))
        self.write()

    def has(self, step: StepName, *, pairing: str | None = None) -> bool:
        return any(s.step == step and (pairing is None or s.pairing == pairing) for s in self.steps)

    def restored_id(self, pairing: str) -> str | None:
        """The id the device gave the snapshot's pairing ``pairing`` when it was put back, if it was."""
        for step in self.steps:
            if step.step == "restored-camera" and step.pairing == pairing:
                return step.now
        return None

    @property
    def vacated(self) -> bool:
        return self.has("vacated-camera") or self.has("vacated-radar")

    @property
    def finished(self) -> bool:
        """A restore ended with a verdict after the last change."""
        return bool(self.steps) and self.steps[-1].step in ("verified", "not-verified")

    @classmethod
    def read(cls, path: Path) -> Journal:
        document = schemas.read_document(path, SCHEMA, "restore journal", JournalError)
        return cls(
            path=path,
            target=document["target"],
            user=document["user"],
            run_id=document["run_id"],
            created=document["created"],
            snapshot=Snapshot.from_dict(document["snapshot"]),
            radar_path=document["radar_path"],
            set_method=document["set_method"],
            steps=[Step(**step) for step in document["steps"]],
        )
