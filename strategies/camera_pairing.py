"""Camera pairing request bodies: valid ADD and SET bodies, and invalid variants labelled by rule.

Parts, smallest first: field schemas (read from ``paircert.schemas``) -> valid field values ->
valid bodies -> invalid variants (one fault each: a missing field, a wrong JSON type, an unknown
member, an enum or length violation, an address only the strict layer rejects, a wrong body shape).

Valid bodies come from the documented schemas through hypothesis-jsonschema, except the address:
the documented Address type is just a string, so addresses come from
:func:`strategies.addresses.valid_addresses` (documentation ranges and reserved names only).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from paircert import schemas
from strategies._cases import InvalidCase
from strategies._cases import invalid_case as _case
from strategies._json import JSON_TYPES, json_values
from strategies.addresses import INVALID_ADDRESS_KINDS, invalid_addresses, valid_addresses
from strategies.text import printable_text, text_of_length

__all__ = [
    "ADD_FAULTS",
    "ADD_REQUIRED",
    "RULES",
    "SETTABLE",
    "invalid_add_bodies",
    "invalid_set_bodies",
    "invalid_set_requests",
    "set_faults",
    "valid_add_bodies",
    "valid_set_bodies",
    "valid_set_requests",
    "valid_set_values",
]

RULES: Final = (
    "CP-ADD-REQUIRED",
    "CP-STRING-TYPES",
    "CP-PROTOCOL-ENUM",
    "CP-VERIFYCERT-BOOLEAN",
    "CP-ADDRESS-MAXLEN",
    "CP-USERNAME-MAXLEN",
    "CP-PASSWORD-MAXLEN",
    "CP-DESCRIPTION-MAXLEN",
    "CP-INVALID-ADDRESS",
    "DCA-ADD-BODY",
    "DCA-SET-BODY",
    "CP-ADD-MEMBERS",
    "DCA-BODY-MEMBERS",
    "CP-ADDRESS-ZONE",
)
"""Ledger IDs of the statements the invalid variants break; statements and levels live in the ledger
(``paircert/ledger/requirements.toml``): CP-ADD-MEMBERS, DCA-BODY-MEMBERS and CP-ADDRESS-ZONE are
named there as statements the suites do not enforce."""

ADD_SCHEMA: Final = "camera-pairing/add-request"
ADD_REQUIRED: Final = ("address", "username", "password", "streamingprotocol", "verifycertificate", "description")
SETTABLE: Final = tuple(schemas.SETTABLE)

_TYPE_RULE = {
    "address": "CP-STRING-TYPES",
    "username": "CP-STRING-TYPES",
    "password": "CP-STRING-TYPES",
    "description": "CP-STRING-TYPES",
    "streamingprotocol": "CP-PROTOCOL-ENUM",
    "verifycertificate": "CP-VERIFYCERT-BOOLEAN",
}
_LENGTH_RULE = {
    "address": "CP-ADDRESS-MAXLEN",
    "username": "CP-USERNAME-MAXLEN",
    "password": "CP-PASSWORD-MAXLEN",
    "description": "CP-DESCRIPTION-MAXLEN",
}
_READ_ONLY = ("id", "status", "productmodel", "productname")
_PROTOCOL_LOOKALIKES = ("rtsp", "srtsp", "Rtsp", "RTSPS", "SRTP", "RTP", "HTTP", "", " RTSP", "RTSP ", "RTSP\n")


# --------------------------------------------------------------------------- field schemas


@cache
def _field_schema(prop: str) -> dict[str, Any]:
    """The documented data type of a settable property, as the SET request schema holds it."""
    data: dict[str, Any] = schemas.bundled(f"camera-pairing/set-request/{prop}")["properties"]["data"]
    return data


def _field_type(prop: str) -> str:
    return str(_field_schema(prop)["type"])


def _max_length(prop: str) -> int | None:
    return _field_schema(prop).get("maxLength")


def _set_schema(prop: str) -> str:
    return f"camera-pairing/set-request/{prop}"


def _check_prop(prop: str) -> None:
    if prop not in SETTABLE:
        raise ValueError(f"{prop!r} is not a settable property; choose from {SETTABLE}")


# --------------------------------------------------------------------------- valid values and bodies


@cache
def valid_set_values(prop: str, *, printable: bool = False) -> st.SearchStrategy[Any]:
    """Values the documented type of ``prop`` accepts (addresses: documentation ranges only).

    ``printable``: strings of printable non-space characters only, instead of anything the schema
    allows (which includes control characters such as NUL)."""
    _check_prop(prop)
    if prop == "address":
        return valid_addresses()
    schema = _field_schema(prop)
    if printable and schema.get("type") == "string" and "enum" not in schema:
        return printable_text(max_size=schema.get("maxLength"))
    return from_schema(schema)


@cache
def valid_set_bodies(prop: str, *, printable: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """``{"data": value}`` bodies for PATCH of ``prop`` (checked against ``camera-pairing/set-request/<prop>``)."""
    return valid_set_values(prop, printable=printable).map(lambda value: {"data": value})


@cache
def valid_set_requests(*, printable: bool = False) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """``(property, body)`` for every settable property."""
    return st.sampled_from(SETTABLE).flatmap(
        lambda prop: valid_set_bodies(prop, printable=printable).map(lambda body: (prop, body))
    )


@cache
def _schema_add_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """ADD bodies from the schema: one hypothesis-jsonschema strategy per member.

    hypothesis-jsonschema draws whole objects about ten times slower than per-member strategies
    composed with ``fixed_dictionaries``; for a closed object whose members are all required the
    two draw the same set, so the faster one is used when the schema has that shape."""
    schema = schemas.bundled(ADD_SCHEMA)
    data = schema["properties"]["data"]

    def closed(node: dict[str, Any]) -> bool:
        return node.get("additionalProperties") is False and set(node.get("required", ())) == set(node["properties"])

    if not (closed(schema) and closed(data) and set(schema) <= _OBJECT_KEYWORDS and set(data) <= _OBJECT_KEYWORDS):
        whole: st.SearchStrategy[dict[str, Any]] = from_schema(schema)  # type: ignore[assignment]
        return whole
    members = {name: from_schema(sub) for name, sub in data["properties"].items()}
    return st.fixed_dictionaries({"data": st.fixed_dictionaries(members)})


_OBJECT_KEYWORDS = frozenset(
    {"type", "required", "additionalProperties", "properties", "title", "description", "$comment"}
)


@cache
def valid_add_bodies(
    *, printable: bool = False, addresses: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """``{"data": {...}}`` ADD bodies with all six required properties.

    Drawn from ``camera-pairing/add-request`` by hypothesis-jsonschema; the address comes from
    ``addresses`` (default: :func:`~strategies.addresses.valid_addresses`). ``printable``: strings
    of printable non-space characters only.
    """
    return _valid_add_bodies(printable, addresses if addresses is not None else valid_addresses())


@cache
@st.composite
def _valid_add_bodies(draw: st.DrawFn, printable: bool, addresses: st.SearchStrategy[str]) -> dict[str, Any]:
    data = dict(draw(_schema_add_bodies())["data"])
    data["address"] = draw(addresses)
    if printable:
        for prop in ("username", "password", "description"):
            data[prop] = draw(valid_set_values(prop, printable=True))
    return {"data": data}


# --------------------------------------------------------------------------- invalid values of one field


@cache
def _wrong_types(prop: str) -> st.SearchStrategy[tuple[str, Any]]:
    """``(json_type, value)`` of every JSON type that is not the property's type."""
    right = _field_type(prop)
    wrong = [t for t in JSON_TYPES if t != right and not (right == "number" and t == "integer")]
    return st.sampled_from(wrong).flatmap(lambda t: json_values(t).map(lambda v: (t, v)))


