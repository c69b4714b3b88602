"""Authentication (401/2106) and authorization (403/2105); role choices for reads are recorded.

On Axis firmware the web server checks credentials before the CGI runs, so a 401 may carry the
server's own page instead of the 2106 envelope (PROTOCOL-NOTES §2): a 401 must have its status and
a challenge, and the 2106 envelope only when its body is JSON; the body's form is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.clients.response import ApiResponse
from paircert.plugin.expect import expect_error, expect_success

Observe = Callable[[str, Any], None]
RadarAs = Callable[[str], RadarClient]


def _expect_401(resp: ApiResponse, observe: Observe) -> None:
    assert resp.status_code == 401, f"expected HTTP 401, got {resp.status_code}\n{resp.exchange.to_curl()}"
    assert resp.headers.get("www-authenticate"), "a 401 without a WWW-Authenticate challenge"
    if resp.json is not None:
        expect_error(resp, code=2106, statuses=(401,), schema="radar-pairing/error")
    observe("radar.401_body", "2106 envelope" if resp.json is not None else resp.headers.get("content-type"))


def _expect_403(resp: ApiResponse, observe: Observe) -> None:
    """A refused role: HTTP 403, with the 2105 envelope when the body is JSON (a web server that
    checks roles before the CGI runs may send its own page)."""
    assert resp.status_code == 403, f"expected HTTP 403, got {resp.status_code}\n{resp.exchange.to_curl()}"
    if resp.json is not None:
        expect_error(resp, code=2105, statuses=(403,), schema="radar-pairing/error")
    observe("radar.403_body", "2105 envelope" if resp.json is not None else resp.headers.get("content-type"))


@pytest.mark.parametrize("method", ["getSupportedVersions", "getRadarConnection", "getActive"])
@pytest.mark.requirement("RP-ERROR-AUTHENTICATION")
def test_a_request_without_credentials_gets_401_and_2106(radar_as: RadarAs, method: str, observe: Observe) -> None:
    _expect_401(radar_as("anonymous").call(method), observe)


@pytest.mark.requirement("RP-ERROR-AUTHENTICATION")
def test_a_request_with_a_wrong_password_gets_401_and_2106(radar_as: RadarAs, observe: Observe) -> None:
    _expect_401(radar_as("wrong_password").call("getRadarConnection"), observe)


@pytest.mark.changes_state
@pytest.mark.requirement("RP-ERROR-AUTHENTICATION")
def test_set_connection_without_credentials_gets_401_and_changes_nothing(
    empty_radar: RadarClient, radar_as: RadarAs, radar_params: dict[str, Any], observe: Observe
) -> None:
    _expect_401(radar_as("anonymous").call("setRadarConnection", radar_params), observe)
    data = expect_success(empty_radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
    assert data["state"] == "not-configured"


@pytest.mark.changes_state
@pytest.mark.requirement("RP-ERROR-AUTHORIZATION", "RP-VIEWER-READ-ONLY")
def test_set_connection_by_a_viewer_gets_403_and_2105(
    empty_radar: RadarClient, radar_as: RadarAs, radar_params: dict[str, Any], observe: Observe
) -> None:
    _expect_403(radar_as("viewer").call("setRadarConnection", radar_params), observe)
    data = expect_success(empty_radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
    assert data["state"] == "not-configured"


@pytest.mark.changes_state
@pytest.mark.parametrize("method", ["setActive", "clearConfiguration"])
@pytest.mark.requirement("RP-ERROR-AUTHORIZATION", "RP-VIEWER-READ-ONLY")
def test_changes_by_a_viewer_get_403_and_2105(
    configured_radar: RadarClient, radar_as: RadarAs, method: str, observe: Observe
) -> None:
    params = {"active": True} if method == "setActive" else None
    _expect_403(radar_as("viewer").call(method, params), observe)
    active = expect_success(configured_radar.get_active(), schema="radar-pairing/response/getActive")
    assert active["active"] is False, "a refused viewer request changed the activation"


@pytest.mark.changes_state
@pytest.mark.parametrize("role", ["operator", "viewer"])
@pytest.mark.requirement("RP-ERROR-AUTHORIZATION", "RP-ERROR-ENVELOPE")
def test_reads_by_operator_and_viewer_succeed_or_get_403_and_2105(
    configured_radar: RadarClient, radar_as: RadarAs, role: str, observe: Observe
) -> None:
    client = radar_as(role)
    for method in ("getSupportedVersions", "getRadarConnection", "getActive"):
        resp = client.call(method)
        if resp.ok:
            expect_success(resp, schema=f"radar-pairing/response/{method}")
        else:
            _expect_403(resp, observe)
        observe(f"radar.{role}.{method}", "allowed" if resp.ok else resp.status_code)


@pytest.mark.changes_state
@pytest.mark.requirement("RP-ERROR-AUTHORIZATION", "RP-ERROR-ENVELOPE")
def test_set_connection_by_an_operator_is_recorded(
    empty_radar: RadarClient, radar_as: RadarAs, radar_params: dict[str, Any], observe: Observe
) -> None:
    resp = radar_as("operator").call("setRadarConnection", radar_params)
    if resp.ok:
        expect_success(resp, schema="radar-pairing/response/setRadarConnection")
    else:
        _expect_403(resp, observe)
    observe("radar.operator.setRadarConnection", "allowed" if resp.ok else resp.status_code)
