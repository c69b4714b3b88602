"""Network radar pairing requests: valid params and envelopes per method, invalid params, malformed
envelopes and bodies that are not JSON, each labelled with the radar error code the document's
table implies (2100 unsupported version, 2101 invalid JSON, 2102 unknown method, 2103 missing
parameter, 2104 invalid value) or None where the document names none.

Parts, smallest first: versions, contexts, params per method -> envelopes -> invalid params ->
malformed envelopes -> bodies that are not JSON objects.

Two document revisions: 2025-08 (booleans ``tls`` and ``tls-verify``) and 2026-01
(``tls-certificate-cn``, a string, replaces both). Strategies that depend on it take ``revision``
(None: either).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Final

from hypothesis import strategies as st

from strategies._cases import InvalidCase
from strategies._cases import invalid_case as _case
from strategies._json import JSON_TYPES, StrictJSONError, json_values, strict_loads
from strategies.addresses import dns_names, valid_addresses
from strategies.text import printable_text, text_of_length

__all__ = [
    "ENVELOPE_FAULTS",
    "METHODS",
    "NON_JSON_FAULTS",
    "PARAM_FAULTS",
    "PARAM_METHODS",
    "REVISIONS",
    "RULES",
    "api_versions",
    "contexts",
    "invalid_params",
    "invalid_requests",
    "malformed_envelopes",
    "non_json_bodies",
    "valid_params",
    "valid_requests",
]

RULES: Final = (
    "RP-VERSION-UNSUPPORTED",
    "RP-VERSION-MALFORMED",
    "RP-ERROR-INVALID-JSON",
    "RP-ERROR-UNKNOWN-METHOD",
    "RP-ERROR-MISSING-PARAM",
    "RP-SET-REQUIRED",
    "RP-ERROR-INVALID-VALUE",
    "RP-PASSWORD-LENGTH",
    "RP-TLS-FIELDS-2025-08",
    "RP-TLS-CERTIFICATE-CN",
    "RP-REQUEST-SHAPE",
    "RP-SET-EXAMPLE-FIELDS",
    "RP-ENVELOPE-MEMBERS",
    "RP-DUPLICATE-MEMBERS",
)
"""Ledger IDs of the statements the invalid variants break; statements and levels live in the ledger.
RP-SET-EXAMPLE-FIELDS (tls-verify, which only the example sends), RP-ENVELOPE-MEMBERS and
RP-DUPLICATE-MEMBERS are named there as statements the suites do not enforce."""

METHODS: Final = (
    "getRadarConnection",
    "setRadarConnection",
    "clearConfiguration",
    "getActive",
    "setActive",
    "getSupportedVersions",
)
PARAM_METHODS: Final = ("setRadarConnection", "setActive")
REVISIONS: Final = ("2025-08", "2026-01")
_PASSWORD_MAX: Final = 64


def _schema(method: str) -> str:
    return f"radar-pairing/request/{method}"


def _check(method: str, allowed: tuple[str, ...] = METHODS) -> None:
    if method not in allowed:
        raise ValueError(f"{method!r}: choose from {allowed}")


def _check_revision(revision: str | None) -> None:
    if revision is not None and revision not in REVISIONS:
        raise ValueError(f"revision {revision!r}: choose from {REVISIONS} or None")


# --------------------------------------------------------------------------- primitives


@cache
def api_versions(major: int = 1) -> st.SearchStrategy[str]:
    """``"<major>.<minor>"`` strings (``"1.0"`` is the simplest)."""
    return st.integers(0, 20).map(lambda minor: f"{major}.{minor}")


@cache
def contexts() -> st.SearchStrategy[str]:
    """Any JSON string: the device echoes it back unchanged."""
    return st.text(max_size=40) | st.sampled_from(("my context", "", '"quoted" \\ \u0000', "漢😀"))


@cache
def _passwords() -> st.SearchStrategy[str]:
    return st.integers(1, _PASSWORD_MAX).flatmap(text_of_length)


@cache
@st.composite
def _set_radar_connection_params(draw: st.DrawFn, revision: str | None) -> dict[str, Any]:
    revision = revision or draw(st.sampled_from(REVISIONS))
    params: dict[str, Any] = {
        "address": draw(valid_addresses()),
        "user": draw(printable_text(min_size=1, max_size=32)),
        "password": draw(_passwords()),
    }
    if revision == "2025-08":
        params["tls"] = draw(st.booleans())
        if draw(st.booleans()):
            params["tls-verify"] = draw(st.booleans())
    else:
        params["tls-certificate-cn"] = draw(dns_names())
    return params


@cache
def valid_params(method: str, *, revision: str | None = None) -> st.SearchStrategy[dict[str, Any] | None]:
    """Params a device must accept for ``method`` (None: the method takes no params).

    setRadarConnection: a documentation address, a user, a password of 1..64 characters (multi-byte
    ones too) and the revision's TLS fields; setActive: ``{"active": <bool>}``."""
    _check(method)
    _check_revision(revision)
    if method == "setRadarConnection":
        return _set_radar_connection_params(revision)
    if method == "setActive":
        return st.builds(lambda active: {"active": active}, st.booleans())
    return st.none()


