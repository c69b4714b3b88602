"""The declaration of conformance as a pure function of the run's artifacts, the claims and the ledger.

Pure so that ``paircert verify`` can build it again from the files beside it and name the field
somebody edited, not only notice that the content hash no longer matches. What cannot be rebuilt
from files (what the end-of-run probe discovered, the run's SET method, the day of issue) is an
input carried inside the declaration itself and covered by its content hash.

Verdicts per documented requirement are the run's verdicts in the declaration's vocabulary:
``pass``, ``fail``, ``blocked``, ``not-applicable``, ``not-tested`` (no test judged it, or every
test citing it returned before its law applied) and ``waived`` (a failure or block a standing
waiver excuses). The overall verdict is ``conformant`` only when every documented requirement
passed, was waived or belongs to an API the device neither claims nor offers, and no capability
mismatch was found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from paircert.declaration.claims import Claims, Waiver, WaiverStanding, firmware_key
from paircert.ledger import Requirement

__all__ = [
    "APIS",
    "DECLARATION_FORMAT",
    "PROTOCOLS",
    "Discovered",
    "Inputs",
    "RequirementVerdict",
    "build_declaration",
    "canonical_json",
    "content_hash",
]

DECLARATION_FORMAT = "paircert-declaration/1"
APIS = ("camera-pairing", "radar-pairing")
PROTOCOLS = ("RTSP", "SRTSP")
RequirementVerdict = Literal["pass", "fail", "blocked", "not-applicable", "not-tested", "waived"]
_VERDICT_NAMES: tuple[RequirementVerdict, ...] = ("pass", "fail", "blocked", "not-applicable", "not-tested", "waived")
_LEDGER_API = {"camera-pairing": "camera-pairing", "radar-pairing": "radar-pairing"}
_EXCUSABLE = ("fail", "blocked")
_SET_REQUIREMENTS = ("CP-SET-ADDRESS", "CP-SET-USERNAME", "CP-SET-DESCRIPTION", "DCA-SET-BODY")
_STREAMING = "suites/streaming/"


def canonical_json(value: Any) -> bytes:
    """One byte form per JSON value (sorted keys, no spaces, UTF-8): what the content hash covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def content_hash(declaration: Mapping[str, Any]) -> str:
    """SHA-256 of the declaration without its own ``content_sha256`` member."""
    body = {key: value for key, value in declaration.items() if key != "content_sha256"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class Discovered:
    """What the end-of-run probe learned from the device; ``None`` where it could not tell.

    ``evidence`` says how each fact was learned, keyed by API name and ``radar_revision``."""

    apis: Mapping[str, bool | None] = field(default_factory=dict)
    radar_revision: str | None = None
    evidence: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"apis": dict(self.apis), "radar_revision": self.radar_revision, "evidence": dict(self.evidence)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Discovered:
        return cls(dict(data["apis"]), data["radar_revision"], dict(data["evidence"]))


@dataclass(frozen=True)
class Inputs:
    """Everything a declaration is made of. ``results`` is results.json as parsed."""

    results: Mapping[str, Any]
    ledger: Mapping[str, Requirement]
    ledger_version: int
    claims: Claims | None
    discovered: Discovered
    set_method: str
    issued: str
    hashes: Mapping[str, Any]
    strength: Mapping[str, Any] | None = None
    """The suite's published strength as the run folder's copy says it
    (:meth:`paircert.selfcheck.strength.SuiteStrength.to_dict`); None when the folder has none."""


def _device(results: Mapping[str, Any]) -> dict[str, Any]:
    run = results["run"]
    device = run.get("device") or {}
    return {
        "model": device.get("ProdNbr"),
        "name": device.get("ProdFullName"),
        "firmware": device.get("Version"),
        "serial": device.get("SerialNumber"),
        "target": run.get("target_url"),
        "embedded_emulator": bool(run.get("embedded")),
    }


def _row(capability: str, claimed: Any, discovered: Any, evidence: str, *, equal: bool | None = None) -> dict[str, Any]:
    """One capability; a finding when both sides are known and differ."""
    if claimed is None or discovered is None:
        status = "unverified" if claimed is not None else ("not claimed" if discovered is not None else "unknown")
        finding = None
    else:
        same = equal if equal is not None else claimed == discovered
        status = "matches" if same else "mismatch"
        finding = None if same else f"{capability}: claimed {_say(claimed)}, discovered {_say(discovered)} ({evidence})"
    return {
        "capability": capability,
        "claimed": claimed,
        "discovered": discovered,
        "status": status,
        "evidence": evidence,
        "finding": finding,
    }


def _say(value: Any) -> str:
    if value is True:
        return "supported"
    if value is False:
        return "not supported"
    return str(value)


def _protocol_support(results: Mapping[str, Any], protocol: str) -> tuple[bool | None, str]:
    """Did the streaming tests parametrised with ``protocol`` pass (True), only fail (False) or not judge it?"""
    verdicts = [
        test["verdict"]
        for test in results["tests"]
        if test["nodeid"].startswith(_STREAMING)
        and "[" in test["nodeid"]
        and protocol in test["nodeid"].rsplit("[", 1)[1].rstrip("]").split("-")
    ]
    judged = [v for v in verdicts if v in ("pass", "fail")]
    if not judged:
        return None, f"no streaming test over {protocol} was judged"
    passed = judged.count("pass")
    return passed > 0, f"{passed} of {len(judged)} judged streaming tests over {protocol} passed"


def _set_method(results: Mapping[str, Any], method: str) -> tuple[str | None, str]:
    verdicts = {rid: results["requirements"].get(rid, {}).get("verdict") for rid in _SET_REQUIREMENTS}
    passed = sorted(rid for rid, verdict in verdicts.items() if verdict == "pass")
    if passed:
        return method, f"the run sent SET with {method} and {', '.join(passed)} passed"
    return None, f"the run sent SET with {method}; no SET requirement passed"


def _capabilities(inputs: Inputs, device: Mapping[str, Any]) -> list[dict[str, Any]]:
    claims, discovered, results = inputs.claims, inputs.discovered, inputs.results
    evidence = discovered.evidence
    rows = [
        _row(
            f"api {api}",
            (api in claims.apis) if claims else None,
            discovered.apis.get(api),
            evidence.get(api, "not probed"),
        )
        for api in APIS
    ]
    rows.append(
        _row(
            "radar revision",
            claims.radar_revision if claims else None,
            discovered.radar_revision,
            evidence.get("radar_revision", "not probed"),
        )
    )
    method, why = _set_method(results, inputs.set_method)
    claimed_method = claims.set_method if claims else None
    rows.append(_row("set method", claimed_method, method, why))
    if claimed_method is not None and claimed_method != inputs.set_method and method is None:
        rows[-1].update(
            status="mismatch",
            finding=f"set method: claimed {claimed_method}, the run sent SET with {inputs.set_method} "
            f"(run with --set-method {claimed_method})",
        )
    for protocol in PROTOCOLS:
        supported, why = _protocol_support(results, protocol)
        claimed_protocols = claims.streaming_protocols if claims else None
        rows.append(
            _row(
                f"streaming protocol {protocol}",
                None if claimed_protocols is None else protocol in claimed_protocols,
                supported,
                why,
            )
        )
    firmware_seen = device.get("firmware")
    rows.append(_row("device model", claims.model if claims else None, device.get("model"), "basicdeviceinfo ProdNbr"))
    rows.append(
        _row(
            "device firmware",
            claims.firmware if claims else None,
            firmware_seen,
            "basicdeviceinfo Version",
            equal=None
            if claims is None or claims.firmware is None or firmware_seen is None
            else firmware_key(claims.firmware) == firmware_key(firmware_seen),
        )
    )
    return rows


def _run_verdict(rid: str, results: Mapping[str, Any]) -> tuple[RequirementVerdict, int]:
    entry = results["requirements"].get(rid)
    if entry is None:
        return "not-tested", 0
    verdict, tests = entry.get("verdict"), len(entry.get("tests", []))
    if verdict in ("fail", "blocked", "not-applicable"):
        return verdict, tests
    if rid in results.get("unexercised_requirements", []):
        return "not-tested", tests
    return ("pass", tests) if verdict in ("pass", "observed") else ("not-tested", tests)


_STANDING_NOTE: dict[WaiverStanding, str] = {
    "applies": "applies",
    "expired": "expired: does not apply",
    "outside-firmware-range": "the device's firmware is outside its range: does not apply",
    "firmware-unknown": "the device's firmware is unknown: does not apply",
}


def _waivers(
    inputs: Inputs, firmware: str | None, run_verdicts: Mapping[str, RequirementVerdict]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Each claimed waiver with its standing; and the requirement each standing waiver excuses."""
    today = dt.date.fromisoformat(inputs.issued[:10])
    waivers: tuple[Waiver, ...] = inputs.claims.waivers if inputs.claims else ()
    rows: list[dict[str, Any]] = []
    used: dict[str, int] = {}
    for index, waiver in enumerate(waivers):
        standing = waiver.standing(firmware, today)
        verdict = run_verdicts.get(waiver.requirement, "not-tested")
        applied = standing == "applies" and verdict in _EXCUSABLE and waiver.requirement not in used
        if applied:
            used[waiver.requirement] = index
            note = f"applies: {waiver.requirement} was {verdict}, declared waived"
        elif standing == "applies":
            note = f"applies, but not used: {waiver.requirement} was {verdict}"
        else:
            note = f"{_STANDING_NOTE[standing]}; {waiver.requirement} stays {verdict}"
        rows.append({**waiver.to_dict(), "standing": standing, "used": applied, "note": note})
    return rows, used


def _overall(requirements: list[dict[str, Any]], findings: list[str]) -> str:
    verdicts = {row["verdict"] for row in requirements}
    if "fail" in verdicts or findings:
        return "not conformant"
    if verdicts & {"blocked", "not-tested"}:
        return "incomplete"
    return "conformant"


def build_declaration(inputs: Inputs) -> dict[str, Any]:
    """The declaration (without its content hash; see :func:`content_hash`)."""
    results = inputs.results
    device = _device(results)
    documented = sorted((rid, req) for rid, req in inputs.ledger.items() if req.level == "documented")
    run_verdicts = {rid: _run_verdict(rid, results) for rid, _ in documented}
    waivers, used = _waivers(inputs, device["firmware"], {rid: v for rid, (v, _) in run_verdicts.items()})
    requirements = []
    for rid, req in documented:
        verdict, tests = run_verdicts[rid]
        requirements.append(
            {
                "id": rid,
                "api": req.api,
                "statement": req.assertion,
                "run_verdict": verdict,
                "verdict": "waived" if rid in used else verdict,
                "tests": tests,
                "waiver": used.get(rid),
            }
        )
    capabilities = _capabilities(inputs, device)
    findings = [row["finding"] for row in capabilities if row["finding"]]
    counts = {name: 0 for name in _VERDICT_NAMES}
    for rid, _ in documented:
        counts["waived" if rid in used else run_verdicts[rid][0]] += 1
    run = results["run"]
    return {
        "format": DECLARATION_FORMAT,
        "issued": inputs.issued,
        "verdict": _overall(requirements, findings),
        "counts": counts,
        "suite": {
            "name": "paircert",
            "version": run["suite_version"],
            "schema_version": run["schema_version"],
            "ledger_version": inputs.ledger_version,
        },
        "run": {
            "id": run["run_id"],
            "profile": run["profile"],
            "seed": run["seed"],
            "set_method": inputs.set_method,
            "started": run.get("started", ""),
            "finished": run.get("finished", ""),
            "exit_status": run.get("exit_status"),
        },
        "device": device,
        "claims": inputs.claims.to_dict() if inputs.claims else None,
        "discovered": inputs.discovered.to_dict(),
        "capabilities": capabilities,
        "findings": findings,
        "requirements": requirements,
        "waivers": waivers,
        "suite_strength": dict(inputs.strength) if inputs.strength is not None else None,
        "hashes": dict(inputs.hashes),
    }