@cache
def _too_long(prop: str) -> st.SearchStrategy[str]:
    limit = _max_length(prop)
    assert limit is not None, prop
    if prop == "address":
        return invalid_addresses(("overlong",)).map(lambda pair: pair[1])
    return st.integers(limit + 1, limit + 16).flatmap(text_of_length)


@cache
def _enum_violations(prop: str) -> st.SearchStrategy[str]:
    allowed = set(_field_schema(prop)["enum"])
    return (st.sampled_from(_PROTOCOL_LOOKALIKES) | st.text(max_size=12)).filter(lambda v: v not in allowed)


_FIELD_FAULTS: Final = ("wrong-type", "too-long", "enum", "invalid-address")


def _props_for(fault: str) -> tuple[str, ...]:
    """The properties a field fault applies to."""
    if fault == "too-long":
        return tuple(p for p in ADD_REQUIRED if _max_length(p) is not None)
    if fault == "enum":
        return tuple(p for p in ADD_REQUIRED if "enum" in _field_schema(p))
    if fault == "invalid-address":
        return ("address",)
    return ADD_REQUIRED


@cache
@st.composite
def _field_fault(draw: st.DrawFn, prop: str, where: str, fault: str) -> tuple[str, str, str, Any, bool, int | None]:
    """One invalid value of ``prop`` at ``where``: ``(kind, why, rule, value, schema_rejects, code)``."""
    if fault == "wrong-type":
        json_type, value = draw(_wrong_types(prop))
        why = f"{where} is a JSON {json_type}, not a {_field_type(prop)}"
        return f"wrong-type:{where}:{json_type}", why, _TYPE_RULE[prop], value, True, None
    if fault == "too-long":
        value = draw(_too_long(prop))
        why = f"{where} has {len(value)} characters, more than {_max_length(prop)}"
        return f"too-long:{where}", why, _LENGTH_RULE[prop], value, True, None
    if fault == "enum":
        value = draw(_enum_violations(prop))
        why = f"{where} {value!r} is not one of {_field_schema(prop)['enum']}"
        return f"enum:{where}", why, _TYPE_RULE[prop], value, True, None
    kind, value = draw(invalid_addresses(_STRICT_ONLY_KINDS))
    if kind == "ipv6-zone":  # no document says whether a zone index makes an IPv6 address invalid
        why = f"{where} is an IPv6 address with a zone index (RFC 4007), which no document allows or forbids"
        return f"invalid-address:{where}:{kind}", why, "CP-ADDRESS-ZONE", value, False, None
    why = f"{where} is not a valid IPv4/IPv6 address or DNS name ({kind})"
    return f"invalid-address:{where}:{kind}", why, "CP-INVALID-ADDRESS", value, False, 102