@cache
def valid_requests(
    method: str | None = None, *, revision: str | None = None, major: int = 1
) -> st.SearchStrategy[dict[str, Any]]:
    """Request envelopes: ``apiVersion`` ``"<major>.x"``, optional ``context``, ``method`` and its params.

    getSupportedVersions sometimes goes without apiVersion (it works with or without one)."""
    if method is not None:
        _check(method)
    _check_revision(revision)
    methods = st.sampled_from(METHODS) if method is None else st.just(method)
    return methods.flatmap(lambda m: _valid_request(m, revision, major))


@cache
@st.composite
def _valid_request(draw: st.DrawFn, method: str, revision: str | None, major: int) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if method != "getSupportedVersions" or draw(st.booleans()):
        request["apiVersion"] = draw(api_versions(major))
    if draw(st.booleans()):
        request["context"] = draw(contexts())
    request["method"] = method
    params = draw(valid_params(method, revision=revision))
    if params is not None:
        request["params"] = params
    return request


# --------------------------------------------------------------------------- invalid params

PARAM_FAULTS: Final = {
    "setRadarConnection": (
        "missing",
        "wrong-type",
        "password-length",
        "tls",
        "tls-verify",
        "tls-certificate-cn",
        "params-missing",
        "params-type",
    ),
    "setActive": ("missing", "wrong-type", "params-missing", "params-type"),
}
"""Fault families of :func:`invalid_params` per method, drawn with equal weight."""
_REVISION_FIELDS: Final = {"2025-08": ("tls", "tls-verify"), "2026-01": ("tls-certificate-cn",)}


def _wrong_type_code(json_type: str, code: int | None) -> int | None:
    # null: whether it counts as "missing" (2103) or "invalid value" (2104) is not documented.
    return None if json_type == "null" else code


@cache
def _wrong_values(right: str) -> st.SearchStrategy[tuple[str, Any]]:
    """``(json_type, value)`` of every JSON type but ``right``."""
    return st.sampled_from([t for t in JSON_TYPES if t != right]).flatmap(
        lambda t: json_values(t).map(lambda value: (t, value))
    )


@cache
def _any_json() -> st.SearchStrategy[Any]:
    return st.sampled_from(JSON_TYPES).flatmap(json_values)


def _wrong_typed(
    draw: st.DrawFn, method: str, request: dict[str, Any], name: str, right: str, rule: str, code: int | None
) -> InvalidCase:
    json_type, value = draw(_wrong_values(right))
    request["params"][name] = value
    return _case(
        request,
        f"wrong-type:params.{name}:{json_type}",
        f"params.{name} is a JSON {json_type}, not a {right}",
        rule,
        _schema(method),
        code=_wrong_type_code(json_type, code),
    )


def _param_families(method: str | None, revision: str | None) -> list[tuple[str, str, str | None]]:
    """``(method, family, revision)`` for every fault family that applies."""
    families: list[tuple[str, str, str | None]] = []
    for name in PARAM_METHODS if method is None else (method,):
        for family in PARAM_FAULTS[name]:
            if family in ("tls", "tls-verify", "tls-certificate-cn"):
                for rev in REVISIONS if revision is None else (revision,):
                    if family in _REVISION_FIELDS[rev]:
                        families.append((name, family, rev))
            else:
                families.append((name, family, revision))
    return families


