"""Write declaration.json and declaration.html beside a finished run's results.json.

The claims file and the suite's published strength (``paircert/selfcheck/strength.toml``) are
copied into the run folder first (as ``claims.toml`` and ``suite-strength.toml``), so they are
hashed with the other artifacts and ``paircert verify`` can read the very claims and figures the
declaration was made from, whatever figures a later suite publishes.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from paircert import schemas
from paircert.declaration.build import Discovered, Inputs, build_declaration, content_hash
from paircert.declaration.claims import Claims
from paircert.declaration.hashes import (
    artifact_hashes,
    installed_ledger_hashes,
    installed_schema_hashes,
    ledger_version,
)
from paircert.declaration.render import render_declaration
from paircert.ledger import load_ledger
from paircert.selfcheck.strength import STRENGTH_FILE, read_strength

__all__ = [
    "CLAIMS_COPY",
    "DECLARATION_HTML",
    "DECLARATION_JSON",
    "DECLARATION_SCHEMA",
    "RESULTS_JSON",
    "STRENGTH_COPY",
    "seal",
    "write_declaration",
]

DECLARATION_JSON = "declaration.json"
DECLARATION_HTML = "declaration.html"
DECLARATION_SCHEMA = "declaration/declaration"
RESULTS_JSON = "results.json"
CLAIMS_COPY = "claims.toml"
STRENGTH_COPY = "suite-strength.toml"


def seal(declaration: dict[str, Any]) -> dict[str, Any]:
    """The declaration with its content hash as its last member."""
    return {**declaration, "content_sha256": content_hash(declaration)}


def write_declaration(
    run_dir: Path,
    *,
    claims: Claims | None,
    claims_file: Path | None,
    discovered: Discovered,
    set_method: str,
    issued: dt.datetime | None = None,
) -> Path:
    """Build, seal, check against its schema and write the declaration; returns declaration.json's path."""
    results = json.loads((run_dir / RESULTS_JSON).read_text(encoding="utf-8"))
    if claims_file is not None:
        shutil.copyfile(claims_file, run_dir / CLAIMS_COPY)
    shutil.copyfile(STRENGTH_FILE, run_dir / STRENGTH_COPY)
    when = (issued or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    inputs = Inputs(
        results=results,
        ledger=load_ledger(),
        ledger_version=ledger_version(),
        claims=claims,
        discovered=discovered,
        set_method=set_method,
        issued=when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        strength=read_strength(run_dir / STRENGTH_COPY).to_dict(),
        hashes={
            "algorithm": "sha256",
            "artifacts": artifact_hashes(run_dir),
            "ledger": installed_ledger_hashes(),
            "schemas": installed_schema_hashes(),
        },
    )
    declaration = seal(build_declaration(inputs))
    problems = schemas.validate(DECLARATION_SCHEMA, declaration)
    if problems:
        raise ValueError(f"the declaration does not match {DECLARATION_SCHEMA}: {problems[0]}")
    path = run_dir / DECLARATION_JSON
    path.write_text(json.dumps(declaration, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (run_dir / DECLARATION_HTML).write_text(render_declaration(declaration), encoding="utf-8")
    return path
