"""A certification run's declaration and report cite the suite's published strength, from a copy
in the run folder, so the declaration stays a pure function of the run's files and
``paircert verify`` names an edited figure."""

from __future__ import annotations

import dataclasses
import json
from importlib.metadata import version
from pathlib import Path

from paircert import schemas
from paircert.declaration.build import Discovered
from paircert.declaration.render import render_declaration
from paircert.declaration.verify import verify
from paircert.declaration.write import DECLARATION_SCHEMA, STRENGTH_COPY, write_declaration
from paircert.report import records
from paircert.report.html import write_report
from paircert.selfcheck.strength import read_strength


def _run() -> records.RunRecord:
    meta = records.RunMetadata(
        run_id="r1",
        target_url="http://192.0.2.10",
        embedded=False,
        profile="certification",
        seed=1,
        suite_version=version("paircert"),
        schema_version="s",
        device={"ProdNbr": "Q1656", "Version": "11.5.2"},
    )
    test = records.TestRecord(
        nodeid="suites/a.py::test_list",
        outcome="passed",
        verdict="pass",
        requirements=["CP-LIST-GET"],
        observations={},
        duration=0.1,
    )
    return records.RunRecord(meta, [test], untested_requirements=[])


def _run_folder(tmp_path: Path) -> Path:
    """A finished run's folder (results.json as the recorder writes it) with its declaration."""
    (tmp_path / "results.json").write_text(_run().to_json(), encoding="utf-8")
    write_declaration(tmp_path, claims=None, claims_file=None, discovered=Discovered(), set_method="PATCH")
    return tmp_path


def test_the_declaration_carries_the_published_strength_and_its_page_says_it(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    declaration = json.loads((folder / "declaration.json").read_text(encoding="utf-8"))
    assert schemas.validate(DECLARATION_SCHEMA, declaration) == []
    published = read_strength()
    assert declaration["suite_strength"] == published.to_dict()
    assert STRENGTH_COPY in declaration["hashes"]["artifacts"]
    page = " ".join(render_declaration(declaration).split())
    for sentence in published.sentences():
        assert sentence in page


def test_verify_names_an_edited_strength_figure(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    copy = folder / STRENGTH_COPY
    killed = read_strength().to_dict()["profiles"]["gate"]["killed"]
    text = copy.read_text(encoding="utf-8")
    assert f"killed = {killed}\n" in text
    copy.write_text(text.replace(f"killed = {killed}\n", f"killed = {killed + 1}\n"), encoding="utf-8")
    assert verify(folder / "declaration.json").differences == [
        f"edited: artifact {STRENGTH_COPY}: sha256 differs from the declaration's"
    ]


def test_a_declaration_whose_strength_was_edited_is_named_by_the_rebuild(tmp_path: Path) -> None:
    folder = _run_folder(tmp_path)
    path = folder / "declaration.json"
    declaration = json.loads(path.read_text(encoding="utf-8"))
    killed = declaration["suite_strength"]["profiles"]["gate"]["killed"]
    declaration["suite_strength"]["profiles"]["gate"]["killed"] = killed + 4
    path.write_text(json.dumps(declaration), encoding="utf-8")
    assert (
        f"edited: suite_strength.profiles.gate.killed: the declaration says {killed + 4}, the run's files give {killed}"
        in verify(path).differences
    )


def _report(tmp_path: Path, profile: str) -> str:
    run = records.RunRecord(dataclasses.replace(_run().metadata, profile=profile), [], untested_requirements=[])
    path = tmp_path / profile / "report.html"
    write_report(path, run, {})
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_report_of_a_certification_run_cites_the_published_strength(tmp_path: Path) -> None:
    page = _report(tmp_path, "certification")
    assert "paircert/selfcheck/strength.toml" in page
    for sentence in read_strength().sentences():
        assert sentence in page


def test_the_report_of_another_profile_does_not(tmp_path: Path) -> None:
    assert "strength.toml" not in _report(tmp_path, "gate")