@cache
@st.composite
def _param_fault(draw: st.DrawFn, method: str, family: str, revision: str | None) -> InvalidCase:
    request = draw(valid_requests(method, revision=revision))
    schema = _schema(method)
    required = ("address", "user", "password") if method == "setRadarConnection" else ("active",)
    if family == "params-missing":
        del request["params"]
        return _case(request, "missing:params", f"{method} without params", "RP-ERROR-MISSING-PARAM", schema, code=2103)
    if family == "params-type":
        json_type, request["params"] = draw(_wrong_values("object"))
        return _case(
            request,
            f"wrong-type:params:{json_type}",
            f"params is a JSON {json_type}, not an object",
            "RP-REQUEST-SHAPE",
            schema,
        )
    if family == "missing":
        name = draw(st.sampled_from(required))
        del request["params"][name]
        rule = "RP-SET-REQUIRED" if method == "setRadarConnection" else "RP-ERROR-MISSING-PARAM"
        return _case(request, f"missing:params.{name}", f"{method} without {name}", rule, schema, code=2103)
    if family == "wrong-type":
        name = draw(st.sampled_from(required))
        right = "boolean" if name == "active" else "string"
        return _wrong_typed(draw, method, request, name, right, "RP-ERROR-INVALID-VALUE", 2104)
    if family == "password-length":
        size = draw(st.sampled_from((0, _PASSWORD_MAX + 1)) | st.integers(_PASSWORD_MAX + 1, _PASSWORD_MAX + 16))
        request["params"]["password"] = draw(text_of_length(size))
        return _case(
            request,
            "length:params.password",
            f"password has {size} characters, not 1..64",
            "RP-PASSWORD-LENGTH",
            schema,
            code=2104,
        )
    if family == "tls":
        return _wrong_typed(draw, method, request, "tls", "boolean", "RP-TLS-FIELDS-2025-08", 2104)
    if family == "tls-verify":
        request["params"].setdefault("tls-verify", True)
        return _wrong_typed(draw, method, request, "tls-verify", "boolean", "RP-SET-EXAMPLE-FIELDS", None)
    return _wrong_typed(draw, method, request, "tls-certificate-cn", "string", "RP-TLS-CERTIFICATE-CN", 2104)


def invalid_params(
    method: str | None = None, *, revision: str | None = None, families: tuple[str, ...] | None = None
) -> st.SearchStrategy[InvalidCase]:
    """Whole requests whose params break one rule of ``method`` (setRadarConnection or setActive).

    Families (:data:`PARAM_FAULTS`): a required parameter missing (2103); a wrong JSON type
    (2104; null: None); a password of 0 or more than 64 characters (2104); a TLS field of the
    wrong type for the revision (tls, tls-certificate-cn: 2104; tls-verify: None, the request
    table does not list it); params missing (2103) or not an object (None). Every case fails
    ``radar-pairing/request/<method>``. ``families`` narrows the families (of either method)."""
    if method is not None:
        _check(method, PARAM_METHODS)
    _check_revision(revision)
    chosen = _param_families(method, revision)
    if families is not None:
        _check_families(families, tuple(sorted({f for fs in PARAM_FAULTS.values() for f in fs})))
        chosen = [f for f in chosen if f[1] in families]
        if not chosen:
            raise ValueError(f"no family of {families} applies to method {method!r} and revision {revision!r}")
    return st.sampled_from(chosen).flatmap(lambda f: _param_fault(*f))


