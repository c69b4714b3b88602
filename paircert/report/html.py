"""The summary section of the HTML report, built from a RunRecord with every value escaped.

A QA engineer opens the report to learn three things in order: did the device pass, what failed
or could not be judged and why, and which requirement each verdict rests on. The page follows that
order: identity and verdict counts first, then failures and blocked tests, then the long matrices,
folded so they do not bury the answer.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from paircert.report.records import RunRecord, TestRecord, aggregate

__all__ = ["coverage_sections", "summary_sections"]

_DEVICE_KEYS = ("ProdFullName", "ProdNbr", "Version", "SerialNumber")
_STYLE = """<style>
table.paircert{border-collapse:collapse;margin:.3em 0 1em}
table.paircert th,table.paircert td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}
table.paircert th{background:#f0f0f0}
.v-pass{color:#17692b}.v-fail{color:#b00020;font-weight:bold}.v-blocked{color:#9a5b00;font-weight:bold}
.v-not-applicable{color:#666}.v-observed{color:#1f4e9c}
details.paircert{margin:.5em 0}details.paircert summary{cursor:pointer;font-weight:bold;font-size:1.05em}
</style>"""


def _verdict(verdict: str | None) -> str:
    text = escape(verdict or "")
    return f'<span class="v-{text}">{text}</span>'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """Cells arrive escaped (they may hold markup such as verdict spans)."""
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr>" if headers else ""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="paircert">{head}{body}</table>'


def _section(caption: str, body: str, *, folded: bool = False) -> str:
    if folded:
        return f'<details class="paircert"><summary>{escape(caption)}</summary>{body}</details>'
    return f"<h3>{escape(caption)}</h3>{body}"


def _short(nodeid: str) -> str:
    return nodeid.removeprefix("suites/")


def _facts(run: RunRecord) -> str:
    meta = run.metadata
    device = " / ".join(escape(meta.device[k]) for k in _DEVICE_KEYS if meta.device.get(k)) or "unknown"
    target = escape(meta.target_url or "") + (" (embedded emulator)" if meta.embedded else "")
    facts = [
        ("Target", target),
        ("Device", device),
        ("Suite version", escape(meta.suite_version)),
        ("Schema version", escape(meta.schema_version)),
        ("Profile", escape(meta.profile)),
        ("Seed", f"{meta.seed} (replay with --seed {meta.seed})"),
        ("Run id", escape(meta.run_id)),
        ("Radar pairing path", escape(meta.radar_path or "not probed")),
    ]
    return _table([], [[f"<b>{escape(k)}</b>", v] for k, v in facts])


def _unexercised(run: RunRecord) -> str:
    """Laws the run cites but never exercised: every test of them was blocked or returned early, or
    a path where a law applies was met by no test (a pass there says nothing about that path)."""
    never = set(run.unexercised_requirements())
    rows = [
        [escape(rid), "every test citing it", escape("; ".join(sorted({t.message or "" for t in tests})))]
        for rid, tests in run.by_requirement().items()
        if rid in never
    ]
    rows += [
        [escape(rid), escape(path), escape("; ".join(whys))]
        for rid, paths in run.unexercised_paths().items()
        for path, whys in paths.items()
    ]
    return _section(
        f"Requirements and paths cited but never exercised ({len(rows)})",
        _table(["Requirement", "Path", "Why"], rows),
        folded=not rows,
    )


def _attention(tests: list[TestRecord]) -> str | None:
    rows = [
        [
            escape(_short(t.nodeid)),
            _verdict(t.verdict),
            escape(", ".join(t.requirements)),
            f"<pre>{escape((t.message or '').strip()[:600])}</pre>",
        ]
        for t in tests
        if t.verdict in ("fail", "blocked")
    ]
    return _table(["Test", "Verdict", "Requirements", "Why"], rows) if rows else None


def _counts(counter: dict[str, int]) -> str:
    return escape(", ".join(f"{k} ×{v}" for k, v in counter.items()) or "none")


def coverage_sections(data: dict[str, Any]) -> list[str]:
    """What the run exercised per API, and the generated tests' throughput."""
    rows = [
        [
            escape(api),
            _counts(entry["operations"]),
            _counts(entry["http_statuses"]),
            _counts(entry["error_codes"]),
            escape(", ".join(map(str, entry["documented_codes_never_provoked"])) or "none"),
        ]
        for api, entry in data.get("apis", {}).items()
    ]
    sections = [
        _section(
            "Coverage: what the run exercised",
            _table(["API", "Operations", "HTTP statuses", "Error codes", "Documented codes never provoked"], rows),
        )
    ]
    generated = data.get("generated", {})
    if generated:
        sections.append(
            _section(
                "Generated tests: examples per second",
                _table(
                    ["Test", "Examples / steps", "Seconds", "Per second"],
                    [
                        [
                            escape(_short(nodeid)),
                            str(g["examples"]),
                            f"{g['seconds']:.2f}",
                            escape(str(g["examples_per_second"])),
                        ]
                        for nodeid, g in generated.items()
                    ],
                ),
                folded=True,
            )
        )
    return sections


def summary_sections(run: RunRecord) -> list[str]:
    """HTML fragments (already escaped) for pytest-html's summary prefix."""
    counts = run.counts()
    sections = [
        _STYLE,
        _section("paircert run", _facts(run)),
        _section(
            "Verdicts",
            _table(
                list(counts), [[_verdict(v) if n else "" for v, n in counts.items()], [str(n) for n in counts.values()]]
            ),
        ),
    ]
    attention = _attention(run.tests)
    if attention:
        sections.append(_section("Failed and blocked tests", attention))
    by_req = run.by_requirement()
    sections.append(
        _section(
            f"Requirement to tests ({len(by_req)} requirements)",
            _table(
                ["Requirement", "Verdict", "Tests"],
                [
                    [
                        escape(rid),
                        _verdict(aggregate([t.verdict for t in tests])),
                        "<br>".join(f"{escape(_short(t.nodeid))}: {_verdict(t.verdict)}" for t in tests),
                    ]
                    for rid, tests in by_req.items()
                ],
            ),
            folded=True,
        )
    )
    sections.append(
        _section(
            f"Test to requirements ({len(run.tests)} tests)",
            _table(
                ["Test", "Requirements", "Verdict"],
                [[escape(_short(t.nodeid)), escape(", ".join(t.requirements)), _verdict(t.verdict)] for t in run.tests],
            ),
            folded=True,
        )
    )
    if run.not_run:
        sections.append(
            _section(
                f"Tests not run ({len(run.not_run)}; no verdict)",
                _table(["Test", "Why"], [[escape(_short(t.nodeid)), escape(t.reason or "")] for t in run.not_run]),
                folded=True,
            )
        )
    untested = run.untested_requirements
    sections.append(
        _section(
            f"Documented requirements with no test in this run ({len(untested)})",
            _table(["Requirement"], [[escape(rid)] for rid in untested]),
            folded=not untested,
        )
    )
    sections.append(_unexercised(run))
    observed = [
        [escape(_short(t.nodeid)), escape(key), f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"]
        for t in run.tests
        for key, value in t.observations.items()
    ]
    if observed:
        sections.append(
            _section(
                f"Observed behaviour ({len(observed)} observations; never failing)",
                _table(["Test", "Observation", "Value"], observed),
                folded=True,
            )
        )
    if run.coverage is not None:
        sections += coverage_sections(run.coverage)
    return sections
