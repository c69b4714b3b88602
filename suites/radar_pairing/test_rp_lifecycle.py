"""The configure -> activate -> deactivate -> clear lifecycle and the states it passes through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_error, expect_success

Observe = Callable[[str, Any], None]
ERROR = "radar-pairing/error"
# getRadarConnection "state" values (Parameter descriptions > getRadarConnection parameters).
STATES = (
    "failed",
    "address-failed",
    "connect-failed",
    "authentication-failed",
    "transfer-failed",
    "not-configured",
    "not-active",
    "ok",
)


def _connection(radar: RadarClient) -> dict[str, Any]:
    return expect_success(radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")


def _active(radar: RadarClient) -> bool:
    return bool(expect_success(radar.get_active(), schema="radar-pairing/response/getActive")["active"])


def _assert_revision_fields(data: dict[str, Any], revision: str) -> None:
    if revision == "2026-01":
        assert isinstance(data.get("tls-certificate-cn"), str), "2026-01 revision: tls-certificate-cn missing"
    else:
        assert isinstance(data.get("tls"), bool) and isinstance(data.get("tls-verify"), bool), (
            "2025-08 revision: tls and tls-verify must both be booleans"
        )


@pytest.mark.requirement(
    "RP-GET-CONNECTION", "RP-STATE-NOT-CONFIGURED", "RP-STATE-ENUM", "RP-TLS-FIELDS-2025-08", "RP-TLS-CERTIFICATE-CN"
)
def test_an_unconfigured_device_reports_not_configured(
    empty_radar: RadarClient, radar_revision: str, observe: Observe
) -> None:
    data = _connection(empty_radar)
    assert data["state"] == "not-configured"
    _assert_revision_fields(data, radar_revision)
    observe("radar.unconfigured", {"address": data["address"], "user": data["user"]})


@pytest.mark.changes_state
@pytest.mark.requirement(
    "RP-SET-CONNECTION",
    "RP-GET-CONNECTION",
    "RP-STATE-NOT-ACTIVE",
    "RP-PASSWORD-NOT-RETURNED",
    "RP-TLS-FIELDS-2025-08",
    "RP-TLS-CERTIFICATE-CN",
)
def test_set_connection_answers_empty_data_and_reads_back(
    empty_radar: RadarClient, radar_params: dict[str, Any], radar_revision: str
) -> None:
    resp = empty_radar.call("setRadarConnection", radar_params)
    assert expect_success(resp, schema="radar-pairing/response/setRadarConnection") == {}
    read = empty_radar.get_radar_connection()
    data = expect_success(read, schema="radar-pairing/response/getRadarConnection")
    assert (data["address"], data["user"]) == (radar_params["address"], radar_params["user"])
    assert data["state"] == "not-active"
    _assert_revision_fields(data, radar_revision)
    for field in ("tls", "tls-certificate-cn"):
        if field in radar_params:
            assert data[field] == radar_params[field], f"{field} reads back as {data[field]!r}"
    assert radar_params["password"] not in read.text, "getRadarConnection returns the password"


@pytest.mark.changes_state
@pytest.mark.requirement("RP-SET-CONNECTION")
def test_an_inactive_configuration_can_be_replaced(configured_radar: RadarClient, radar_params: dict[str, Any]) -> None:
    replaced = {**radar_params, "address": "198.51.100.20", "user": "paircert-2"}
    resp = configured_radar.call("setRadarConnection", replaced)
    assert expect_success(resp, schema="radar-pairing/response/setRadarConnection") == {}
    data = _connection(configured_radar)
    assert (data["address"], data["user"]) == ("198.51.100.20", "paircert-2")


@pytest.mark.changes_state
@pytest.mark.requirement("RP-GET-ACTIVE")
def test_a_new_configuration_is_not_active(configured_radar: RadarClient) -> None:
    assert _active(configured_radar) is False


@pytest.mark.changes_state
@pytest.mark.requirement("RP-SET-ACTIVE", "RP-GET-ACTIVE", "RP-STATE-ACTIVE", "RP-STATE-ENUM")
def test_set_active_true_activates_and_the_state_leaves_not_active(
    configured_radar: RadarClient, observe: Observe
) -> None:
    assert expect_success(configured_radar.set_active(True), schema="radar-pairing/response/setActive") == {}
    assert _active(configured_radar) is True
    state = _connection(configured_radar)["state"]
    assert state in STATES and state not in ("not-configured", "not-active"), f"active pairing reports {state!r}"
    observe("radar.state_active_unreachable_peer", state)


@pytest.mark.changes_state
@pytest.mark.requirement("RP-CLEAR-WHILE-ACTIVE", "VAPIX-API-ERROR-HTTP-200")
def test_clear_while_active_fails_with_2200_and_keeps_the_configuration(
    active_radar: RadarClient, radar_params: dict[str, Any]
) -> None:
    expect_error(active_radar.clear_configuration(), code=2200, statuses=(200,), schema=ERROR)
    assert _active(active_radar) is True
    assert _connection(active_radar)["address"] == radar_params["address"]


@pytest.mark.changes_state
@pytest.mark.requirement("RP-SET-WHILE-ACTIVE", "VAPIX-API-ERROR-HTTP-200")
def test_set_connection_while_active_fails_with_2200_and_keeps_the_configuration(
    active_radar: RadarClient, radar_params: dict[str, Any]
) -> None:
    changed = {**radar_params, "address": "203.0.113.20"}
    expect_error(active_radar.call("setRadarConnection", changed), code=2200, statuses=(200,), schema=ERROR)
    assert _connection(active_radar)["address"] == radar_params["address"]


@pytest.mark.changes_state
@pytest.mark.parametrize("active", [True, False])
@pytest.mark.requirement("RP-SETACTIVE-IDEMPOTENT", "RP-SET-ACTIVE")
def test_set_active_to_the_current_state_succeeds(configured_radar: RadarClient, active: bool) -> None:
    if active:
        expect_success(configured_radar.set_active(True), schema="radar-pairing/response/setActive")
    assert expect_success(configured_radar.set_active(active), schema="radar-pairing/response/setActive") == {}
    assert _active(configured_radar) is active


@pytest.mark.changes_state
@pytest.mark.requirement("RP-SET-ACTIVE", "RP-CLEAR", "RP-STATE-NOT-CONFIGURED", "RP-STATE-NOT-ACTIVE")
def test_deactivate_then_clear_leaves_the_device_not_configured(active_radar: RadarClient, observe: Observe) -> None:
    assert expect_success(active_radar.set_active(False), schema="radar-pairing/response/setActive") == {}
    assert _active(active_radar) is False
    assert _connection(active_radar)["state"] == "not-active"
    assert expect_success(active_radar.clear_configuration(), schema="radar-pairing/response/clearConfiguration") == {}
    data = _connection(active_radar)
    assert data["state"] == "not-configured"
    observe("radar.after_clear", {"address": data["address"], "user": data["user"]})


@pytest.mark.changes_state
@pytest.mark.requirement("RP-ACTIVE-WITHOUT-CONFIG", "VAPIX-API-ERROR-HTTP-200")
def test_get_and_set_active_without_configuration_fail_with_2201(empty_radar: RadarClient, observe: Observe) -> None:
    expect_error(empty_radar.get_active(), code=2201, statuses=(200,), schema=ERROR)
    expect_error(empty_radar.set_active(True), code=2201, statuses=(200,), schema=ERROR)
    assert _connection(empty_radar)["state"] == "not-configured"
    inactive = empty_radar.set_active(False)
    if inactive.ok:
        expect_success(inactive, schema="radar-pairing/response/setActive")
    else:
        expect_error(inactive, code=2201, statuses=(200,), schema=ERROR)
    observe("radar.set_inactive_without_configuration", {"ok": inactive.ok, "code": inactive.error_code})


@pytest.mark.changes_state
@pytest.mark.requirement("RP-ERROR-ENVELOPE", "RP-CLEAR")
def test_clear_without_configuration_succeeds_or_fails_with_2201(empty_radar: RadarClient, observe: Observe) -> None:
    resp = empty_radar.clear_configuration()
    if resp.ok:
        assert expect_success(resp, schema="radar-pairing/response/clearConfiguration") == {}
    else:
        expect_error(resp, code=2201, statuses=(200,), schema=ERROR)
    observe("radar.clear_without_configuration", "success" if resp.ok else resp.error_code)
