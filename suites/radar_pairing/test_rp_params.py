"""Parameters: required ones missing give 2103, wrong types and ranges give 2104 (HTTP 200)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_error, expect_success
from paircert.plugin.verdicts import not_applicable

Observe = Callable[[str, Any], None]
ERROR = "radar-pairing/error"
LENGTH = pytest.mark.requirement("RP-PASSWORD-LENGTH")
TLS = pytest.mark.requirement("RP-TLS-FIELDS-2025-08")
CN = pytest.mark.requirement("RP-TLS-CERTIFICATE-CN")

pytestmark = pytest.mark.changes_state


def _assert_not_configured(radar: RadarClient) -> None:
    data = expect_success(radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
    assert data["state"] == "not-configured", f"a refused setRadarConnection left state {data['state']!r}"


@pytest.mark.parametrize("missing", ["address", "user", "password"])
@pytest.mark.requirement("RP-ERROR-MISSING-PARAM", "RP-SET-REQUIRED", "VAPIX-API-ERROR-HTTP-200")
def test_set_connection_without_a_required_parameter_fails_with_2103(
    empty_radar: RadarClient, radar_params: dict[str, Any], missing: str
) -> None:
    params = {k: v for k, v in radar_params.items() if k != missing}
    expect_error(empty_radar.call("setRadarConnection", params), code=2103, statuses=(200,), schema=ERROR)
    _assert_not_configured(empty_radar)


@pytest.mark.parametrize("params", [None, {}], ids=["no-params", "empty-params"])
@pytest.mark.requirement("RP-ERROR-MISSING-PARAM", "RP-SET-REQUIRED")
def test_set_connection_without_params_fails_with_2103(empty_radar: RadarClient, params: dict[str, Any] | None) -> None:
    expect_error(empty_radar.call("setRadarConnection", params), code=2103, statuses=(200,), schema=ERROR)
    _assert_not_configured(empty_radar)


@pytest.mark.requirement("RP-ERROR-MISSING-PARAM", "VAPIX-API-ERROR-HTTP-200")
def test_set_active_without_active_fails_with_2103(configured_radar: RadarClient) -> None:
    expect_error(configured_radar.call("setActive", {}), code=2103, statuses=(200,), schema=ERROR)
    data = expect_success(configured_radar.get_active(), schema="radar-pairing/response/getActive")
    assert data["active"] is False


@pytest.mark.parametrize(
    ("name", "value", "revision"),
    [
        pytest.param("password", "", None, marks=LENGTH, id="password-empty"),
        pytest.param("password", "p" * 65, None, marks=LENGTH, id="password-65"),
        pytest.param("password", "ü" * 65, None, marks=LENGTH, id="password-65-2byte"),
        pytest.param("password", 12345, None, id="password-number"),
        pytest.param("address", 5, None, id="address-number"),
        pytest.param("user", ["paircert"], None, id="user-array"),
        pytest.param("tls", "no", "2025-08", marks=TLS, id="tls-no"),
        pytest.param("tls", 0, "2025-08", marks=TLS, id="tls-0"),
        pytest.param("tls", "true", "2025-08", marks=TLS, id="tls-string-true"),
        pytest.param("tls-certificate-cn", 5, "2026-01", marks=CN, id="cn-number"),
    ],
)
@pytest.mark.requirement("RP-ERROR-INVALID-VALUE", "VAPIX-API-ERROR-HTTP-200")
def test_set_connection_with_an_invalid_value_fails_with_2104(
    empty_radar: RadarClient,
    radar_params: dict[str, Any],
    radar_revision: str,
    name: str,
    value: Any,
    revision: str | None,
) -> None:
    if revision is not None and revision != radar_revision:
        not_applicable(f"{name} belongs to the {revision} revision; the device follows {radar_revision}")
    resp = empty_radar.call("setRadarConnection", {**radar_params, name: value})
    expect_error(resp, code=2104, statuses=(200,), schema=ERROR)
    _assert_not_configured(empty_radar)


@pytest.mark.parametrize("password", ["p", "p" * 64, "ü" * 64, "€" * 64], ids=["1", "64", "64-2byte", "64-3byte"])
@pytest.mark.requirement("RP-PASSWORD-LENGTH", "RP-SET-CONNECTION")
def test_set_connection_accepts_passwords_of_1_to_64_characters(
    empty_radar: RadarClient, radar_params: dict[str, Any], password: str
) -> None:
    resp = empty_radar.call("setRadarConnection", {**radar_params, "password": password})
    assert expect_success(resp, schema="radar-pairing/response/setRadarConnection") == {}
    data = expect_success(empty_radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
    assert data["state"] == "not-active", f"a configured, inactive pairing reports {data['state']!r}"


@pytest.mark.parametrize("value", ["yes", "true", 1, None], ids=["yes", "string-true", "1", "null"])
@pytest.mark.requirement("RP-ERROR-INVALID-VALUE", "VAPIX-API-ERROR-HTTP-200")
def test_set_active_with_a_non_boolean_fails_with_2104(configured_radar: RadarClient, value: Any) -> None:
    resp = configured_radar.call("setActive", {"active": value})
    expect_error(resp, code=(2104, 2103) if value is None else 2104, statuses=(200,), schema=ERROR)
    data = expect_success(configured_radar.get_active(), schema="radar-pairing/response/getActive")
    assert data["active"] is False


@pytest.mark.requirement("RP-SET-CONNECTION", "RP-STATE-NOT-ACTIVE")
def test_set_connection_with_the_example_extra_fields_is_recorded(
    empty_radar: RadarClient, radar_params: dict[str, Any], observe: Observe
) -> None:
    """The document's example request also sends state and tls-verify, which its table does not list."""
    resp = empty_radar.call("setRadarConnection", {**radar_params, "state": "ok", "tls-verify": False})
    if resp.ok:
        expect_success(resp, schema="radar-pairing/response/setRadarConnection")
        data = expect_success(empty_radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
        assert data["state"] == "not-active", "a configured, inactive pairing reports another state"
    else:
        expect_error(resp, code=(2103, 2104), statuses=(200,), schema=ERROR)
    observe("radar.set_with_example_fields", {"accepted": resp.ok, "code": resp.error_code})


@pytest.mark.requirement("RP-REQUEST-SHAPE")
def test_set_connection_with_params_that_are_not_an_object_fails(
    empty_radar: RadarClient, radar_params: dict[str, Any], observe: Observe
) -> None:
    """The document names no code for another request shape, so any error answers it; which one is observed."""
    resp = empty_radar.call("setRadarConnection", [radar_params])
    expect_error(resp, schema=ERROR)
    observe("radar.params_not_an_object", {"http_status": resp.status_code, "code": resp.error_code})
    _assert_not_configured(empty_radar)
