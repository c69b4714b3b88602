"""The label every invalid variant carries: the ledger entry it breaks, and whether the suites enforce it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paircert.ledger import Level, rule_level
from paircert.vapix.passwords import replace_passwords
from strategies._json import to_bytes

__all__ = ["InvalidCase", "Level", "invalid_case"]


@dataclass(frozen=True)
class InvalidCase:
    """One invalid value and why it is invalid.

    ``value``: what to send (a JSON value, or ``bytes`` for bodies that are not JSON).
    ``kind``: a short machine label, e.g. ``"missing:data.address"`` or ``"wrong-type:params.tls:string"``.
    ``why``: one sentence for a report.
    ``rule``: the ledger ID of the statement it breaks (one of the module's ``RULES``): a requirement,
    or a named untested statement the suites do not enforce.
    ``level``: the requirement's ledger level (``documented`` or ``inferred``), or None for a
    statement not enforced (the documents are silent: record what the device did, never fail).
    ``schema``: the documented schema (a ``paircert.schemas`` name) that judges the value, or None
    when no single one applies (bodies that are not JSON objects, methods the API does not have).
    ``schema_rejects``: True when that schema rejects the value (with ``schema`` None: when no
    request schema of the API accepts it, or it is not JSON at all); False when only ``rule`` makes
    it invalid (the strict address layer, the device's supported versions, a member the schema
    allows, a repeated member).
    ``code``: the API error code the document implies (camera pairing 102, radar 2100-2104), or None
    when the document names none.
    """

    value: Any
    kind: str
    why: str
    rule: str
    level: Level | None
    schema: str | None
    schema_rejects: bool
    code: int | None = None

    @property
    def enforced(self) -> bool:
        """Whether a device that accepts this case fails (False: the answer is recorded as observed)."""
        return self.level is not None

    @property
    def body(self) -> bytes:
        """The value as request body bytes (compact UTF-8 JSON unless it already is bytes)."""
        return to_bytes(self.value)

    def __repr__(self) -> str:
        # Generated passwords are no secrets, but reports must not learn to print password values:
        # a case about a password shows its length instead.
        shown = _redacted(self.value, whole=self.kind.startswith("set:password:"))
        return (
            f"InvalidCase(kind={self.kind!r}, rule={self.rule!r}, code={self.code!r}, "
            f"schema_rejects={self.schema_rejects!r}, value={shown})"
        )


def invalid_case(
    value: Any, kind: str, why: str, rule: str, schema: str | None, *, rejects: bool = True, code: int | None = None
) -> InvalidCase:
    """A labelled case whose level is the ledger's; an ID the ledger lacks raises ``LedgerError``."""
    return InvalidCase(value, kind, why, rule, rule_level(rule), schema, rejects, code)


def _redacted(value: Any, *, whole: bool = False) -> str:
    """repr of ``value`` with every ``password`` member shown as its length; ``whole``: the value is a
    password SET body, so its ``data`` (or the bare value) is hidden too."""
    if not isinstance(value, dict):
        return repr(_hide(value) if whole else value)
    shown = replace_passwords(value, _hide)
    if whole and "data" in shown:
        shown["data"] = _hide(value["data"])
    return repr(shown)


def _hide(node: Any) -> _Hidden:
    return _Hidden(len(node)) if isinstance(node, (str, bytes)) else _Hidden(None)


@dataclass(frozen=True)
class _Hidden:
    length: int | None

    def __repr__(self) -> str:
        return "<redacted>" if self.length is None else f"<redacted: {self.length} characters>"
