"""ARCHITECTURE.md's import rules, checked on the source text of every module.

The rules are a table so that the page and this test can be read side by side: each rule names the
modules it governs (a dotted prefix) and the imports they may not make. Imports are resolved from
the syntax tree, relative ones included, and a function-local import counts like any other: a lazy
import of the emulator from a suite is still the suite depending on the emulator.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("paircert", "strategies", "suites")
IO_MODULES = ("asyncio", "socket", "ssl", "selectors", "threading")
SERVER_FRAMEWORKS = ("starlette", "uvicorn", "h11", "httpx", "requests")
STRENGTH = "paircert.selfcheck.strength"


@dataclass(frozen=True)
class Rule:
    """Modules under ``governs`` (but not those in ``exempt``) may not import anything under
    ``forbids``, except under ``unless``."""

    why: str
    governs: tuple[str, ...]
    forbids: tuple[str, ...]
    unless: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()


RULES = (
    Rule(
        "the suite works unchanged against a device at any URL",
        ("suites", "paircert.clients", "strategies"),
        ("paircert.emulator", "paircert.peers"),
    ),
    Rule(
        "the plugin starts the emulator only through its embedded host and talks HTTP to it",
        ("paircert.plugin",),
        ("paircert.emulator",),
        unless=("paircert.emulator.embedded", "paircert.emulator.config", "paircert.emulator.choices"),
    ),
    Rule(
        "nothing outside the emulator, the CLI, the plugin and the benchmarks depends on the emulator",
        ("paircert.auth", "paircert.rtsp", "paircert.media", "paircert.peers", "paircert.report", "paircert.vapix"),
        ("paircert.emulator",),
    ),
    Rule(
        "the emulator keeps its own model: it never borrows the suite's clients, plugin or report",
        ("paircert.emulator",),
        ("paircert.clients", "paircert.plugin", "paircert.report", "paircert.peers", "suites", "strategies"),
    ),
    Rule(
        "the one Digest/Basic implementation imports nothing from paircert",
        ("paircert.auth",),
        ("paircert",),
        unless=("paircert.auth",),
    ),
    Rule(
        "the one RTSP implementation stands on the auth module and the neutral asyncio shells only",
        ("paircert.rtsp",),
        ("paircert",),
        unless=("paircert.rtsp", "paircert.auth", "paircert.listener", "paircert.tasks"),
    ),
    Rule(
        "the RTSP core and packet modules are sans-I/O",
        tuple(
            f"paircert.rtsp.{name}"
            for name in ("errors", "message", "headers", "state", "connection", "sdp", "rtp", "rtcp", "h264")
        ),
        IO_MODULES,
    ),
    Rule(
        "the VAPIX wire facts and the JSON-CGI dispatcher are sans-I/O, shared by emulator and peers",
        ("paircert.vapix",),
        IO_MODULES + SERVER_FRAMEWORKS + ("paircert.emulator", "paircert.peers", "paircert.plugin"),
    ),
    Rule(
        "only the console script's own entry point imports the CLI; subcommands raise usage.CliError",
        ("paircert", "strategies", "suites"),
        ("paircert.cli",),
        exempt=("paircert.__main__",),
    ),
    Rule(
        "a declaration is a pure function of a run's files, the claims, the ledger and the published strength",
        ("paircert.declaration",),
        ("paircert",),
        unless=("paircert.declaration", "paircert.schemas", "paircert.ledger", "paircert.resources", STRENGTH),
    ),
    Rule(
        "the published suite strength is data read through the one schema loader",
        (STRENGTH,),
        ("paircert",),
        unless=(STRENGTH, "paircert.schemas", "paircert.resources"),
    ),
    Rule(
        "the plugin imports the report, never the reverse",
        ("paircert.report",),
        ("paircert.plugin", "paircert.clients"),
    ),
    Rule(
        "the report is made from the run's records, the ledger, the VAPIX facts and the published strength",
        ("paircert.report",),
        ("paircert",),
        unless=("paircert.report", "paircert.ledger", "paircert.schemas", "paircert.vapix", STRENGTH),
    ),
    Rule(
        "the plugin runs benchmarks through bench.included alone and names them from bench.report",
        ("paircert.plugin",),
        ("paircert.bench",),
        unless=("paircert.bench.included", "paircert.bench.report"),
    ),
    Rule(
        "a device in use is read and put back through the suite's clients, never the emulator or the report",
        ("paircert.restore",),
        ("paircert",),
        unless=(
            "paircert.restore",
            "paircert.atomicfile",
            "paircert.clients",
            "paircert.schemas",
            "paircert.vapix",
            "paircert.usage",
            "paircert.resources",
            "paircert.plugin.options",
        ),
    ),
    Rule(
        "of paircert.restore only the command (paircert restore --journal) reads the run's option table",
        ("paircert.restore",),
        ("paircert.plugin",),
        exempt=("paircert.restore.command",),
    ),
    Rule(
        "the atomic file writer, shared by the emulator's state and the restore journal, imports nothing from paircert",
        ("paircert.atomicfile",),
        ("paircert",),
    ),
    Rule(
        "the peers are external devices: no suite, plugin or client code inside them",
        ("paircert.peers", "paircert.media"),
        ("paircert.plugin", "paircert.clients", "suites"),
    ),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(path: Path) -> str:
    module = _module_name(path)
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports_in(source: str, package: str) -> set[str]:
    """Every absolute module name the source imports, relative imports resolved against ``package``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base = ".".join(base_parts[: len(base_parts) - node.level + 1])
                stem = f"{base}.{node.module}" if node.module else base
            else:
                stem = node.module or ""
            if stem not in PACKAGES:  # `from paircert import schemas` depends on schemas, not on a docstring
                found.add(stem)
            found |= {f"{stem}.{alias.name}" for alias in node.names if alias.name != "*"}
    return found


def _imports(path: Path) -> set[str]:
    return _imports_in(path.read_text(encoding="utf-8"), _package_of(path))


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _violations(rule: Rule) -> list[str]:
    found = []
    for path in _sources():
        module = _module_name(path)
        if not _under(module, rule.governs) or module in rule.exempt:
            continue
        for name in sorted(_imports(path)):
            if _under(name, rule.forbids) and not _under(name, rule.unless):
                found.append(f"{module} imports {name}")
    return found


@pytest.mark.parametrize("rule", RULES, ids=[rule.why for rule in RULES])
def test_no_module_breaks_the_import_rule(rule: Rule) -> None:
    assert _violations(rule) == [], rule.why


def test_every_rule_governs_modules_that_exist() -> None:
    modules = {_module_name(path) for path in _sources()}
    for rule in RULES:
        governed = [prefix for prefix in rule.governs if any(_under(module, (prefix,)) for module in modules)]
        assert governed == list(rule.governs), rule.why


def test_the_checker_resolves_relative_and_local_imports() -> None:
    """A rule table that cannot see ``from ..emulator import x`` inside a function would pass every tree."""
    source = "def lazy():\n    from ..emulator import model\n    from . import response\n"
    names = _imports_in(source, "paircert.clients")
    assert {"paircert.emulator.model", "paircert.clients.response"} <= names
    assert _imports_in("from paircert import schemas\n", "paircert.restore") == {"paircert.schemas"}
    assert _under("paircert.emulator.model", RULES[0].forbids)
    assert _package_of(ROOT / "paircert" / "rtsp" / "__init__.py") == "paircert.rtsp"
    assert _package_of(ROOT / "paircert" / "rtsp" / "server.py") == "paircert.rtsp"
