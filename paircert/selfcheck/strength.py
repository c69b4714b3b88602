"""The suite's published strength: the kill rate per profile as last measured, and its one reader.

The figures live in ``strength.toml`` beside this module (data, not code), checked against
``schemas/selfcheck/strength.json`` and against their own arithmetic before they become records.
README's "Suite strength", the report of a certification run and the declaration all say them
through :meth:`ProfileStrength.sentence`, so the three cannot drift apart. The module imports
only the schema loader: the report and the declaration read it without depending on the
machinery that measures.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paircert import schemas

__all__ = ["STRENGTH_FILE", "ProfileStrength", "StrengthError", "SuiteStrength", "Survivor", "read_strength"]

STRENGTH_FILE = Path(__file__).resolve().parent / "strength.toml"
SCHEMA = "selfcheck/strength"
SOURCE = "paircert/selfcheck/strength.toml"
"""How the figures are named where they are cited."""


class StrengthError(ValueError):
    """The strength file breaks its schema or its arithmetic; ``str()`` names the file and the rule."""


@dataclass(frozen=True)
class Survivor:
    fault: str
    reason: str


@dataclass(frozen=True)
class ProfileStrength:
    """One profile's measurement, or ``measured=False`` (then every figure is empty)."""

    profile: str
    measured: bool
    commit: str = ""
    date: str = ""
    command: str = ""
    note: str = ""
    faults: int = 0
    killed: int = 0
    on_target: int = 0
    errors: int = 0
    survivors: tuple[Survivor, ...] = ()

    def sentence(self, catalogue_size: int) -> str:
        """The figures in one sentence, as README, the report and the declaration say them."""
        if not self.measured:
            return f"{self.profile} profile: not measured."
        errors = f", {self.errors} without a verdict" if self.errors else ""
        return (
            f"{self.profile} profile: {self.faults} of {catalogue_size} faults measured "
            f"(commit {self.commit}, {self.date}): {self.killed} killed ({_percent(self.killed, self.faults)}), "
            f"{self.on_target} on target ({_percent(self.on_target, self.faults)}), "
            f"{len(self.survivors)} survived{errors}."
        )

    def to_dict(self, catalogue_size: int) -> dict[str, Any]:
        if not self.measured:
            return {"measured": False, "summary": self.sentence(catalogue_size)}
        return {
            "measured": True,
            "commit": self.commit,
            "date": self.date,
            "command": self.command,
            "note": self.note,
            "faults": self.faults,
            "killed": self.killed,
            "on_target": self.on_target,
            "errors": self.errors,
            "survivors": [{"fault": s.fault, "reason": s.reason} for s in self.survivors],
            "summary": self.sentence(catalogue_size),
        }


@dataclass(frozen=True)
class SuiteStrength:
    catalogue_size: int
    profiles: Mapping[str, ProfileStrength]

    def sentences(self) -> list[str]:
        return [profile.sentence(self.catalogue_size) for profile in self.profiles.values()]

    def to_dict(self) -> dict[str, Any]:
        """As the declaration carries it (``suite_strength``)."""
        return {
            "source": SOURCE,
            "catalogue_size": self.catalogue_size,
            "profiles": {name: profile.to_dict(self.catalogue_size) for name, profile in self.profiles.items()},
        }


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def _profile(name: str, data: Mapping[str, Any], catalogue_size: int, where: str) -> ProfileStrength:
    if not data["measured"]:
        return ProfileStrength(name, measured=False)
    profile = ProfileStrength(
        name,
        measured=True,
        commit=data["commit"],
        date=data["date"],
        command=data["command"],
        note=data.get("note", ""),
        faults=data["faults"],
        killed=data["killed"],
        on_target=data["on_target"],
        errors=data["errors"],
        survivors=tuple(Survivor(item["fault"], item["reason"]) for item in data["survivors"]),
    )
    if profile.killed + len(profile.survivors) + profile.errors != profile.faults:
        raise StrengthError(
            f"{where}: profile {name}: killed {profile.killed} + {len(profile.survivors)} survivors + errors "
            f"{profile.errors} is not the {profile.faults} faults measured"
        )
    if profile.on_target > profile.killed:
        raise StrengthError(f"{where}: profile {name}: more on target ({profile.on_target}) than killed")
    if profile.faults > catalogue_size:
        raise StrengthError(
            f"{where}: profile {name}: {profile.faults} faults measured, the catalogue holds {catalogue_size}"
        )
    names = [survivor.fault for survivor in profile.survivors]
    if len(names) != len(set(names)):
        raise StrengthError(f"{where}: profile {name}: a survivor is listed twice")
    return profile


def read_strength(path: Path = STRENGTH_FILE) -> SuiteStrength:
    """The figures in ``path``, checked (:class:`StrengthError` names what is wrong)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StrengthError(f"{path.name}: cannot be read: {exc}") from None
    problems = schemas.validate(SCHEMA, data, check_formats=True)
    if problems:
        raise StrengthError(f"{path.name}: {problems[0]}")
    size = data["catalogue_size"]
    return SuiteStrength(
        size, {name: _profile(name, data["profiles"][name], size, path.name) for name in ("gate", "full")}
    )
