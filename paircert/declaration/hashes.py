"""SHA-256 of the files a declaration stands on: the run's artifacts, the schemas and the ledger.

Paths are relative and POSIX-style so that a declaration checked on another machine, or after the
run folder was moved, names the same files.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from paircert.ledger import LEDGER_FILE
from paircert.resources import data_dir

__all__ = [
    "DECLARATION_FILES",
    "artifact_hashes",
    "file_hash",
    "installed_ledger_hashes",
    "installed_schema_hashes",
    "ledger_version",
]

DECLARATION_FILES = ("declaration.json", "declaration.html")
"""Written after the hashes are taken, so never among the artifacts."""
_NOT_ARTIFACTS = ("hypothesis",)
"""The example database and caches hypothesis keeps in the run folder: working state, not results."""


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and relative.parts[0] not in skip:
            found[relative.as_posix()] = file_hash(path)
    return found


def artifact_hashes(run_dir: Path) -> dict[str, str]:
    """Every file the run wrote into its folder, except the declaration itself and hypothesis' state."""
    return _tree(run_dir, _NOT_ARTIFACTS + DECLARATION_FILES)


def installed_schema_hashes() -> dict[str, str]:
    """Every file under the installed suite's ``schemas/`` (schemas, catalogues, the OpenAPI document)."""
    return _tree(data_dir("schemas"))


def installed_ledger_hashes() -> dict[str, str]:
    return {LEDGER_FILE.name: file_hash(LEDGER_FILE)}


def ledger_version() -> int:
    with LEDGER_FILE.open("rb") as stream:
        return int(tomllib.load(stream)["ledger_version"])
