"""Laws of the radar answer oracle: one registered check per requirement, typed failures, and the
documented envelope rules judged one by one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from paircert.plugin.oracle import RADAR_CHECKS, CheckRegistry, Failure, RadarExchange, judge_radar

REQUEST = {"apiVersion": "1.0", "context": "c", "method": "getActive"}
SUCCESS = {"apiVersion": "1.0", "context": "c", "method": "getActive", "data": {"active": False}}


@dataclass
class Answer:
    status_code: int
    json: Any


def _ids(request: Any, status: int, body: Any) -> list[str]:
    return [failure.requirement for failure in judge_radar(request, Answer(status, body))]


def _error(code: int, **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "1.0", "context": "c", "method": "getActive", "error": {"code": code, "message": "m"}} | extra


def test_a_registry_refuses_a_second_check_of_one_requirement() -> None:
    registry = CheckRegistry()
    registry.register("RP-A")(lambda exchange: ())
    with pytest.raises(ValueError, match="RP-A"):
        registry.register("RP-A")(lambda exchange: ())
    assert registry.requirements == ("RP-A",)


def test_the_radar_checks_are_registered_one_per_requirement_in_order() -> None:
    assert RADAR_CHECKS.requirements == (
        "VAPIX-JSON-RESPONSE",
        "RP-ERROR-ENVELOPE",
        "VAPIX-API-ERROR-HTTP-200",
        "RP-METHOD-ECHO",
        "RP-CONTEXT-ECHO",
        "RP-CONTEXT-OMITTED",
        "RP-VERSION-ECHO",
    )


def test_a_documented_answer_breaks_no_rule() -> None:
    assert judge_radar(REQUEST, Answer(200, SUCCESS)) == []
    assert judge_radar(REQUEST, Answer(200, _error(2201))) == []
    assert judge_radar(None, Answer(400, _error(2101))) == []


def test_a_failure_is_typed_names_its_requirement_and_redacts_what_was_sent_and_received() -> None:
    request = {**REQUEST, "method": "setRadarConnection", "params": {"password": "hunter2-secret"}}
    answer = {**SUCCESS, "method": "getActive", "echo": {"Password": "hunter2-secret"}}
    (failure,) = judge_radar(request, Answer(200, answer))
    assert isinstance(failure, Failure)
    assert failure.requirement == "RP-METHOD-ECHO"
    assert str(failure).startswith("[RP-METHOD-ECHO] method 'getActive'")
    assert failure.status == 200
    assert "hunter2-secret" not in repr(failure)
    assert failure.sent["method"] == "setRadarConnection"


@pytest.mark.parametrize(
    ("request_body", "status", "body", "broken"),
    [
        pytest.param(REQUEST, 200, "not an object", ["VAPIX-JSON-RESPONSE"], id="not-json-object"),
        pytest.param(REQUEST, 200, _error(9999), ["RP-ERROR-ENVELOPE"], id="code-not-in-table"),
        pytest.param(REQUEST, 200, _error(2106), ["RP-ERROR-ENVELOPE"], id="2106-without-401"),
        pytest.param(REQUEST, 400, _error(2201), ["VAPIX-API-ERROR-HTTP-200"], id="api-error-not-200"),
        pytest.param(REQUEST, 500, {"apiVersion": "1.0"}, ["RP-ERROR-ENVELOPE"], id="error-status-no-error"),
        pytest.param(REQUEST, 200, {**SUCCESS, "context": "other"}, ["RP-CONTEXT-ECHO"], id="context-changed"),
        pytest.param({"method": "getActive", "apiVersion": "1.0"}, 200, SUCCESS, ["RP-CONTEXT-OMITTED"], id="context"),
        pytest.param(REQUEST, 200, {**SUCCESS, "apiVersion": "2.0"}, ["RP-VERSION-ECHO"], id="other-major"),
    ],
)
def test_each_broken_rule_is_reported_under_its_own_requirement(
    request_body: Any, status: int, body: Any, broken: list[str]
) -> None:
    assert _ids(request_body, status, body) == broken


def test_an_ill_typed_context_in_the_request_may_come_back_as_sent() -> None:
    request = {**REQUEST, "context": 5}
    assert _ids(request, 200, {**SUCCESS, "context": 5}) == []
    assert "context" not in (RadarExchange.of(request, Answer(200, {**SUCCESS, "context": 5})).body or {})


def test_version_echo_spares_2100_and_a_version_list_without_the_requested_major() -> None:
    request = {**REQUEST, "apiVersion": "7.0"}
    assert _ids(request, 200, _error(2100, apiVersion="1.0")) == []
    versions = {"apiVersion": "1.0", "context": "c", "method": "getSupportedVersions", "data": {"apiVersions": ["1.3"]}}
    assert _ids({**request, "method": "getSupportedVersions"}, 200, versions) == []
    listed = {**versions, "data": {"apiVersions": ["1.3", "7.1"]}}
    assert _ids({**request, "method": "getSupportedVersions"}, 200, listed) == ["RP-VERSION-ECHO"]
