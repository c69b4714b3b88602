"""The requirements ledger: every assertion the suites check, with its source and revision.

The ledger is data (``requirements.toml`` beside this module) so that a change of a vendor
document is a reviewable diff of statements, not of code. It is validated on load, because the
plugin rejects unknown requirement IDs at collection and the report prints the statements
verbatim: a malformed ledger must stop a run, not produce a wrong matrix.

A statement the suites deliberately do not enforce may carry an ID too (``[[untested]]`` with
``id``): generated cases that break it name it, and the suites record what the device did as
observed behaviour instead of failing it. :func:`rule_level` is how code asks which one an ID is.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

__all__ = [
    "LEDGER_FILE",
    "LedgerError",
    "Level",
    "Requirement",
    "Source",
    "Untested",
    "load_ledger",
    "load_sources",
    "not_enforced",
    "parse_ledger",
    "rule_level",
    "untested_statements",
]

LEDGER_FILE = Path(__file__).resolve().parent / "requirements.toml"

Level = Literal["documented", "inferred"]
_LEVELS = ("documented", "inferred")
_ID = re.compile(r"^[A-Z]+(?:-[A-Z0-9]+)+$")
_REQUIREMENT_KEYS = {"id", "api", "source", "section", "statement", "level", "deferred_to"}
_UNTESTED_KEYS = {"id", "source", "section", "statement", "reason"}
_SOURCE_KEYS = {"title", "url", "revision", "revision_note"}


class LedgerError(ValueError):
    """The ledger file breaks its own rules (the message names the entry and the rule)."""


@dataclass(frozen=True)
class Source:
    """A document the ledger was synced to, at the revision named here."""

    id: str
    title: str
    url: str
    revision: str
    revision_note: str


@dataclass(frozen=True)
class Requirement:
    """One testable statement of a source document."""

    id: str
    api: str
    source: str
    section: str
    statement: str
    level: Level
    revision: str = ""
    deferred_to: str | None = None

    @property
    def assertion(self) -> str:
        """The statement in the ledger's "section: statement" form."""
        return f"{self.section}: {self.statement}"


@dataclass(frozen=True)
class Untested:
    """A statement of a source that the suites deliberately do not enforce, and why.

    ``id`` is set when code names the statement (a generated case that breaks it): such a case is
    recorded as observed, never failed."""

    id: str | None
    source: str
    section: str
    statement: str
    reason: str
    revision: str

    def __str__(self) -> str:
        return f"[{self.source} {self.revision}] {self.section}: {self.statement} -- not tested: {self.reason}"


@dataclass(frozen=True)
class _Ledger:
    sources: dict[str, Source]
    requirements: dict[str, Requirement]
    untested: tuple[Untested, ...]


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LedgerError(f"{where}: {key!r} must be a non-empty string")
    return value


