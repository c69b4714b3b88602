"""``paircert verify``: recompute what a declaration stands on and say what, if anything, was edited.

Four checks, each said when made and when it could not be made:

1. the content hash over the declaration's own canonical JSON (always);
2. the artifacts listed in it, where they lie beside it (results.json, junit.xml, report.html,
   claims.toml ...), and the page declaration.html rendered again from the JSON;
3. the schemas and the ledger of the installed suite, when its version is the declaration's;
4. the declaration built again from results.json, claims.toml, suite-strength.toml and that ledger,
   when all are the files it was made from: so an edited verdict is named
   (``requirements[CP-LIST-GET].verdict``), not only noticed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from paircert import schemas
from paircert.declaration.build import Discovered, Inputs, build_declaration, content_hash
from paircert.declaration.claims import ClaimsError, load_claims
from paircert.declaration.hashes import (
    file_hash,
    installed_ledger_hashes,
    installed_schema_hashes,
    ledger_version,
)
from paircert.declaration.render import render_declaration
from paircert.declaration.write import (
    CLAIMS_COPY,
    DECLARATION_HTML,
    DECLARATION_SCHEMA,
    RESULTS_JSON,
    STRENGTH_COPY,
    seal,
)
from paircert.ledger import load_ledger
from paircert.selfcheck.strength import StrengthError, read_strength

__all__ = ["Verification", "verify"]

_KEYS = ("id", "requirement", "capability")


@dataclass
class Verification:
    """What differs (one line each), what was compared, and what could not be."""

    differences: list[str] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)

    @property
    def untouched(self) -> bool:
        return not self.differences


def _installed_version() -> str:
    try:
        return metadata.version("paircert")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _label(item: Any, index: int) -> str:
    if isinstance(item, Mapping):
        for key in _KEYS:
            name = item.get(key)
            if isinstance(name, str):
                return name
    return str(index)


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Every scalar of a JSON value by its path; list items are named by their id where they have one."""
    if isinstance(value, Mapping):
        found: dict[str, Any] = {}
        for key, item in value.items():
            found.update(_leaves(item, f"{path}.{key}" if path else str(key)))
        return found or {path: {}}
    if isinstance(value, list):
        found = {}
        for index, item in enumerate(value):
            found.update(_leaves(item, f"{path}[{_label(item, index)}]"))
        return found or {path: []}
    return {path: value}


def _edited_fields(stored: Mapping[str, Any], rebuilt: Mapping[str, Any]) -> list[str]:
    old, new = _leaves(stored), _leaves(rebuilt)
    lines = []
    for path in sorted(set(old) | set(new)):
        if path.startswith("content_sha256") or old.get(path, ...) == new.get(path, ...):
            continue
        says = repr(old[path]) if path in old else "nothing"
        gives = repr(new[path]) if path in new else "nothing"
        lines.append(f"edited: {path}: the declaration says {says}, the run's files give {gives}")
    return lines


def _compare_files(kind: str, recorded: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    lines = []
    for name in sorted(set(recorded) | set(actual)):
        if name not in actual:
            lines.append(f"{kind} {name}: in the declaration, missing from the installed suite")
        elif name not in recorded:
            lines.append(f"{kind} {name}: in the installed suite, not in the declaration")
        elif recorded[name] != actual[name]:
            lines.append(f"{kind} {name}: sha256 differs from the installed suite's")
    return lines


def _artifacts(folder: Path, recorded: Mapping[str, str], result: Verification) -> dict[str, bool]:
    """Compare the artifacts beside the declaration; say which are present and intact."""
    intact = {}
    for name, digest in sorted(recorded.items()):
        path = folder / name
        if not path.is_file():
            result.not_compared.append(f"artifact {name} (not beside the declaration)")
            continue
        intact[name] = file_hash(path) == digest
        result.compared.append(f"artifact {name}")
        if not intact[name]:
            result.differences.append(f"edited: artifact {name}: sha256 differs from the declaration's")
    return intact


def _rebuild(folder: Path, declaration: Mapping[str, Any], intact: Mapping[str, bool], result: Verification) -> None:
    if not intact.get(RESULTS_JSON):
        result.not_compared.append("the rebuild from results.json (absent or edited)")
        return
    claims = None
    if declaration["claims"] is not None:
        if not intact.get(CLAIMS_COPY):
            result.not_compared.append(f"the rebuild ({CLAIMS_COPY} absent or edited)")
            return
        try:
            claims = load_claims(folder / CLAIMS_COPY)
        except ClaimsError as exc:
            result.not_compared.append(f"the rebuild ({exc})")
            return
    strength = None
    if declaration["suite_strength"] is not None:
        if not intact.get(STRENGTH_COPY):
            result.not_compared.append(f"the rebuild ({STRENGTH_COPY} absent or edited)")
            return
        try:
            strength = read_strength(folder / STRENGTH_COPY).to_dict()
        except StrengthError as exc:
            result.not_compared.append(f"the rebuild ({exc})")
            return
    rebuilt = seal(
        build_declaration(
            Inputs(
                results=json.loads((folder / RESULTS_JSON).read_text(encoding="utf-8")),
                ledger=load_ledger(),
                ledger_version=ledger_version(),
                claims=claims,
                discovered=Discovered.from_dict(declaration["discovered"]),
                set_method=declaration["run"]["set_method"],
                issued=declaration["issued"],
                hashes=declaration["hashes"],
                strength=strength,
            )
        )
    )
    result.compared.append("every field, rebuilt from results.json, the claims, the suite strength and the ledger")
    result.differences += _edited_fields(declaration, rebuilt)


def verify(path: Path) -> Verification:
    """Check the declaration at ``path`` against its own hash and the files it names."""
    result = Verification()
    try:
        declaration = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result.differences.append(f"unreadable: {path}: {exc}")
        return result
    problems = schemas.validate(DECLARATION_SCHEMA, declaration)
    if problems:
        result.differences += [f"malformed: {problem}" for problem in problems]
        return result
    result.compared.append("content hash")
    if content_hash(declaration) != declaration["content_sha256"]:
        result.differences.append("edited: content_sha256 does not match the declaration's content")
    folder = path.parent
    intact = _artifacts(folder, declaration["hashes"]["artifacts"], result)
    page = folder / DECLARATION_HTML
    if page.is_file():
        result.compared.append(DECLARATION_HTML)
        if page.read_text(encoding="utf-8") != render_declaration(declaration):
            result.differences.append(f"edited: {DECLARATION_HTML} is not the rendering of {path.name}")
    else:
        result.not_compared.append(f"{DECLARATION_HTML} (not beside the declaration)")
    version = _installed_version()
    if version != declaration["suite"]["version"]:
        result.not_compared.append(
            f"schemas and ledger (installed suite {version}, declaration made by {declaration['suite']['version']})"
        )
        return result
    ledger_lines = _compare_files("ledger", declaration["hashes"]["ledger"], installed_ledger_hashes())
    result.differences += [f"edited: {line}" for line in ledger_lines]
    result.differences += [
        f"edited: {line}"
        for line in _compare_files("schema", declaration["hashes"]["schemas"], installed_schema_hashes())
    ]
    result.compared += ["the installed suite's schemas", "the installed suite's ledger"]
    if ledger_lines:
        result.not_compared.append("the rebuild (the installed ledger is not the declaration's)")
        return result
    _rebuild(folder, declaration, intact, result)
    return result
