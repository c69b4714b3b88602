"""The one request-body reader: every refusal has its HTTP status, and no body reaches recursion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paircert.vapix.body import (
    BodyBuffer,
    BodyError,
    BodyLimits,
    check_body,
    check_declared_length,
    check_media_type,
    nesting_depth,
    parse_json,
    read_json,
)

JSON_ONLY = BodyLimits(media_types=("application/json",))


def _status(call: Any) -> int:
    with pytest.raises(BodyError) as caught:
        call()
    return caught.value.status


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\ab'), inner, max_size=3),
    max_leaves=20,
)


@given(json_values)
def test_nesting_depth_is_the_depth_of_the_value_whatever_its_strings_hold(value: Any) -> None:
    assert nesting_depth(json.dumps(value).encode()) == _depth(value)


def test_json_nested_far_past_the_recursion_limit_is_refused_with_400() -> None:
    for raw in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b"[" * 100_000):
        assert _status(lambda raw=raw: parse_json(raw)) == 400


def test_nesting_up_to_the_limit_is_parsed_and_one_more_level_is_not() -> None:
    limits = BodyLimits(max_depth=10)
    assert parse_json(b"[" * 10 + b"]" * 10, limits) == json.loads(b"[" * 10 + b"]" * 10)
    assert _status(lambda: parse_json(b"[" * 11 + b"]" * 11, limits)) == 400


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    raw = json.dumps({"data": "[" * 5000 + '\\"{'}).encode()
    assert parse_json(raw) == {"data": "[" * 5000 + '\\"{'}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"data":"\xff"}',
        b'{"data":"\xc0\xaf"}',
        json.dumps({"data": 1}).encode("utf-16"),
        b'{"data":NaN}',
        b'{"data":-Infinity}',
        b'{"data":' + b"9" * 5000 + b"}",
        b"{",
        b"",
        b'{"data":"\\ud800"}',
        b'["\\udc00"]',
    ],
)
def test_bodies_that_are_no_json_text_are_400(raw: bytes) -> None:
    assert _status(lambda: parse_json(raw)) == 400


def test_a_byte_order_mark_is_ignored_and_surrogate_pairs_are_text() -> None:
    assert parse_json(b'\xef\xbb\xbf{"data":"\\ud83d\\ude00"}') == {"data": "\U0001f600"}


def test_a_lone_surrogate_is_accepted_when_the_device_chooses_so() -> None:
    assert parse_json(b'{"data":"\\ud800"}', BodyLimits(lone_surrogates=True)) == {"data": "\ud800"}


def test_declared_length_missing_unreadable_or_too_big() -> None:
    limits = BodyLimits(max_bytes=10)
    assert _status(lambda: check_declared_length(limits, None)) == 411
    assert check_declared_length(BodyLimits(require_length=False), None) is None
    for unreadable in ("-1", "1e3", "²", "9" * 5000, ""):
        assert _status(lambda value=unreadable: check_declared_length(limits, value)) == 411
    assert _status(lambda: check_declared_length(limits, "11")) == 413
    assert check_declared_length(limits, " 10 ") == 10


def test_the_buffer_refuses_the_chunk_that_passes_the_limit() -> None:
    buffer = BodyBuffer(BodyLimits(max_bytes=10))
    buffer.feed(b"12345")
    buffer.feed(b"67890")
    assert buffer.value() == b"1234567890"
    assert _status(lambda: buffer.feed(b"x")) == 413


def test_media_type_is_checked_only_where_the_server_lists_types() -> None:
    check_media_type(BodyLimits(), "text/plain")
    check_media_type(JSON_ONLY, "Application/JSON; charset=utf-8")
    for wrong in (None, "", "text/plain", "application/json-patch+json"):
        assert _status(lambda value=wrong: check_media_type(JSON_ONLY, value)) == 415


def test_a_held_body_is_checked_for_type_then_length_then_parsed() -> None:
    assert _status(lambda: check_body(JSON_ONLY, content_length=None, content_type="text/plain", body=b"{}")) == 415
    assert (
        _status(lambda: check_body(JSON_ONLY, content_length=None, content_type="application/json", body=b"{}")) == 411
    )
    too_big = BodyLimits(max_bytes=1, require_length=False)
    assert _status(lambda: check_body(too_big, content_length=None, content_type=None, body=b"{}")) == 413
    assert read_json(JSON_ONLY, content_length="11", content_type="application/json", body=b'{"data":[]}') == {
        "data": []
    }
