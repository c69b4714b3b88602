"""The ledger is well formed and the code and the ledger cite each other both ways.

Citations are read statically (``ast``) from the source, so this test needs no device and catches a
requirement that lost its last test the moment the test is deleted. Two readings: the suites'
``requirement`` markers (every documented requirement has a conformance test), and every string
in the code that checks devices (suites, strategies, the oracle checks), where a rule ID written
in a message or a case label must exist in the ledger as well.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paircert.ledger import (
    LedgerError,
    Requirement,
    load_ledger,
    load_sources,
    not_enforced,
    parse_ledger,
    rule_level,
    untested_statements,
)
from paircert.plugin import oracle
from paircert.resources import data_dir

SUITES = data_dir("suites")
ROOT = Path(__file__).resolve().parent.parent
CHECKING_CODE = (SUITES, ROOT / "strategies", Path(oracle.__file__))
# A ledger ID in a string; one followed by "-" is the fixed start of an ID built at run time
# (f"[CP-SET-{prop.upper()}]"), whose possible values the requirement markers cite.
_CITED_ID = re.compile(r"\b(?:CP|DCA|RP|VAPIX|DISC)(?:-[A-Z0-9]+)+\b(?!-)")


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


def _ids_in_strings(source: str) -> set[str]:
    """Every ledger-ID-shaped token in the string literals (f-string parts and docstrings included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found |= set(_CITED_ID.findall(node.value))
    return found


def _code_citations() -> dict[str, set[str]]:
    """Rule ID -> the files of checking code whose strings name it."""
    cited: dict[str, set[str]] = {}
    for place in CHECKING_CODE:
        for path in sorted(place.rglob("*.py")) if place.is_dir() else [place]:
            for rule_id in _ids_in_strings(path.read_text(encoding="utf-8")):
                cited.setdefault(rule_id, set()).add(str(path.relative_to(ROOT)))
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
    assert [str(u) for u in untested] == ["[doc 2025-09-10] s: y -- not tested: z"]
    assert untested[0].id is None


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
        (lambda d: d["untested"][0].update(id="CP-A"), "untested CP-A: duplicate ID"),
        (lambda d: d["untested"][0].update(id="XX-B"), "known API prefix"),
        (
            lambda d: d["untested"].append(dict(d["untested"][0], id="CP-B")) or d["untested"][0].update(id="CP-B"),
            "duplicate ID",
        ),
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


def test_code_names_only_rule_ids_the_ledger_has() -> None:
    """A rule a strategy labels, a check registers or a message quotes must be a ledger entry."""
    known = set(load_ledger()) | set(not_enforced())
    unknown = {rule_id: sorted(files) for rule_id, files in _code_citations().items() if rule_id not in known}
    assert not unknown, f"code cites IDs the ledger does not have: {unknown}"


def test_every_ledger_id_is_cited_by_code_or_listed_as_not_tested() -> None:
    cited = _code_citations()
    orphans = sorted(r.id for r in load_ledger().values() if r.id not in cited and r.deferred_to is None)
    assert not orphans, f"ledger requirements no code cites (cite them, or move them to [[untested]]): {orphans}"


def test_every_oracle_check_is_registered_under_a_ledger_requirement() -> None:
    ledger = load_ledger()
    assert oracle.RADAR_CHECKS.requirements
    assert [rid for rid in oracle.RADAR_CHECKS.requirements if rid not in ledger] == []


def test_code_citation_scanner_reads_strings_and_skips_ids_built_at_run_time() -> None:
    source = (
        '"""Docstring naming RP-A."""\n'
        "RULES = ('CP-B', 'DCA-C-D')\n"
        "def f(prop):\n"
        "    # a comment naming RP-COMMENT is not code\n"
        "    return f'[CP-SET-{prop.upper()}] x' + '[VAPIX-E] y'\n"
    )
    assert _ids_in_strings(source) == {"RP-A", "CP-B", "DCA-C-D", "VAPIX-E"}


def test_rule_level_is_the_ledger_level_or_none_for_a_statement_not_enforced() -> None:
    assert rule_level("CP-ADD-REQUIRED") == "documented"
    assert rule_level("CP-ADD-ECHO") == "inferred"
    assert rule_level("CP-ADD-MEMBERS") is None
    with pytest.raises(LedgerError, match="not in the ledger"):
        rule_level("CP-NO-SUCH-RULE")


def test_named_untested_statements_carry_their_reason_and_are_no_requirements() -> None:
    named = not_enforced()
    assert {"CP-ADD-MEMBERS", "DCA-BODY-MEMBERS", "RP-ENVELOPE-MEMBERS", "RP-DUPLICATE-MEMBERS"} <= set(named)
    assert not set(named) & set(load_ledger())
    assert all(u.reason.strip() and u.section.strip() for u in named.values())
