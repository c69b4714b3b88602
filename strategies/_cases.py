"""The label every invalid variant carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from strategies._json import to_bytes

__all__ = ["InvalidCase", "Level"]

Level = Literal["documented", "inferred", "undocumented"]


@dataclass(frozen=True)
class InvalidCase:
    """One invalid value and why it is invalid.

    ``value``: what to send (a JSON value, or ``bytes`` for bodies that are not JSON).
    ``kind``: a short machine label, e.g. ``"missing:data.address"`` or ``"wrong-type:params.tls:string"``.
    ``why``: one sentence for a report.
    ``rule``: the requirement-ID-like string of the rule it breaks (a key of the module's ``RULES``).
    ``level``: that rule's level: ``documented`` (the document says it), ``inferred`` (it follows
    from the document) or ``undocumented`` (the document is silent: record, never fail).
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
    level: Level
    schema: str | None
    schema_rejects: bool
    code: int | None = None

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


def _redacted(value: Any, *, whole: bool = False) -> str:
    """repr of ``value`` with every ``password`` member shown as its length; ``whole``: the value is a
    password SET body, so its ``data`` (or the bare value) is hidden too."""

    def hide(node: Any) -> Any:
        return _Hidden(len(node)) if isinstance(node, (str, bytes)) else _Hidden(None)

    def walk(node: Any, secret: bool) -> Any:
        if secret:
            return hide(node)
        if isinstance(node, dict):
            return {k: walk(v, k == "password" or (k == "data" and whole)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item, False) for item in node]
        return node

    return repr(walk(value, False) if isinstance(value, dict) else (hide(value) if whole else value))


@dataclass(frozen=True)
class _Hidden:
    length: int | None

    def __repr__(self) -> str:
        return "<redacted>" if self.length is None else f"<redacted: {self.length} characters>"
