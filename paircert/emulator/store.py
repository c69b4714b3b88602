"""The state directory: one JSON file, replaced atomically on every acknowledged change.

A write goes to a temporary file in the same directory, is fsynced, renamed over the old file with
``os.replace`` and the directory is fsynced, so after a crash at any instant the file is either
the old state or the new one, never a torn mix. Callers save before they answer, so every change a
client saw acknowledged survives ``kill -9``. The file holds passwords (the device needs them to
dial), so it is created readable by its owner only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from paircert.atomicfile import write_atomically

__all__ = ["StateStore"]

STATE_FILE = "state.json"
_TEMP_PREFIX = ".state-"
_TEMP_SUFFIX = ".tmp"


class StateStore:
    def __init__(self, state_dir: Path) -> None:
        self.dir = Path(state_dir)
        self.path = self.dir / STATE_FILE

    def load(self) -> dict[str, Any] | None:
        """The last saved record, or None on a fresh directory. Leftover temp files are removed."""
        self.dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.dir.glob(f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        record = json.loads(text)
        if not isinstance(record, dict):
            raise ValueError(f"{self.path} does not hold a JSON object")
        return record

    def save(self, record: dict[str, Any]) -> None:
        data = json.dumps(record, indent=1, sort_keys=True).encode("utf-8")
        write_atomically(self.path, data, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