def _check_keys(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise LedgerError(f"{where}: unknown keys {unknown}")


def _sources(raw: Any) -> dict[str, Source]:
    if not isinstance(raw, dict) or not raw:
        raise LedgerError("[sources] must name at least one source")
    sources: dict[str, Source] = {}
    for source_id, entry in raw.items():
        where = f"source {source_id!r}"
        if not isinstance(entry, dict):
            raise LedgerError(f"{where}: must be a table")
        _check_keys(entry, _SOURCE_KEYS, where)
        sources[source_id] = Source(
            id=source_id,
            title=_text(entry, "title", where),
            url=_text(entry, "url", where),
            revision=_text(entry, "revision", where),
            revision_note=_text(entry, "revision_note", where),
        )
    return sources


def _apis(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw or not all(isinstance(v, str) and v for v in raw.values()):
        raise LedgerError("[apis] must map each API name to its ID prefix")
    return cast(dict[str, str], raw)


def _requirement(entry: Any, index: int, apis: dict[str, str], sources: dict[str, Source]) -> Requirement:
    where = f"requirement #{index}"
    if not isinstance(entry, dict):
        raise LedgerError(f"{where}: must be a table")
    req_id = _text(entry, "id", where)
    where = f"requirement {req_id}"
    _check_keys(entry, _REQUIREMENT_KEYS, where)
    if not _ID.match(req_id):
        raise LedgerError(f"{where}: ID must be upper-case words joined by '-'")
    api = _text(entry, "api", where)
    if api not in apis:
        raise LedgerError(f"{where}: unknown api {api!r} (known: {sorted(apis)})")
    if not req_id.startswith(apis[api] + "-"):
        raise LedgerError(f"{where}: IDs of api {api!r} start with {apis[api]}-")
    source = _text(entry, "source", where)
    if source not in sources:
        raise LedgerError(f"{where}: unknown source {source!r}")
    level = _text(entry, "level", where)
    if level not in _LEVELS:
        raise LedgerError(f"{where}: level must be one of {_LEVELS}, not {level!r}")
    deferred = entry.get("deferred_to")
    if deferred is not None:
        deferred = _text(entry, "deferred_to", where)
    return Requirement(
        id=req_id,
        api=api,
        source=source,
        section=_text(entry, "section", where),
        statement=_text(entry, "statement", where),
        level=cast(Level, level),
        revision=sources[source].revision,
        deferred_to=deferred,
    )


def _untested(entry: Any, index: int, apis: dict[str, str], sources: dict[str, Source]) -> Untested:
    where = f"untested #{index}"
    if not isinstance(entry, dict):
        raise LedgerError(f"{where}: must be a table")
    _check_keys(entry, _UNTESTED_KEYS, where)
    untested_id = entry.get("id")
    if untested_id is not None:
        untested_id = _text(entry, "id", where)
        where = f"untested {untested_id}"
        if not _ID.match(untested_id) or untested_id.split("-", 1)[0] not in apis.values():
            raise LedgerError(f"{where}: ID must be upper-case words joined by '-' with a known API prefix")
    source = _text(entry, "source", where)
    if source not in sources:
        raise LedgerError(f"{where}: unknown source {source!r}")
    return Untested(
        id=untested_id,
        source=source,
        section=_text(entry, "section", where),
        statement=_text(entry, "statement", where),
        reason=_text(entry, "reason", where),
        revision=sources[source].revision,
    )


def parse_ledger(data: Mapping[str, Any]) -> tuple[dict[str, Source], dict[str, Requirement], list[Untested]]:
    """Validate a parsed ledger document; raise :class:`LedgerError` at the first broken rule."""
    if data.get("ledger_version") != 1:
        raise LedgerError("ledger_version must be 1")
    sources = _sources(data.get("sources"))
    apis = _apis(data.get("apis"))
    entries = data.get("requirement")
    if not isinstance(entries, list) or not entries:
        raise LedgerError("the ledger has no [[requirement]] entries")
    requirements: dict[str, Requirement] = {}
    for index, entry in enumerate(entries):
        requirement = _requirement(entry, index, apis, sources)
        if requirement.id in requirements:
            raise LedgerError(f"requirement {requirement.id}: duplicate ID")
        requirements[requirement.id] = requirement
    untested_raw = data.get("untested", [])
    if not isinstance(untested_raw, list):
        raise LedgerError("[[untested]] must be an array of tables")
    untested = [_untested(entry, index, apis, sources) for index, entry in enumerate(untested_raw)]
    named = [u.id for u in untested if u.id is not None]
    for untested_id in named:
        if untested_id in requirements or named.count(untested_id) > 1:
            raise LedgerError(f"untested {untested_id}: duplicate ID")
    return sources, requirements, untested


@lru_cache(maxsize=4)
def _load(path: Path) -> _Ledger:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LedgerError(f"{path.name}: not valid TOML: {exc}") from exc
    sources, requirements, untested = parse_ledger(data)
    return _Ledger(sources, requirements, tuple(untested))


def load_ledger(path: Path | None = None) -> dict[str, Requirement]:
    """Every requirement by ID, in ledger order (a fresh dict: callers may not edit the cache)."""
    return dict(_load(path or LEDGER_FILE).requirements)


def load_sources(path: Path | None = None) -> dict[str, Source]:
    """The documents and revisions the ledger was synced to, by source ID."""
    return dict(_load(path or LEDGER_FILE).sources)


def untested_statements(path: Path | None = None) -> list[str]:
    """Statements of the sources that no suite tests, each with its source, revision and why."""
    return [str(untested) for untested in _load(path or LEDGER_FILE).untested]


def not_enforced(path: Path | None = None) -> dict[str, Untested]:
    """The untested statements that carry an ID, by ID."""
    return {u.id: u for u in _load(path or LEDGER_FILE).untested if u.id is not None}


def rule_level(rule_id: str, path: Path | None = None) -> Level | None:
    """The ledger level of a requirement, or None for a statement the suites do not enforce.

    Raises :class:`LedgerError` for an ID the ledger lacks: code may only cite what the ledger holds."""
    ledger = _load(path or LEDGER_FILE)
    requirement = ledger.requirements.get(rule_id)
    if requirement is not None:
        return requirement.level
    if any(u.id == rule_id for u in ledger.untested):
        return None
    raise LedgerError(f"{rule_id}: not in the ledger (neither a requirement nor a named untested statement)")
