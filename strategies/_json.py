"""JSON primitives: the seven JSON types, a value of each, and a strict parser.

"integer" and "number" are told apart the way JSON Schema does: a number with a zero fractional part
is an integer, so the "number" strategy draws only non-integral floats (and never NaN or infinity,
which are not JSON).
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

from hypothesis import strategies as st

__all__ = ["JSON_TYPES", "StrictJSONError", "json_type", "json_values", "strict_loads", "to_bytes"]

JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")

_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**31), 2**31),
    st.text(max_size=8),
)


@cache
def _non_integral_floats() -> st.SearchStrategy[float]:
    return st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9).filter(
        lambda x: not float(x).is_integer()
    ) | st.sampled_from((0.5, -1.25, 3.14159))


@cache
def json_values(json_type: str) -> st.SearchStrategy[Any]:
    """Values of exactly one JSON type (one of :data:`JSON_TYPES`)."""
    if json_type == "null":
        return st.none()
    if json_type == "boolean":
        return st.booleans()
    if json_type == "integer":
        return st.integers(-(2**53), 2**53) | st.sampled_from((0, 1, -1))
    if json_type == "number":
        return _non_integral_floats()
    if json_type == "string":
        return st.text(max_size=16) | st.sampled_from(("", "true", "false", "1", "null", "RTSP"))
    if json_type == "array":
        return st.lists(_SCALARS, max_size=3)
    if json_type == "object":
        return st.dictionaries(st.text(max_size=6), _SCALARS, max_size=3)
    raise KeyError(f"not a JSON type: {json_type!r}")


def json_type(value: Any) -> str:
    """The JSON type of a Python value as JSON Schema sees it (booleans are not integers; 1.0 is)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if math.isfinite(value) and value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


class StrictJSONError(ValueError):
    """Raised by :func:`strict_loads` for text that RFC 8259 does not call JSON."""


def _reject_constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not JSON")


def strict_loads(data: bytes | str) -> Any:
    """Parse JSON as RFC 8259 defines it: UTF-8 only, no NaN/Infinity (Python's json accepts both)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise StrictJSONError(str(error)) from None
    if data.startswith("\ufeff"):
        raise StrictJSONError("a byte order mark is not JSON")
    try:
        return json.loads(data, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise StrictJSONError(str(error)) from None


def to_bytes(value: Any) -> bytes:
    """What goes on the wire: bytes as they are, anything else as compact UTF-8 JSON."""
    if isinstance(value, bytes):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
