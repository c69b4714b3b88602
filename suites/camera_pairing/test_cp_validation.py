"""Documented data types: length limits (counted in characters), enums and JSON types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import expect_error, expect_success

CLIENT_ERRORS = range(400, 500)
Observe = Callable[[str, Any], None]

pytestmark = pytest.mark.changes_state


def _dns_name(length: int) -> str:
    """A valid DNS name of exactly ``length`` characters (one label of up to 63, then .example)."""
    return "a" * (length - len(".example")) + ".example"


ADDRESS = pytest.mark.requirement("CP-ADDRESS-MAXLEN")
USERNAME = pytest.mark.requirement("CP-USERNAME-MAXLEN")
PASSWORD = pytest.mark.requirement("CP-PASSWORD-MAXLEN")
DESCRIPTION = pytest.mark.requirement("CP-DESCRIPTION-MAXLEN")

# (field, longest accepted value, one character too many); multi-byte characters count once.
LIMITS = [
    pytest.param("address", _dns_name(64), _dns_name(65), marks=ADDRESS, id="address"),
    pytest.param("username", "u" * 64, "u" * 65, marks=USERNAME, id="username"),
    pytest.param("username", "ü" * 64, "ü" * 65, marks=USERNAME, id="username-2byte"),
    pytest.param("password", "p" * 64, "p" * 65, marks=PASSWORD, id="password"),
    pytest.param("password", "€" * 64, "€" * 65, marks=PASSWORD, id="password-3byte"),
    pytest.param("description", "d" * 128, "d" * 129, marks=DESCRIPTION, id="description"),
    pytest.param("description", "日本" * 64, "日本" * 64 + "語", marks=DESCRIPTION, id="description-3byte"),
]

PROTOCOL = pytest.mark.requirement("CP-PROTOCOL-ENUM")
VERIFY = pytest.mark.requirement("CP-VERIFYCERT-BOOLEAN")
STRING = pytest.mark.requirement("CP-STRING-TYPES")

# (field, a value of the wrong type or outside the enum)
VIOLATIONS = [
    pytest.param("streamingprotocol", "HTTP", marks=PROTOCOL, id="protocol-HTTP"),
    pytest.param("streamingprotocol", "rtsp", marks=PROTOCOL, id="protocol-lowercase"),
    pytest.param("streamingprotocol", True, marks=PROTOCOL, id="protocol-boolean"),
    pytest.param("verifycertificate", "yes", marks=VERIFY, id="verify-yes"),
    pytest.param("verifycertificate", "true", marks=VERIFY, id="verify-string"),
    pytest.param("verifycertificate", 1, marks=VERIFY, id="verify-1"),
    pytest.param("address", 5, marks=STRING, id="address-number"),
    pytest.param("username", 5, marks=STRING, id="username-number"),
    pytest.param("password", ["x"], marks=STRING, id="password-array"),
    pytest.param("description", {"text": "x"}, marks=STRING, id="description-object"),
]


def _read_back(camera: CameraPairingClient, pairing_id: str, name: str) -> Any:
    return expect_success(camera.get_property(pairing_id, name), schema=f"camera-pairing/response/property/{name}")


@pytest.mark.parametrize(("name", "longest", "too_long"), LIMITS)
def test_add_accepts_the_longest_value(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], name: str, longest: str, too_long: str
) -> None:
    data = expect_success(
        empty_camera.add({**valid_pairing, name: longest}), schema="camera-pairing/response/add", statuses=(200, 201)
    )
    listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
    assert len(listing) == 1
    pairing_id = data["id"] if isinstance(data, dict) else listing[0]["id"]
    if pairing_id not in empty_camera.created:
        empty_camera.created.append(pairing_id)
    if name != "password":
        assert _read_back(empty_camera, pairing_id, name) == longest


@pytest.mark.parametrize(("name", "longest", "too_long"), LIMITS)
@pytest.mark.requirement("DCA-ENVELOPE-ERROR")
def test_add_rejects_one_character_too_many(
    empty_camera: CameraPairingClient,
    valid_pairing: dict[str, Any],
    name: str,
    longest: str,
    too_long: str,
    observe: Observe,
) -> None:
    resp = empty_camera.add({**valid_pairing, name: too_long})
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.add_too_long.{name}", {"http_status": resp.status_code, "code": resp.error_code})
    assert expect_success(empty_camera.list(), schema="camera-pairing/response/list") == []


@pytest.mark.parametrize(("name", "longest", "too_long"), LIMITS)
@pytest.mark.requirement("DCA-SET-BODY")
def test_set_accepts_the_longest_value(
    empty_camera: CameraPairingClient, pairing_id: str, name: str, longest: str, too_long: str
) -> None:
    expect_success(empty_camera.set_property(pairing_id, name, longest), schema="camera-pairing/response/empty")
    if name != "password":
        assert _read_back(empty_camera, pairing_id, name) == longest


@pytest.mark.parametrize(("name", "longest", "too_long"), LIMITS)
@pytest.mark.requirement("DCA-ENVELOPE-ERROR")
def test_set_rejects_one_character_too_many_and_keeps_the_value(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    name: str,
    longest: str,
    too_long: str,
    observe: Observe,
) -> None:
    resp = empty_camera.set_property(pairing_id, name, too_long)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.set_too_long.{name}", {"http_status": resp.status_code, "code": resp.error_code})
    if name != "password":
        assert _read_back(empty_camera, pairing_id, name) == valid_pairing[name]


@pytest.mark.parametrize(("name", "value"), VIOLATIONS)
@pytest.mark.requirement("DCA-ENVELOPE-ERROR")
def test_add_with_a_value_of_the_wrong_type_or_enum_is_rejected(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], name: str, value: Any, observe: Observe
) -> None:
    resp = empty_camera.add({**valid_pairing, name: value})
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.add_invalid.{name}", {"http_status": resp.status_code, "code": resp.error_code})
    assert expect_success(empty_camera.list(), schema="camera-pairing/response/list") == []


@pytest.mark.parametrize(("name", "value"), VIOLATIONS)
@pytest.mark.requirement("DCA-ENVELOPE-ERROR")
def test_set_with_a_value_of_the_wrong_type_or_enum_is_rejected_and_keeps_the_value(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    name: str,
    value: Any,
    observe: Observe,
) -> None:
    resp = empty_camera.set_property(pairing_id, name, value)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.set_invalid.{name}", {"http_status": resp.status_code, "code": resp.error_code})
    if name != "password":
        assert _read_back(empty_camera, pairing_id, name) == valid_pairing[name]
