"""Seeded faults: named deviations of the reference emulator, catalogued as data in ``faults.toml``.

A conformance suite is only as strong as the broken devices it notices. Each fault switches on one
small deviation at one point of the emulator (the module that owns the behaviour asks
``faults.active(name)``), and the catalogue tags it with the ledger requirements it breaks, so a
run against the emulator with a fault says whether the suite notices that requirement broken.
The catalogue is validated against the ledger on load: a fault that cites an unknown requirement,
a duplicate name or an unknown layer stops the emulator, not a run's verdicts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..ledger import load_ledger

__all__ = [
    "FAULTS_FILE",
    "LAYERS",
    "NEEDS",
    "NO_FAULTS",
    "CatalogueError",
    "Fault",
    "FaultSet",
    "Layer",
    "UnknownFault",
    "catalogue",
    "parse_catalogue",
    "unbreakable",
]

FAULTS_FILE = Path(__file__).resolve().parent / "faults.toml"

Layer = Literal["api", "persistence", "link", "auth", "transport"]
LAYERS: tuple[Layer, ...] = ("api", "persistence", "link", "auth", "transport")
NEEDS = ("peers", "timing", "restart", "radar-2026-01")
"""What a run needs to observe a fault: hosted peers, a test that waits, a device restart, or an
emulator that follows the 2026-01 radar revision."""

_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FAULT_KEYS = {"name", "breaks", "layer", "summary", "needs"}
_UNBREAKABLE_KEYS = {"id", "why"}


class CatalogueError(ValueError):
    """The catalogue breaks its own rules (the message names the entry and the rule)."""


class UnknownFault(ValueError):
    """A fault name the catalogue does not hold; ``str()`` is one line for the user."""


@dataclass(frozen=True)
class Fault:
    """One deviation: what it breaks, where it acts and what a run needs to see it."""

    name: str
    breaks: tuple[str, ...]
    layer: Layer
    summary: str
    needs: str | None = None


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: {key!r} must be a non-empty string")
    return value


def _fault(entry: Any, index: int, requirements: Iterable[str]) -> Fault:
    where = f"fault #{index}"
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: must be a table")
    name = _text(entry, "name", where)
    where = f"fault {name!r}"
    unknown = sorted(set(entry) - _FAULT_KEYS)
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {unknown}")
    if not _NAME.match(name):
        raise CatalogueError(f"{where}: a name is lower-case words joined by '-'")
    breaks = entry.get("breaks")
    if not isinstance(breaks, list) or not breaks or not all(isinstance(item, str) for item in breaks):
        raise CatalogueError(f"{where}: 'breaks' must list at least one ledger requirement id")
    missing = sorted(set(breaks) - set(requirements))
    if missing:
        raise CatalogueError(f"{where}: breaks requirements the ledger does not hold: {missing}")
    layer = _text(entry, "layer", where)
    if layer not in LAYERS:
        raise CatalogueError(f"{where}: layer must be one of {LAYERS}, not {layer!r}")
    needs = entry.get("needs")
    if needs is not None and needs not in NEEDS:
        raise CatalogueError(f"{where}: needs must be one of {NEEDS}, not {needs!r}")
    return Fault(name, tuple(breaks), layer, _text(entry, "summary", where), needs)


def parse_catalogue(data: Mapping[str, Any], requirements: Iterable[str]) -> tuple[dict[str, Fault], dict[str, str]]:
    """Validate a parsed catalogue against the ledger's requirement ids: (faults by name, why by id)."""
    known = frozenset(requirements)
    if data.get("catalogue_version") != 1:
        raise CatalogueError("catalogue_version must be 1")
    entries = data.get("fault")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("the catalogue has no [[fault]] entries")
    faults: dict[str, Fault] = {}
    for index, entry in enumerate(entries):
        fault = _fault(entry, index, known)
        if fault.name in faults:
            raise CatalogueError(f"fault {fault.name!r}: duplicate name")
        faults[fault.name] = fault
    why: dict[str, str] = {}
    raw = data.get("unbreakable", [])
    if not isinstance(raw, list):
        raise CatalogueError("[[unbreakable]] must be an array of tables")
    for index, entry in enumerate(raw):
        where = f"unbreakable #{index}"
        if not isinstance(entry, dict) or set(entry) != _UNBREAKABLE_KEYS:
            raise CatalogueError(f"{where}: must be a table with exactly {sorted(_UNBREAKABLE_KEYS)}")
        requirement = _text(entry, "id", where)
        if requirement not in known:
            raise CatalogueError(f"{where}: {requirement} is not a ledger requirement")
        if requirement in why:
            raise CatalogueError(f"{where}: {requirement} is listed twice")
        why[requirement] = _text(entry, "why", where)
    return faults, why


@lru_cache(maxsize=2)
def _load(path: Path) -> tuple[dict[str, Fault], dict[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path.name}: not valid TOML: {exc}") from exc
    return parse_catalogue(data, load_ledger())


def catalogue(path: Path | None = None) -> dict[str, Fault]:
    """Every fault by name, in catalogue order (a fresh dict: callers may not edit the cache)."""
    return dict(_load(path or FAULTS_FILE)[0])


def unbreakable(path: Path | None = None) -> dict[str, str]:
    """The requirements no fault breaks, with the catalogue's reason, by requirement id."""
    return dict(_load(path or FAULTS_FILE)[1])


@dataclass(frozen=True)
class FaultSet:
    """The faults an emulator runs with; ``active`` is a set lookup, cheap on every request."""

    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str]) -> FaultSet:
        """The named faults, each checked against the catalogue (:class:`UnknownFault` if not there)."""
        chosen = frozenset(names)
        unknown = sorted(chosen - set(catalogue()))
        if unknown:
            raise UnknownFault(f"unknown fault {', '.join(unknown)} ('paircert emulator --list-faults' names them all)")
        return cls(chosen)

    def active(self, name: str) -> bool:
        return name in self.names

    def __bool__(self) -> bool:
        return bool(self.names)


NO_FAULTS = FaultSet()
