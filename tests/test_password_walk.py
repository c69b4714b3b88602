"""The one password-field walk: finds and replaces at any depth, any case, and survives hostile nesting."""

from __future__ import annotations

import json
from typing import Any

from paircert.vapix.passwords import has_password_field, password_values, replace_passwords

DOCUMENT = {"data": [{"Password": "a1", "inner": {"password": "b2"}}], "password": "c3", "n": 1, "list": ["password"]}


def _deep(levels: int, leaf: Any) -> Any:
    """JSON nested ``levels`` arrays deep, parsed the way a device answer would be (no recursion)."""
    text = "[" * levels + json.dumps(leaf) + "]" * levels
    node: Any = leaf
    for _ in range(levels):
        node = [node]
    assert len(text) > levels
    return node


def test_password_values_finds_every_field_named_password_in_any_case_and_no_other_string() -> None:
    assert sorted(password_values(DOCUMENT)) == ["a1", "b2", "c3"]
    assert password_values({"passwords": "x", "user": "password"}) == []


def test_replace_passwords_copies_the_document_and_replaces_only_password_values() -> None:
    replaced = replace_passwords(DOCUMENT, lambda value: f"<{len(value)}>")
    assert replaced == {
        "data": [{"Password": "<2>", "inner": {"password": "<2>"}}],
        "password": "<2>",
        "n": 1,
        "list": ["password"],
    }
    assert list(replaced) == list(DOCUMENT), "member order is kept"
    assert DOCUMENT["password"] == "c3", "the original is not changed"


def test_has_password_field_sees_a_field_of_any_value() -> None:
    assert has_password_field({"a": [{"PASSWORD": None}]})
    assert not has_password_field({"a": ["password"], "b": {"pass": 1}})


def test_a_hostile_hundred_thousand_deep_document_is_walked_without_recursion() -> None:
    deep = _deep(100_000, {"password": "deep-secret"})
    assert password_values(deep) == ["deep-secret"]
    assert has_password_field(deep)
    assert password_values(replace_passwords(deep, lambda _value: "R")) == ["R"]
