"""The ledger is well formed and the suites and the ledger cite each other both ways.

Citations are read statically (``ast``) from the suites' source, so this test needs no device and
catches a requirement that lost its last test the moment the test is deleted.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paircert.ledger import LedgerError, Requirement, load_ledger, load_sources, parse_ledger, untested_statements
from paircert.resources import data_dir

SUITES = data_dir("suites")


def _requirement_calls(tree: ast.AST) -> Iterator[ast.Call]:
    """Every ``pytest.mark.requirement(...)`` / ``mark.requirement(...)`` call, wherever it sits
    (decorators, module-level ``pytestmark``, ``pytest.param(marks=...)``)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "requirement"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "mark"
        ):
            yield node


def _suite_files() -> list[Path]:
    return sorted(SUITES.rglob("test_*.py"))


def _citations() -> dict[str, set[str]]:
    """Requirement ID -> the suite files citing it."""
    cited: dict[str, set[str]] = {}
    for path in _suite_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for call in _requirement_calls(tree):
            for arg in call.args:
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    raise AssertionError(f"{path}:{call.lineno}: requirement IDs must be string literals")
                cited.setdefault(arg.value, set()).add(str(path.relative_to(SUITES)))
    return cited


def _valid_document() -> dict[str, Any]:
    return {
        "ledger_version": 1,
        "apis": {"camera-pairing": "CP"},
        "sources": {"doc": {"title": "t", "url": "u", "revision": "2025-09-10", "revision_note": "n"}},
        "requirement": [
            {
                "id": "CP-A",
                "api": "camera-pairing",
                "source": "doc",
                "section": "s",
                "statement": "x",
                "level": "documented",
            }
        ],
        "untested": [{"source": "doc", "section": "s", "statement": "y", "reason": "z"}],
    }


def test_ledger_loads_with_unique_ids_and_known_levels() -> None:
    ledger = load_ledger()
    assert len(ledger) >= 80
    for req_id, requirement in ledger.items():
        assert isinstance(requirement, Requirement)
        assert requirement.id == req_id
        assert requirement.level in ("documented", "inferred")
        assert requirement.statement.strip() and requirement.section.strip()
        assert requirement.revision, f"{req_id} names no document revision"


def test_ledger_covers_every_api_prefix() -> None:
    prefixes = {req_id.split("-", 1)[0] for req_id in load_ledger()}
    assert prefixes == {"CP", "DCA", "RP", "VAPIX", "DISC"}


def test_ledger_is_synced_to_the_named_document_revisions() -> None:
    sources = load_sources()
    assert sources["camera-pairing"].revision == "2025-09-10"
    assert sources["radar-pairing"].revision == "2025-08-18"
    assert sources["protocol-notes"].revision.startswith("sha256:")


STREAMING = {
    "CP-ERROR-LOST-CONNECTION",
    "CP-ERROR-UNAUTHORIZED",
    "CP-ERROR-COULD-NOT-CONNECT",
    "CP-STATUS-PAIRED",
    "CP-STATUS-CONNECTING",
    "CP-STATUS-ERROR",
    "CP-VERIFYCERT-SRTSP",
    "CP-VERIFYCERT-RTSP-IGNORED",
    "CP-PRODUCT-FROM-PEER",
    "RP-STATE-OK",
    "RP-STATE-ADDRESS-FAILED",
    "RP-STATE-CONNECT-FAILED",
    "RP-STATE-AUTH-FAILED",
    "RP-STATE-TRANSFER-FAILED",
    "RP-TLS-VERIFY",
}


def test_deferred_requirements_are_documented_and_say_where_they_go() -> None:
    deferred = [r for r in load_ledger().values() if r.deferred_to is not None]
    assert all(r.level == "documented" and r.deferred_to for r in deferred)


