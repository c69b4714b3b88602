"""The summary section of the HTML report, built from a RunRecord with every value escaped."""

from __future__ import annotations

import json
from html import escape

from paircert.report.coverage import coverage_sections
from paircert.report.records import RunRecord, aggregate

__all__ = ["summary_sections"]

_DEVICE_KEYS = ("ProdFullName", "ProdNbr", "Version", "SerialNumber")


def _table(headers: list[str], rows: list[list[str]], *, caption: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<h3>{escape(caption)}</h3><table class="paircert"><tr>{head}</tr>{body}</table>'


def summary_sections(run: RunRecord) -> list[str]:
    """HTML fragments (already escaped) for pytest-html's summary prefix."""
    meta = run.metadata
    device = " / ".join(escape(meta.device[k]) for k in _DEVICE_KEYS if meta.device.get(k)) or "unknown"
    target = escape(meta.target_url or "") + (" (embedded emulator)" if meta.embedded else "")
    facts = [
        ("Target", target),
        ("Device", device),
        ("Suite version", escape(meta.suite_version)),
        ("Schema version", escape(meta.schema_version)),
        ("Profile", escape(meta.profile)),
        ("Seed", str(meta.seed)),
        ("Run id", escape(meta.run_id)),
        ("Radar pairing path", escape(meta.radar_path or "not probed")),
    ]
    sections = [_table(["", ""], [[escape(k), v] for k, v in facts], caption="paircert run")]
    sections.append(_table(list(run.counts()), [[str(n) for n in run.counts().values()]], caption="Verdicts"))
    by_req = run.by_requirement()
    sections.append(
        _table(
            ["Requirement", "Verdict", "Tests"],
            [
                [
                    escape(rid),
                    escape(aggregate([t.verdict for t in tests]) or ""),
                    "<br>".join(f"{escape(t.nodeid)}: {escape(t.verdict)}" for t in tests),
                ]
                for rid, tests in by_req.items()
            ],
            caption="Requirement to tests",
        )
    )
    sections.append(
        _table(
            ["Test", "Requirements", "Verdict"],
            [[escape(t.nodeid), escape(", ".join(t.requirements)), escape(t.verdict)] for t in run.tests],
            caption="Test to requirements",
        )
    )
    untested = [[escape(rid)] for rid in run.untested_requirements]
    sections.append(_table(["Requirement"], untested, caption="Documented requirements with no test in this run"))
    observed = [
        [escape(t.nodeid), escape(key), f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"]
        for t in run.tests
        for key, value in t.observations.items()
    ]
    if observed:
        sections.append(_table(["Test", "Observation", "Value"], observed, caption="Observed behaviour"))
    if run.coverage is not None:
        sections += coverage_sections(run.coverage)
    return sections
