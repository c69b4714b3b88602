"""Transport-level errors: invalid JSON, wrong HTTP method, missing length, oversized bodies."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from paircert.clients.radar import RadarClient
from paircert.clients.response import perform
from paircert.plugin.expect import expect_error, expect_success
from paircert.plugin.verdicts import blocked

Observe = Callable[[str, Any], None]
VALID_BODY = json.dumps({"apiVersion": "1.0", "method": "getSupportedVersions"}).encode()


@pytest.mark.parametrize(
    "body",
    [b'{"apiVersion": "1.0", "method": ', b"method=getActive", b"{'apiVersion': '1.0'}", b"\xff\xfe{}"],
    ids=["truncated", "form-encoded", "single-quotes", "not-utf8"],
)
@pytest.mark.requirement("RP-ERROR-INVALID-JSON", "RP-ERROR-ENVELOPE")
def test_a_body_that_is_not_json_gets_400_and_2101(radar: RadarClient, body: bytes) -> None:
    expect_error(radar.post_raw(body), code=2101, statuses=(400,), schema="radar-pairing/error")


@pytest.mark.requirement("RP-ERROR-HTTP-METHOD")
def test_get_without_a_body_gets_405(radar: RadarClient, observe: Observe) -> None:
    resp = radar.post_raw(b"", headers={}, http_method="GET")
    assert resp.status_code == 405, f"GET answered HTTP {resp.status_code}\n{resp.exchange.to_curl()}"
    if resp.json is not None:
        expect_error(resp, code=2107, statuses=(405,), schema="radar-pairing/error")
    observe("radar.get.allow", resp.headers.get("allow"))


@pytest.mark.parametrize("http_method", ["GET", "PUT", "DELETE"])
@pytest.mark.requirement("RP-ERROR-HTTP-METHOD", "RP-ERROR-ENVELOPE")
def test_a_body_sent_with_another_http_method_gets_405_and_2107(radar: RadarClient, http_method: str) -> None:
    resp = radar.post_raw(VALID_BODY, http_method=http_method)
    expect_error(resp, code=2107, statuses=(405,), schema="radar-pairing/error")


@pytest.mark.requirement("RP-ERROR-LENGTH-REQUIRED")
def test_a_body_without_content_length_is_served_or_gets_411_and_2107(radar: RadarClient, observe: Observe) -> None:
    """HTTP/1.1 lets a server serve a chunked body or refuse it with 411; the table says 411 carries 2107."""
    expect_success(radar.get_supported_versions(), schema="radar-pairing/response/getSupportedVersions")

    def chunks() -> Iterator[bytes]:
        yield VALID_BODY[:10]
        yield VALID_BODY[10:]

    assert radar.path is not None
    try:
        headers = {"Content-Type": "application/json"}
        resp = perform(radar.http, radar.transcript, "cgi", "POST", radar.path, content=chunks(), headers=headers)
    except httpx.StreamConsumed:
        blocked("the device challenged the chunked request again, so the body could not be re-sent")
    if resp.status_code == 411:
        expect_error(resp, code=2107, statuses=(411,), schema="radar-pairing/error")
    else:
        expect_success(resp, schema="radar-pairing/response/getSupportedVersions")
    observe("radar.chunked_body", resp.status_code)


@pytest.mark.requirement("RP-ERROR-PAYLOAD-TOO-LARGE")
def test_an_oversized_body_gets_413_and_2107(radar: RadarClient, observe: Observe) -> None:
    padding = "x" * (1024 * 1024)
    body = json.dumps({"apiVersion": "1.0", "method": "getSupportedVersions", "context": padding}).encode()
    try:
        resp = radar.post_raw(body)
    except httpx.TransportError as exc:
        observe("radar.oversized_body", f"connection closed ({type(exc).__name__})")
        return
    observe("radar.oversized_body", resp.status_code)
    if resp.status_code == 413:
        expect_error(resp, code=2107, statuses=(413,), schema="radar-pairing/error")
    else:
        expect_success(resp, schema="radar-pairing/response/getSupportedVersions")
        assert resp.json.get("context") == padding, "a 1 MiB body was served but its context came back altered"
