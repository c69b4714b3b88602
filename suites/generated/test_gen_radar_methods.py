"""The radar CGI as one operation per method: generated valid and invalid params, malformed
envelopes and bodies that are not JSON, every answer judged by the error-envelope oracle.

Valid requests must succeed or fail only with a documented state code (2200 while active, 2201
without configuration); invalid ones must fail with the code the document implies (None: any
documented code). Requests that change state run on an empty device, which is emptied again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import failure_message
from strategies import radar as rs

STATE_CODES = (2200, 2201)


def _asks_for_versions(case: Any) -> bool:
    """getSupportedVersions is how a client learns the supported versions; whether it checks the
    request's apiVersion is undocumented, so it may answer an unsupported one with success."""
    return isinstance(case.value, dict) and case.value.get("method") == "getSupportedVersions"


def _post(radar: RadarClient, body: Any) -> Any:
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode("utf-8")
    resp = radar.post_raw(content)
    note(f"curl: {resp.exchange.to_curl()}\n  -> HTTP {resp.status_code} {resp.exchange.response_body[:200]}")
    return resp


def _reset(radar: RadarClient) -> None:
    radar.set_active(False)
    radar.clear_configuration()


@pytest.mark.parametrize("method", rs.METHODS)
@pytest.mark.requirement(
    "RP-METHOD-ECHO",
    "RP-CONTEXT-ECHO",
    "RP-VERSION-ECHO",
    "RP-ERROR-ENVELOPE",
    "VAPIX-API-ERROR-HTTP-200",
    "RP-SET-CONNECTION",
    "RP-SET-ACTIVE",
    "RP-GET-ACTIVE",
)
@pytest.mark.changes_state
def test_valid_requests_of_each_method_succeed_or_fail_with_a_state_code(
    method: str, empty_radar: RadarClient, generation: Any, examples: Any, radar_oracle: Any, radar_revision: str
) -> None:
    @generation.seeded
    @generation.settings()
    @given(request=rs.valid_requests(method, revision=radar_revision))
    def check(request: dict[str, Any]) -> None:
        examples.count += 1
        resp = _post(empty_radar, request)
        radar_oracle(request, resp)
        if not resp.ok and resp.error_code not in STATE_CODES:
            pytest.fail(
                failure_message(
                    f"a valid {method} request failed", resp=resp, expected=f"success or a state code {STATE_CODES}"
                )
            )
        _reset(empty_radar)

    check()


@pytest.mark.parametrize("method", rs.PARAM_METHODS)
@pytest.mark.requirement(
    "RP-ERROR-MISSING-PARAM",
    "RP-ERROR-INVALID-VALUE",
    "RP-SET-REQUIRED",
    "RP-PASSWORD-LENGTH",
    "RP-TLS-FIELDS-2025-08",
    "RP-ERROR-ENVELOPE",
)
@pytest.mark.changes_state
def test_invalid_params_fail_with_the_documented_code(
    method: str,
    empty_radar: RadarClient,
    generation: Any,
    examples: Any,
    radar_oracle: Any,
    radar_revision: str,
    observe: Any,
) -> None:
    @generation.seeded
    @generation.settings()
    @given(case=rs.invalid_params(method, revision=radar_revision))
    def check(case: Any) -> None:
        examples.count += 1
        resp = _post(empty_radar, case.value)
        radar_oracle(case.value, resp)
        if resp.ok and not case.enforced:
            observe(f"radar.invalid.{case.kind.split(':')[0]}", "success")
        elif resp.ok:
            pytest.fail(
                failure_message(
                    f"invalid params ({case.kind}) were accepted",
                    resp=resp,
                    expected=f"[{case.rule}] error {case.code or 'any documented code'}",
                )
            )
        # setActive on an empty device may answer 2201 before looking at params: order undocumented.
        allowed = {case.code, 2201} if method == "setActive" else {case.code}
        if case.code is not None and not resp.ok and resp.error_code not in allowed:
            pytest.fail(
                failure_message(
                    f"invalid params ({case.kind}) failed with another code",
                    resp=resp,
                    expected=f"[{case.rule}] error {sorted(c for c in allowed if c)}",
                )
            )
        if case.code is None and not resp.ok:
            observe(f"radar.invalid.{case.kind.split(':')[0]}", resp.error_code)
        _reset(empty_radar)

    check()


@pytest.mark.requirement(
    "RP-ERROR-INVALID-JSON",
    "RP-ERROR-UNKNOWN-METHOD",
    "RP-VERSION-UNSUPPORTED",
    "RP-ERROR-ENVELOPE",
    "VAPIX-API-ERROR-HTTP-200",
)
@pytest.mark.changes_state
def test_malformed_envelopes_and_bodies_fail_with_the_documented_code(
    empty_radar: RadarClient, generation: Any, examples: Any, radar_oracle: Any, observe: Any
) -> None:
    versions = empty_radar.get_supported_versions().data or {}
    majors = tuple(sorted({int(v.split(".")[0]) for v in versions.get("apiVersions", []) if v.split(".")[0].isdigit()}))

    @generation.seeded
    @generation.settings()
    @given(case=st.one_of(rs.malformed_envelopes(supported_majors=majors or (1,)), rs.non_json_bodies()))
    def check(case: Any) -> None:
        examples.count += 1
        resp = _post(empty_radar, case.value)
        radar_oracle(case.value if isinstance(case.value, dict) else None, resp)
        if resp.ok and _asks_for_versions(case):
            observe(f"radar.getSupportedVersions.{case.kind.split(':')[0]}", "success")
        elif case.code is not None and case.enforced:
            if resp.ok or resp.error_code != case.code:
                pytest.fail(
                    failure_message(
                        f"a malformed request ({case.kind}) did not fail as documented",
                        resp=resp,
                        expected=f"[{case.rule}] error {case.code}",
                    )
                )
        elif not resp.ok:
            observe(f"radar.malformed.{case.kind.split(':')[0]}", [resp.status_code, resp.error_code])
        _reset(empty_radar)

    check()