def test_streaming_requirements_are_no_longer_deferred_and_the_streaming_suite_cites_them() -> None:
    """Issue 4 built the peers: the statuses, codes and radar states they provoke are tested for real."""
    ledger = load_ledger()
    assert STREAMING <= set(ledger)
    assert not [rid for rid in STREAMING if ledger[rid].deferred_to is not None]
    cited = _citations()
    uncited = sorted(rid for rid in STREAMING if not any(f.startswith("streaming/") for f in cited.get(rid, ())))
    assert not uncited, f"streaming requirements no test in suites/streaming/ cites: {uncited}"


def test_untested_statements_each_give_a_reason() -> None:
    statements = untested_statements()
    assert statements
    assert all(" -- not tested: " in s and s.split(" -- not tested: ", 1)[1].strip() for s in statements)


def test_every_documented_requirement_is_cited_by_a_conformance_test() -> None:
    cited = _citations()
    missing = sorted(
        r.id for r in load_ledger().values() if r.level == "documented" and r.deferred_to is None and r.id not in cited
    )
    assert not missing, f"documented requirements without a conformance test: {missing}"


def test_every_cited_requirement_exists_in_the_ledger() -> None:
    ledger = load_ledger()
    unknown = {req_id: sorted(files) for req_id, files in _citations().items() if req_id not in ledger}
    assert not unknown, f"suites cite IDs the ledger does not have: {unknown}"


def test_citation_scanner_finds_decorators_and_module_pytestmark() -> None:
    source = (
        "import pytest\n"
        "pytestmark = [pytest.mark.requirement('RP-A')]\n"
        "@pytest.mark.requirement('RP-B', 'RP-C')\n"
        "def test_x(): pass\n"
        "@pytest.mark.parametrize('v', [pytest.param(1, marks=pytest.mark.requirement('RP-D'))])\n"
        "def test_y(v): pass\n"
    )
    calls = _requirement_calls(ast.parse(source))
    found = {arg.value for call in calls for arg in call.args if isinstance(arg, ast.Constant)}
    assert found == {"RP-A", "RP-B", "RP-C", "RP-D"}


def test_parse_ledger_accepts_a_minimal_valid_document() -> None:
    sources, requirements, untested = parse_ledger(_valid_document())
    assert requirements["CP-A"].revision == "2025-09-10"
    assert requirements["CP-A"].assertion == "s: x"
    assert sources["doc"].title == "t"
    assert untested == ["[doc 2025-09-10] s: y -- not tested: z"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["requirement"].append(dict(d["requirement"][0])), "duplicate ID"),
        (lambda d: d["requirement"][0].update(level="assumed"), "level must be one of"),
        (lambda d: d["requirement"][0].update(api="radar-pairing"), "unknown api"),
        (lambda d: d["requirement"][0].update(statement="  "), "'statement' must be a non-empty string"),
        (lambda d: d["requirement"][0].update(id="RP-A"), "start with CP-"),
        (lambda d: d["requirement"][0].update(id="cp-a"), "upper-case words"),
        (lambda d: d["requirement"][0].update(source="nowhere"), "unknown source"),
        (lambda d: d["requirement"][0].update(deferred_to=""), "'deferred_to' must be a non-empty string"),
        (lambda d: d["requirement"][0].update(colour="red"), "unknown keys"),
        (lambda d: d["untested"][0].pop("reason"), "'reason' must be a non-empty string"),
        (lambda d: d.update(ledger_version=2), "ledger_version"),
        (lambda d: d.update(requirement=[]), "no [[requirement]]"),
    ],
)
def test_parse_ledger_rejects_a_broken_rule(mutate: Any, message: str) -> None:
    document = copy.deepcopy(_valid_document())
    mutate(document)
    with pytest.raises(LedgerError, match=re.escape(message)):
        parse_ledger(document)


def test_load_ledger_rejects_invalid_toml(tmp_path: Path) -> None:
    broken = tmp_path / "requirements.toml"
    broken.write_text("ledger_version = [", encoding="utf-8")
    with pytest.raises(LedgerError, match="not valid TOML"):
        load_ledger(broken)


def test_load_ledger_returns_a_copy_callers_cannot_corrupt() -> None:
    first = load_ledger()
    first.clear()
    assert load_ledger()
