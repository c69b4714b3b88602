"""SET: every settable property is written and read back; read-only properties refuse SET."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import expect_error, expect_success

CLIENT_ERRORS = range(400, 500)
Observe = Callable[[str, Any], None]
ReadProperty = Callable[[str, str], Any]
EMPTY = "camera-pairing/response/empty"

pytestmark = pytest.mark.changes_state


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("address", "198.51.100.7", marks=pytest.mark.requirement("CP-SET-ADDRESS")),
        pytest.param("username", "paircert-other", marks=pytest.mark.requirement("CP-SET-USERNAME")),
        pytest.param("description", "renamed by paircert", marks=pytest.mark.requirement("CP-SET-DESCRIPTION")),
        pytest.param("description", "", marks=pytest.mark.requirement("CP-SET-DESCRIPTION")),
        pytest.param("streamingprotocol", "SRTSP", marks=pytest.mark.requirement("CP-SET-STREAMINGPROTOCOL")),
        pytest.param("verifycertificate", True, marks=pytest.mark.requirement("CP-SET-VERIFYCERTIFICATE")),
    ],
)
@pytest.mark.requirement("DCA-SET-BODY", "DCA-ENVELOPE-SUCCESS")
def test_set_property_then_get_answers_the_new_value(
    empty_camera: CameraPairingClient, pairing_id: str, read_property: ReadProperty, name: str, value: Any
) -> None:
    expect_success(empty_camera.set_property(pairing_id, name, value), schema=EMPTY)
    assert read_property(pairing_id, name) == value


@pytest.mark.requirement("CP-SET-VERIFYCERTIFICATE", "CP-SET-STREAMINGPROTOCOL")
def test_set_back_and_forth_keeps_the_last_value(
    empty_camera: CameraPairingClient, pairing_id: str, read_property: ReadProperty
) -> None:
    for protocol, verify in (("SRTSP", True), ("RTSP", False), ("SRTSP", False)):
        expect_success(empty_camera.set_property(pairing_id, "streamingprotocol", protocol), schema=EMPTY)
        expect_success(empty_camera.set_property(pairing_id, "verifycertificate", verify), schema=EMPTY)
    read = (read_property(pairing_id, "streamingprotocol"), read_property(pairing_id, "verifycertificate"))
    assert read == ("SRTSP", False)


@pytest.mark.requirement("CP-SET-PASSWORD", "CP-PASSWORD-NOT-RETURNED", "CP-PASSWORD-WRITE-ONLY")
def test_set_password_is_acknowledged_and_never_returned(
    empty_camera: CameraPairingClient, pairing_id: str, item_answer: Callable[..., Any], law_paths: Any
) -> None:
    new_password = "paircert-Changed-2"
    resp = empty_camera.set_property(pairing_id, "password", new_password)
    expect_success(resp, schema=EMPTY)
    answers = [resp, empty_camera.get_property(pairing_id, "password"), empty_camera.get(pairing_id)]
    expect_error(answers[1], statuses=CLIENT_ERRORS)
    item_answer(answers[2], laws=("CP-PASSWORD-NOT-RETURNED",))
    law_paths.taken("CP-PASSWORD-NOT-RETURNED", "SET answer")
    for answer in answers:
        assert new_password not in answer.text, f"{answer!r} carries the new password"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("id", "CameraPairing-1-1", marks=pytest.mark.requirement("CP-READONLY-ID")),
        pytest.param("status", "Paired", marks=pytest.mark.requirement("CP-READONLY-STATUS")),
        pytest.param("productmodel", "PAIRCERT-1", marks=pytest.mark.requirement("CP-READONLY-PRODUCTMODEL")),
        pytest.param("productname", "PAIRCERT Fake Camera", marks=pytest.mark.requirement("CP-READONLY-PRODUCTNAME")),
    ],
)
@pytest.mark.requirement("DCA-ENVELOPE-ERROR")
def test_set_of_a_read_only_property_is_rejected(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    read_property: ReadProperty,
    name: str,
    value: str,
    observe: Observe,
) -> None:
    resp = empty_camera.set_property(pairing_id, name, value)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.set_readonly.{name}", {"http_status": resp.status_code, "code": resp.error_code})
    if name == "id":
        assert read_property(pairing_id, "id") == pairing_id
    elif name != "status":
        assert read_property(pairing_id, name) != value, f"{name} took the value of a refused SET"