_STRICT_ONLY_KINDS: Final = tuple(k for k in INVALID_ADDRESS_KINDS if k != "overlong")


def _fault_case(
    fault: tuple[str, str, str, Any, bool, int | None], body: Any, schema: str, prefix: str = ""
) -> InvalidCase:
    kind, why, rule, _value, rejects, code = fault
    return _case(body, prefix + kind, why, rule, schema, rejects=rejects, code=code)


@cache
def _unknown_member_names(taken: tuple[str, ...]) -> st.SearchStrategy[str]:
    lookalikes = st.sampled_from((*_READ_ONLY, "Address", "PASSWORD", "port", "apiVersion", "data", "extra"))
    return (lookalikes | st.text(min_size=1, max_size=12)).filter(lambda name: name not in taken)


@cache
def _any_json() -> st.SearchStrategy[Any]:
    return st.sampled_from(JSON_TYPES).flatmap(json_values)


@cache
def _not_objects() -> st.SearchStrategy[tuple[str, Any]]:
    return st.sampled_from([t for t in JSON_TYPES if t != "object"]).flatmap(
        lambda t: json_values(t).map(lambda value: (t, value))
    )


# --------------------------------------------------------------------------- invalid ADD bodies

ADD_FAULTS: Final = (
    "missing",
    *_FIELD_FAULTS,
    "extra-member:data",
    "extra-member:body",
    "missing:data",
    "wrong-type:body",
    "wrong-type:data",
)
"""Fault families of :func:`invalid_add_bodies`, drawn with equal weight."""


@cache
@st.composite
def _add_fault(draw: st.DrawFn, family: str) -> InvalidCase:
    body = draw(valid_add_bodies())
    if family == "missing":
        prop = draw(st.sampled_from(ADD_REQUIRED))
        del body["data"][prop]
        return _case(
            body, f"missing:data.{prop}", f"ADD without the required property {prop}", "CP-ADD-REQUIRED", ADD_SCHEMA
        )
    if family in _FIELD_FAULTS:
        prop = draw(st.sampled_from(_props_for(family)))
        fault = draw(_field_fault(prop, f"data.{prop}", family))
        return _fault_case(fault, {"data": {**body["data"], prop: fault[3]}}, ADD_SCHEMA)
    if family == "extra-member:data":
        name = draw(_unknown_member_names(ADD_REQUIRED))
        body["data"][name] = draw(_any_json())
        return _case(
            body,
            f"extra-member:data.{name}",
            f"ADD carries the member {name!r} besides the six properties",
            "CP-ADD-MEMBERS",
            ADD_SCHEMA,
        )
    if family == "extra-member:body":
        name = draw(_unknown_member_names(("data",)))
        body[name] = draw(_any_json())
        return _case(
            body, f"extra-member:{name}", f"the body carries {name!r} besides data", "DCA-BODY-MEMBERS", ADD_SCHEMA
        )
    if family == "missing:data":
        return _case({}, "missing:data", "the body has no data member", "DCA-ADD-BODY", ADD_SCHEMA)
    json_type, value = draw(_not_objects())
    if family == "wrong-type:body":
        return _case(
            value,
            f"wrong-type:(root):{json_type}",
            f"the body is a JSON {json_type}, not an object",
            "DCA-ADD-BODY",
            ADD_SCHEMA,
        )
    return _case(
        {"data": value},
        f"wrong-type:data:{json_type}",
        f"data is a JSON {json_type}, not an object",
        "DCA-ADD-BODY",
        ADD_SCHEMA,
    )


