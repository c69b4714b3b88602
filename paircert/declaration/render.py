"""The declaration as a page a person reads: rendered from declaration.json alone, every value escaped.

Jinja2 with autoescaping does the escaping, so a device that names itself ``<script>`` shows as
text. The page depends on nothing but the JSON (no clock, no environment): ``paircert verify``
renders it again and compares, so an edited page is noticed like an edited JSON file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

__all__ = ["render_declaration"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Declaration of conformance: {{ d.device.model or "unknown device" }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:72em}
table{border-collapse:collapse;margin:.4em 0 1.2em}
th,td{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
.v-pass,.v-waived,.v-conformant,.v-matches{color:#17692b}
.v-fail,.v-mismatch,.v-not-conformant{color:#b00020;font-weight:bold}
.v-blocked,.v-not-tested,.v-incomplete,.v-unverified{color:#9a5b00;font-weight:bold}
code{word-break:break-all}
</style></head><body>
<h1>Declaration of conformance</h1>
<p class="verdict">Verdict: <strong class="v-{{ d.verdict | replace(' ', '-') }}">{{ d.verdict }}</strong>
({% for name, n in d.counts.items() %}{{ name }} {{ n }}{% if not loop.last %}, {% endif %}{% endfor %})</p>
<h2>Device</h2>
<table>
<tr><th>Model</th><td>{{ d.device.model or "unknown" }}</td></tr>
<tr><th>Name</th><td>{{ d.device.name or "unknown" }}</td></tr>
<tr><th>Firmware</th><td>{{ d.device.firmware or "unknown" }}</td></tr>
<tr><th>Serial number</th><td>{{ d.device.serial or "unknown" }}</td></tr>
<tr><th>Target</th><td>{{ d.device.target or "" }}{% if d.device.embedded_emulator %} (embedded emulator){% endif %}</td></tr>
</table>
<h2>Suite and run</h2>
<table>
<tr><th>Suite</th><td>{{ d.suite.name }} {{ d.suite.version }}</td></tr>
<tr><th>Schema version</th><td>{{ d.suite.schema_version }}</td></tr>
<tr><th>Ledger version</th><td>{{ d.suite.ledger_version }}</td></tr>
<tr><th>Run</th><td>{{ d.run.id }}, profile {{ d.run.profile }}, seed {{ d.run.seed }}, SET with {{ d.run.set_method }}</td></tr>
<tr><th>Issued</th><td>{{ d.issued }}</td></tr>
</table>
<h2>Findings</h2>
{% if d.findings %}<ul>{% for f in d.findings %}<li>{{ f }}</li>{% endfor %}</ul>
{% else %}<p>None: every claim that could be checked matches what the device showed.</p>{% endif %}
<h2>Claimed and discovered capabilities</h2>
{% if d.claims is none %}<p>No claims file was given: nothing is claimed, and every capability the run discovered is listed.</p>{% endif %}
<table><tr><th>Capability</th><th>Claimed</th><th>Discovered</th><th>Status</th><th>Evidence</th></tr>
{% for c in d.capabilities %}<tr><td>{{ c.capability }}</td><td>{{ say(c.claimed) }}</td><td>{{ say(c.discovered) }}</td>
<td class="v-{{ c.status | replace(' ', '-') }}">{{ c.status }}</td><td>{{ c.evidence }}</td></tr>
{% endfor %}</table>
<h2>Waivers</h2>
{% if d.waivers %}<table><tr><th>Requirement</th><th>Firmware</th><th>Expires</th><th>Reason</th><th>Standing</th></tr>
{% for w in d.waivers %}<tr><td>{{ w.requirement }}</td><td>{{ w.firmware_min }} to {{ w.firmware_max }}</td><td>{{ w.expires }}</td>
<td>{{ w.reason }}</td><td>{{ w.note }}</td></tr>
{% endfor %}</table>{% else %}<p>No waiver was claimed.</p>{% endif %}
<h2>Documented requirements</h2>
<table><tr><th>Requirement</th><th>Verdict</th><th>Tests</th><th>Statement</th></tr>
{% for r in d.requirements %}<tr><td>{{ r.id }}</td><td class="v-{{ r.verdict }}">{{ r.verdict }}{% if r.verdict != r.run_verdict %} (run: {{ r.run_verdict }}){% endif %}</td>
<td>{{ r.tests }}</td><td>{{ r.statement }}</td></tr>
{% endfor %}</table>
<h2>Suite strength</h2>
{% if d.suite_strength is none %}<p>The run folder held no suite strength figures.</p>
{% else %}<p>How many of the reference emulator's {{ d.suite_strength.catalogue_size }} seeded faults the suite
kills, as last published before this run ({{ d.suite_strength.source }}; reproduce with <code>paircert selfcheck</code>):</p>
<ul>{% for name, p in d.suite_strength.profiles.items() %}<li>{{ p.summary }}{% if p.measured and p.survivors %} Survived:
{% for s in p.survivors %}{{ s.fault }} ({{ s.reason }}){% if not loop.last %}; {% endif %}{% endfor %}.{% endif %}</li>
{% endfor %}</ul>{% endif %}
<h2>Hashes (SHA-256)</h2>
<p>Check with <code>paircert verify declaration.json</code>. Content: <code>{{ d.content_sha256 }}</code></p>
{% for group in ("artifacts", "ledger", "schemas") %}<h3>{{ group }}</h3>
<table>{% for name, digest in d.hashes[group].items() %}<tr><td>{{ name }}</td><td><code>{{ digest }}</code></td></tr>
{% endfor %}</table>{% endfor %}
</body></html>
"""


def _say(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_ENVIRONMENT = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
_PAGE = _ENVIRONMENT.from_string(_TEMPLATE)


def render_declaration(declaration: Mapping[str, Any]) -> str:
    return _PAGE.render(d=declaration, say=_say)
