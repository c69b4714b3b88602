"""The JSON CGI envelope: method, context and apiVersion echoes; version negotiation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_error, expect_success

Observe = Callable[[str, Any], None]
CONTEXT = "paircert context ü/1"


def _supported(radar: RadarClient) -> dict[int, int]:
    """Supported major -> highest minor, from getSupportedVersions."""
    data = expect_success(radar.get_supported_versions(), schema="radar-pairing/response/getSupportedVersions")
    pairs = [tuple(int(part) for part in version.split(".")) for version in data["apiVersions"]]
    return dict(sorted(pairs))


@pytest.mark.requirement("RP-VERSION-LIST", "RP-METHOD-ECHO", "VAPIX-JSON-RESPONSE")
def test_get_supported_versions_lists_each_major_once_with_its_minor(radar: RadarClient) -> None:
    resp = radar.get_supported_versions()
    data = expect_success(resp, schema="radar-pairing/response/getSupportedVersions")
    versions = data["apiVersions"]
    assert versions, "getSupportedVersions lists no version"
    majors = [version.split(".")[0] for version in versions]
    assert len(majors) == len(set(majors)), f"a major version is listed more than once: {versions}"
    assert resp.json["method"] == "getSupportedVersions"
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers.get("content-type")


@pytest.mark.requirement("VAPIX-VERSIONS-WITHOUT-APIVERSION", "RP-VERSION-LIST")
def test_get_supported_versions_works_without_api_version(radar: RadarClient) -> None:
    schema = "radar-pairing/response/getSupportedVersions"
    without = expect_success(radar.get_supported_versions(api_version=None), schema=schema)
    with_version = expect_success(radar.get_supported_versions(), schema=schema)
    assert sorted(without["apiVersions"]) == sorted(with_version["apiVersions"])


@pytest.mark.parametrize("kind", ["unsupported", "malformed"])
@pytest.mark.requirement("RP-VERSION-LIST", "RP-ERROR-ENVELOPE", "VAPIX-API-ERROR-HTTP-200")
def test_get_supported_versions_with_a_version_it_lacks_answers_the_list_or_an_error(
    radar: RadarClient, kind: str, observe: Observe
) -> None:
    """getSupportedVersions is how a client learns the versions; whether it checks the request's
    apiVersion is undocumented, so success with the list and an error (2100, or any code for a
    malformed version) are both accepted, and which one is recorded."""
    supported = _supported(radar)
    api_version = f"{max(supported) + 1}.0" if kind == "unsupported" else "one.zero"
    resp = radar.get_supported_versions(api_version=api_version)
    if resp.ok:
        data = expect_success(resp, schema="radar-pairing/response/getSupportedVersions")
        majors = {int(version.split(".")[0]) for version in data["apiVersions"]}
        assert majors == set(supported), f"asked with {api_version}: {data['apiVersions']}, else {supported}"
    else:
        expect_error(resp, code=2100 if kind == "unsupported" else None, statuses=(200,), schema="radar-pairing/error")
    observe(
        f"radar.getSupportedVersions.{kind}_api_version",
        {"answer": "success" if resp.ok else resp.error_code, "apiVersion": resp.json.get("apiVersion")},
    )


@pytest.mark.parametrize("method", ["getSupportedVersions", "getRadarConnection"])
@pytest.mark.requirement("RP-CONTEXT-ECHO", "RP-METHOD-ECHO")
def test_context_is_echoed_on_success(radar: RadarClient, method: str) -> None:
    resp = radar.call(method, context=CONTEXT)
    expect_success(resp, schema=f"radar-pairing/response/{method}")
    assert resp.json.get("context") == CONTEXT
    assert resp.json["method"] == method


@pytest.mark.requirement("RP-CONTEXT-ECHO", "RP-ERROR-ENVELOPE", "RP-METHOD-ECHO")
def test_context_and_method_are_echoed_on_error(radar: RadarClient) -> None:
    resp = radar.call("getRadarConnections", context=CONTEXT)
    expect_error(resp, code=2102, statuses=(200,), schema="radar-pairing/error")
    assert resp.json.get("context") == CONTEXT
    assert resp.json.get("method") == "getRadarConnections"


@pytest.mark.requirement("RP-CONTEXT-OMITTED")
def test_a_request_without_context_gets_no_context_back(radar: RadarClient, observe: Observe) -> None:
    resp = radar.call("getRadarConnection")
    expect_success(resp, schema="radar-pairing/response/getRadarConnection")
    assert resp.json.get("context") in (None, ""), f"context {resp.json.get('context')!r} was never sent"
    observe("radar.context_when_omitted", "absent" if "context" not in resp.json else repr(resp.json["context"]))


@pytest.mark.requirement("RP-VERSION-ECHO", "VAPIX-VERSION-HIGHEST-MINOR")
def test_response_keeps_the_requested_major_with_its_highest_minor(radar: RadarClient) -> None:
    for major, minor in _supported(radar).items():
        resp = radar.call("getRadarConnection", api_version=f"{major}.0")
        expect_success(resp, schema="radar-pairing/response/getRadarConnection")
        assert resp.json["apiVersion"] == f"{major}.{minor}", f"asked {major}.0, supported {major}.{minor}"


@pytest.mark.requirement("RP-VERSION-UNSUPPORTED", "VAPIX-API-ERROR-HTTP-200", "RP-ERROR-ENVELOPE")
def test_an_unsupported_major_fails_with_2100(radar: RadarClient, observe: Observe) -> None:
    unsupported = max(_supported(radar)) + 1
    resp = radar.call("getRadarConnection", api_version=f"{unsupported}.0")
    expect_error(resp, code=2100, statuses=(200,), schema="radar-pairing/error")
    observe("radar.unsupported_major.apiVersion", resp.json.get("apiVersion"))


@pytest.mark.parametrize("api_version", ["1", "one.zero", "1.0.0", ""])
@pytest.mark.requirement("RP-VERSION-MALFORMED", "VAPIX-API-ERROR-HTTP-200")
def test_a_malformed_api_version_is_an_error(radar: RadarClient, api_version: str, observe: Observe) -> None:
    resp = radar.call("getRadarConnection", api_version=api_version)
    expect_error(resp, statuses=(200,), schema="radar-pairing/error")
    observe(
        f"radar.malformed_api_version.{api_version or 'empty'}",
        {"code": resp.error_code, "apiVersion": resp.json.get("apiVersion")},
    )


@pytest.mark.requirement("RP-ERROR-UNKNOWN-METHOD", "VAPIX-API-ERROR-HTTP-200", "RP-ERROR-ENVELOPE")
def test_an_unknown_method_fails_with_2102(radar: RadarClient, observe: Observe) -> None:
    resp = radar.call("getNoSuchSetting")  # unknown, and a read by its name: safe in a read-only run
    expect_error(resp, code=2102, statuses=(200,), schema="radar-pairing/error")
    observe("radar.unknown_method.message", resp.error_message)