def _check_families(families: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    unknown = set(families) - set(allowed)
    if unknown or not families:
        raise ValueError(f"unknown fault families {sorted(unknown)}; choose from {allowed}")
    return tuple(families)


@cache
def invalid_add_bodies(families: tuple[str, ...] = ADD_FAULTS) -> st.SearchStrategy[InvalidCase]:
    """ADD bodies with exactly one fault each, labelled (see :class:`~strategies.InvalidCase`).

    Families (:data:`ADD_FAULTS`, equally likely; ``families`` narrows them): a required property
    missing; a property of a wrong JSON type; a too-long string; a streamingprotocol outside its
    enum; an address only the strict layer rejects (``schema_rejects`` False, code 102); an unknown
    or GET-only member in data or beside it; no data; a body or data that is not an object."""
    return st.sampled_from(_check_families(families, ADD_FAULTS)).flatmap(_add_fault)


# --------------------------------------------------------------------------- invalid SET bodies


def set_faults(prop: str) -> tuple[str, ...]:
    """Fault families of :func:`invalid_set_bodies` for ``prop``, drawn with equal weight."""
    _check_prop(prop)
    fields = tuple(f for f in _FIELD_FAULTS if prop in _props_for(f))
    return (*fields, "missing:data", "bare-value", "extra-member:body")


@cache
@st.composite
def _set_fault(draw: st.DrawFn, prop: str, family: str) -> InvalidCase:
    schema = _set_schema(prop)
    prefix = f"set:{prop}:"
    if family in _FIELD_FAULTS:
        fault = draw(_field_fault(prop, "data", family))
        return _fault_case(fault, {"data": fault[3]}, schema, prefix)
    if family == "missing:data":
        return _case({}, f"{prefix}missing:data", "the SET body has no data member", "DCA-SET-BODY", schema)
    value = draw(valid_set_values(prop))
    if family == "bare-value":
        return _case(
            value,
            f"{prefix}bare-value",
            'the value is sent bare, not wrapped as {"data": <value>}',
            "DCA-SET-BODY",
            schema,
        )
    name = draw(_unknown_member_names(("data",)))
    return _case(
        {"data": value, name: draw(_any_json())},
        f"{prefix}extra-member:{name}",
        f"the SET body carries {name!r} besides data",
        "DCA-BODY-MEMBERS",
        schema,
    )


@cache
def invalid_set_bodies(prop: str, families: tuple[str, ...] | None = None) -> st.SearchStrategy[InvalidCase]:
    """PATCH bodies for ``prop`` with exactly one fault each (kinds start with ``set:<prop>:``);
    ``families`` narrows :func:`set_faults` of ``prop``."""
    chosen = set_faults(prop) if families is None else _check_families(families, set_faults(prop))
    return st.sampled_from(chosen).flatmap(lambda family: _set_fault(prop, family))


@cache
def invalid_set_requests(families: tuple[str, ...] | None = None) -> st.SearchStrategy[tuple[str, InvalidCase]]:
    """``(property, case)`` over every settable property and fault family (``families``: only
    these, for the properties they apply to)."""
    pairs = [
        (prop, family) for prop in SETTABLE for family in set_faults(prop) if families is None or family in families
    ]
    if families is not None:
        _check_families(families, tuple(sorted({f for p in SETTABLE for f in set_faults(p)})))
    return st.sampled_from(pairs).flatmap(lambda pair: _set_fault(*pair).map(lambda case: (pair[0], case)))