def _check_families(families: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    unknown = set(families) - set(allowed)
    if unknown or not families:
        raise ValueError(f"unknown fault families {sorted(unknown)}; choose from {allowed}")
    return tuple(families)


# --------------------------------------------------------------------------- malformed envelopes

ENVELOPE_FAULTS: Final = (
    "unsupported-version",
    "malformed-version",
    "apiVersion-type",
    "apiVersion-missing",
    "unknown-method",
    "method-missing",
    "method-type",
    "context-type",
    "extra-member",
    "duplicate-member",
)
"""Fault families of :func:`malformed_envelopes`, drawn with equal weight."""

_MALFORMED_VERSIONS = (
    "1",
    "1.0.0",
    "v1.0",
    "one.zero",
    "",
    "1.x",
    "1.",
    ".0",
    " 1.0",
    "1.0 ",
    "１.０",
    "1,0",
    "1-0",
    "latest",
    "1.0\n",
)
_METHOD_LOOKALIKES = (
    "GetActive",
    "getactive",
    "getRadarConnections",
    "setradarconnection",
    "",
    " getActive",
    "getActive ",
    "getApiList",
    "getAllProperties",
    "clearConfig",
    "setActive\n",
)
_MEMBER_LOOKALIKES = ("apiversion", "Method", "id", "jsonrpc", "data", "error", "param", "Params")


@cache
@st.composite
def _envelope_fault(draw: st.DrawFn, family: str, method: str | None, supported_majors: tuple[int, ...]) -> InvalidCase:
    if method is None:
        choices = [m for m in METHODS if not (family == "apiVersion-missing" and m == "getSupportedVersions")]
        method = draw(st.sampled_from(choices))
    request = draw(valid_requests(method))
    schema = _schema(method)
    if family == "unsupported-version":
        major = draw(
            (st.sampled_from((0, 2, 3, 10, 99)) | st.integers(0, 999)).filter(lambda m: m not in supported_majors)
        )
        request["apiVersion"] = f"{major}.{draw(st.integers(0, 9))}"
        return _case(
            request,
            "unsupported-version",
            f"apiVersion {request['apiVersion']} has an unsupported major",
            "RP-VERSION-UNSUPPORTED",
            schema,
            rejects=False,
            code=2100,
        )
    if family == "malformed-version":
        request["apiVersion"] = version = draw(st.sampled_from(_MALFORMED_VERSIONS))
        return _case(
            request,
            "malformed-version",
            f"apiVersion {version!r} is not '<major>.<minor>'",
            "RP-VERSION-MALFORMED",
            schema,
        )
    if family == "apiVersion-type":
        json_type, request["apiVersion"] = draw(_wrong_values("string"))
        return _case(
            request,
            f"wrong-type:apiVersion:{json_type}",
            f"apiVersion is a JSON {json_type}",
            "RP-VERSION-MALFORMED",
            schema,
        )
    if family == "apiVersion-missing":
        if method == "getSupportedVersions":
            raise ValueError("getSupportedVersions needs no apiVersion")
        request.pop("apiVersion", None)
        return _case(request, "missing:apiVersion", f"{method} without apiVersion", "RP-VERSION-MALFORMED", schema)
    if family == "unknown-method":
        request["method"] = name = draw(
            (st.sampled_from(_METHOD_LOOKALIKES) | st.text(max_size=20)).filter(lambda m: m not in METHODS)
        )
        return _case(
            request,
            "unknown-method",
            f"method {name!r} is not one of the six",
            "RP-ERROR-UNKNOWN-METHOD",
            None,
            code=2102,
        )
    if family == "method-missing":
        del request["method"]
        return _case(request, "missing:method", "the request has no method", "RP-REQUEST-SHAPE", schema)
    if family == "method-type":
        json_type, request["method"] = draw(_wrong_values("string"))
        return _case(
            request, f"wrong-type:method:{json_type}", f"method is a JSON {json_type}", "RP-REQUEST-SHAPE", schema
        )
    if family == "context-type":
        json_type, request["context"] = draw(_wrong_values("string"))
        return _case(
            request,
            f"wrong-type:context:{json_type}",
            f"context is a JSON {json_type}, not a string",
            "RP-REQUEST-SHAPE",
            schema,
        )
    if family == "extra-member":
        name = draw(
            (st.sampled_from(_MEMBER_LOOKALIKES) | st.text(min_size=1, max_size=12)).filter(
                lambda n: n not in ("apiVersion", "context", "method", "params")
            )
        )
        request[name] = draw(_any_json())
        return _case(
            request,
            f"extra-member:{name}",
            f"the request carries {name!r}, which the document does not list",
            "RP-ENVELOPE-MEMBERS",
            schema,
            rejects=False,
        )
    request.setdefault("apiVersion", "1.0")
    name = draw(st.sampled_from(("apiVersion", "method")))
    other = draw(st.sampled_from(("2.0", "1.0", "99.1"))) if name == "apiVersion" else draw(st.sampled_from(METHODS))
    text = json.dumps(request, ensure_ascii=False)
    body = (text[:-1] + f", {json.dumps(name)}: {json.dumps(other)}}}").encode("utf-8")
    return _case(
        body,
        f"duplicate-member:{name}",
        f"{name} appears twice in the request object",
        "RP-DUPLICATE-MEMBERS",
        None,
        rejects=False,
    )


def malformed_envelopes(
    method: str | None = None, *, supported_majors: tuple[int, ...] = (1,), families: tuple[str, ...] = ENVELOPE_FAULTS
) -> st.SearchStrategy[InvalidCase]:
    """Requests whose envelope is wrong in one way (:data:`ENVELOPE_FAULTS`): apiVersion missing,
    ill-typed or not ``<major>.<minor>`` (None), or of an unsupported major (2100); method missing
    or ill-typed (None) or unknown (2102); context not a string (None); an unlisted member
    (not enforced: the schema allows it); a member given twice (bytes, not enforced).

    ``supported_majors``: the majors the device supports (from getSupportedVersions), so that
    "unsupported" really is unsupported. ``families`` narrows :data:`ENVELOPE_FAULTS`."""
    if method is not None:
        _check(method)
    _check_families(families, ENVELOPE_FAULTS)
    chosen = [f for f in families if not (f == "apiVersion-missing" and method == "getSupportedVersions")]
    if not chosen:
        raise ValueError("getSupportedVersions needs no apiVersion: no family left")
    return _envelope_strategy(tuple(chosen), method, tuple(sorted(set(supported_majors))))


@cache
def _envelope_strategy(
    families: tuple[str, ...], method: str | None, majors: tuple[int, ...]
) -> st.SearchStrategy[InvalidCase]:
    return st.sampled_from(families).flatmap(lambda family: _envelope_fault(family, method, majors))


# --------------------------------------------------------------------------- bodies that are not JSON objects

NON_JSON_FAULTS: Final = ("near-json", "random-bytes", "truncated", "not-an-object")
"""Fault families of :func:`non_json_bodies`, drawn with equal weight."""

_NEAR_JSON = (
    b"",
    b"apiVersion=1.0&method=getActive",
    b"{'apiVersion': '1.0', 'method': 'getActive'}",
    b'{"apiVersion": "1.0", "method": "getActive",}',
    b'{apiVersion: "1.0", method: "getActive"}',
    b'{"apiVersion": "1.0", "method": "getActive"} // comment',
    b'{"apiVersion": NaN, "method": "getActive"}',
    b'{"apiVersion": "1.0", "method": "getActive"}}',
    b'{"apiVersion": "1.0" "method": "getActive"}',
    b'{"apiVersion": "1.0", "method": "get\xffActive"}',
    b'{"apiVersion": "1.0", "method": "getActive\x01"}',
    b"<xml/>",
    b"null null",
)


def _is_strict_json(data: bytes) -> bool:
    try:
        strict_loads(data)
    except StrictJSONError:
        return False
    return True


@cache
@st.composite
def _non_json_fault(draw: st.DrawFn, family: str) -> InvalidCase:
    if family == "not-an-object":
        json_type = draw(st.sampled_from([t for t in JSON_TYPES if t != "object"]))
        if json_type == "array" and draw(st.booleans()):
            value: Any = [draw(valid_requests())]  # a batch: a list holding one valid request
        else:
            value = draw(json_values(json_type))
        return _case(
            json.dumps(value, ensure_ascii=False).encode("utf-8"),
            f"not-an-object:{json_type}",
            f"the body is valid JSON but a {json_type}, not a request object",
            "RP-REQUEST-SHAPE",
            None,
        )
    if family == "near-json":
        data = draw(st.sampled_from(_NEAR_JSON))
    elif family == "random-bytes":
        data = draw(st.binary(max_size=48).filter(lambda raw: not _is_strict_json(raw)))
    else:
        whole = json.dumps(draw(valid_requests()), ensure_ascii=False).encode("utf-8")
        data = whole[: draw(st.integers(0, len(whole) - 1))]
    return _case(
        data,
        f"invalid-json:{family}",
        "the body is not valid JSON (RFC 8259, UTF-8)",
        "RP-ERROR-INVALID-JSON",
        None,
        code=2101,
    )


@cache
def non_json_bodies(families: tuple[str, ...] = NON_JSON_FAULTS) -> st.SearchStrategy[InvalidCase]:
    """Request bodies (``bytes``) that are not a JSON object (:data:`NON_JSON_FAULTS`, narrowed by
    ``families``): near-JSON, random bytes, truncated JSON (2101, HTTP 400), or valid JSON of
    another type (None)."""
    return st.sampled_from(_check_families(families, NON_JSON_FAULTS)).flatmap(_non_json_fault)


def invalid_requests(
    *, supported_majors: tuple[int, ...] = (1,), revision: str | None = None
) -> st.SearchStrategy[InvalidCase]:
    """Every invalid radar request above, one fault each, every fault family equally likely."""
    _check_revision(revision)
    majors = tuple(sorted(set(supported_majors)))
    return _invalid_requests(majors, revision)


@cache
def _invalid_requests(majors: tuple[int, ...], revision: str | None) -> st.SearchStrategy[InvalidCase]:
    families: list[st.SearchStrategy[InvalidCase]] = [_param_fault(*f) for f in _param_families(None, revision)]
    families += [_envelope_fault(f, None, majors) for f in ENVELOPE_FAULTS]
    families += [_non_json_fault(f) for f in NON_JSON_FAULTS]
    return st.sampled_from(families).flatmap(lambda strategy: strategy)
