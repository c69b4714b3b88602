"""The published suite strength (paircert/selfcheck/strength.toml) stays true to the catalogue and
is what README says: one reader, checked against its schema and its own arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from paircert.emulator.faults import catalogue
from paircert.selfcheck.strength import STRENGTH_FILE, StrengthError, read_strength

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_published_catalogue_size_is_the_catalogues_size() -> None:
    assert read_strength().catalogue_size == len(catalogue()), (
        f"{STRENGTH_FILE.name} says catalogue_size {read_strength().catalogue_size}; the catalogue holds "
        f"{len(catalogue())} faults: measure again (paircert selfcheck) or correct the figure"
    )


def test_every_published_survivor_is_a_catalogue_fault() -> None:
    known = set(catalogue())
    named = {s.fault for profile in read_strength().profiles.values() for s in profile.survivors}
    assert named - known == set()


def test_readme_says_the_published_figures_and_cites_their_file() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "paircert/selfcheck/strength.toml" in text
    for sentence in read_strength().sentences():
        assert sentence in text, f"README's Suite strength section must say: {sentence}"


def _write(tmp_path: Path, gate: str, full: str = "measured = false", size: int = 10) -> Path:
    path = tmp_path / "strength.toml"
    path.write_text(
        f"strength_version = 1\ncatalogue_size = {size}\n[profiles.gate]\n{gate}\n[profiles.full]\n{full}\n",
        encoding="utf-8",
    )
    return path


MEASURED = """measured = true
commit = "abc1234"
date = "2026-12-01"
command = "paircert selfcheck --profile gate"
faults = 4
killed = 3
on_target = 2
errors = 0
survivors = [{fault = "a-fault", reason = "no test sends it"}]"""


def test_a_measured_profile_says_its_rates_and_an_unmeasured_one_says_so(tmp_path: Path) -> None:
    strength = read_strength(_write(tmp_path, MEASURED))
    assert strength.sentences() == [
        "gate profile: 4 of 10 faults measured (commit abc1234, 2026-12-01): 3 killed (75.0%), "
        "2 on target (50.0%), 1 survived.",
        "full profile: not measured.",
    ]
    assert strength.to_dict()["profiles"]["full"] == {"measured": False, "summary": "full profile: not measured."}


@pytest.mark.parametrize(
    ("gate", "full", "says"),
    [
        pytest.param(MEASURED.replace("killed = 3", "killed = 2"), "measured = false", "is not the 4 faults", id="sum"),
        pytest.param(
            MEASURED.replace("on_target = 2", "on_target = 4"), "measured = false", "more on target", id="target"
        ),
        pytest.param(
            MEASURED.replace("faults = 4", "faults = 11").replace("killed = 3", "killed = 10"),
            "measured = false",
            "the catalogue holds 10",
            id="size",
        ),
        pytest.param("measured = false\nfaults = 3", "measured = false", "profiles.gate", id="figures-unmeasured"),
        pytest.param(MEASURED.replace('commit = "abc1234"\n', ""), "measured = false", "profiles.gate", id="no-commit"),
        pytest.param(MEASURED, "", "profiles.full", id="no-full"),
    ],
)
def test_the_reader_refuses_figures_that_contradict_themselves(tmp_path: Path, gate: str, full: str, says: str) -> None:
    with pytest.raises(StrengthError, match=says):
        read_strength(_write(tmp_path, gate, full))


def test_a_survivor_listed_twice_is_refused(tmp_path: Path) -> None:
    twice = MEASURED.replace("faults = 4", "faults = 5").replace(
        'survivors = [{fault = "a-fault", reason = "no test sends it"}]',
        'survivors = [{fault = "a-fault", reason = "x"}, {fault = "a-fault", reason = "y"}]',
    )
    with pytest.raises(StrengthError, match="listed twice"):
        read_strength(_write(tmp_path, twice))
