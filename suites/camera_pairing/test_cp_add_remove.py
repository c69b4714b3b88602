"""ADD and REMOVE: the response shapes, required fields, one pairing at most, unknown ids."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.response import ApiResponse
from paircert.plugin.expect import expect_error, expect_success

CLIENT_ERRORS = range(400, 500)
REQUIRED = ("address", "username", "password", "streamingprotocol", "verifycertificate", "description")
UNKNOWN_ID = "CameraPairing-0-0"

Observe = Callable[[str, Any], None]


def _assert_empty(camera: CameraPairingClient) -> None:
    listing = expect_success(camera.list(), schema="camera-pairing/response/list")
    assert listing == [], f"the collection holds {[p.get('id') for p in listing]} where it should be empty"


@pytest.mark.changes_state
@pytest.mark.requirement(
    "CP-ADD-REQUIRED", "CP-ADD-RESPONSE", "DCA-ADD-STATUS", "CP-ID-GENERATED", "CP-ADD-ECHO", "CP-LIST-GET"
)
def test_add_answers_success_with_the_entity_without_password(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], observe: Observe
) -> None:
    resp = empty_camera.add(valid_pairing)
    data = expect_success(resp, schema="camera-pairing/response/add", statuses=(200, 201))
    observe("camera.add", {"http_status": resp.status_code, "has_data": isinstance(data, dict)})
    listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
    assert len(listing) == 1, f"after one ADD on an empty device the collection holds {len(listing)} pairings"
    pairing_id = listing[0]["id"]
    if pairing_id not in empty_camera.created:
        empty_camera.created.append(pairing_id)
    if isinstance(data, dict):
        assert data["id"] == pairing_id, "the id in the ADD answer is not the id the collection lists"
        sent = {k: v for k, v in valid_pairing.items() if k != "password"}
        assert {k: data[k] for k in sent} == sent
    observe("camera.id_form", re.sub(r"[0-9]+", "<n>", pairing_id))
    value = expect_success(empty_camera.get_property(pairing_id, "id"), schema="camera-pairing/response/property/id")
    assert value == pairing_id


@pytest.mark.changes_state
@pytest.mark.parametrize("missing", REQUIRED)
@pytest.mark.requirement("CP-ADD-REQUIRED", "DCA-ENVELOPE-ERROR")
def test_add_without_a_required_field_is_rejected(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], missing: str, observe: Observe
) -> None:
    body = {k: v for k, v in valid_pairing.items() if k != missing}
    resp = empty_camera.add(body)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.add_without_{missing}", {"http_status": resp.status_code, "code": resp.error_code})
    _assert_empty(empty_camera)


@pytest.mark.changes_state
@pytest.mark.requirement("CP-ADD-REQUIRED", "DCA-ENVELOPE-ERROR")
def test_add_with_an_empty_body_is_rejected(empty_camera: CameraPairingClient, observe: Observe) -> None:
    resp = empty_camera.add({})
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe("camera.add_empty", {"http_status": resp.status_code, "code": resp.error_code})
    _assert_empty(empty_camera)


@pytest.mark.changes_state
@pytest.mark.requirement("DCA-ADD-BODY", "DCA-ENVELOPE-ERROR")
def test_add_of_the_entity_without_its_data_member_is_rejected(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], observe: Observe
) -> None:
    """The framework's ADD body is ``{"data": {...}}``; the bare entity is another body."""
    resp = empty_camera.add_raw(json.dumps(valid_pairing).encode())
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe("camera.add_unwrapped", {"http_status": resp.status_code, "code": resp.error_code})
    _assert_empty(empty_camera)


@pytest.mark.changes_state
@pytest.mark.requirement("CP-ONE-PAIRING", "DCA-ENVELOPE-ERROR")
def test_second_add_fails_with_104_and_keeps_the_first(
    empty_camera: CameraPairingClient, pairing_id: str, valid_pairing: dict[str, Any], observe: Observe
) -> None:
    second = {**valid_pairing, "address": "198.51.100.11", "description": "second pairing"}
    resp = empty_camera.add(second)
    expect_error(resp, code=104, statuses=CLIENT_ERRORS)
    observe("camera.second_add.http_status", resp.status_code)
    listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
    assert [p["id"] for p in listing] == [pairing_id]


@pytest.mark.changes_state
@pytest.mark.requirement("CP-REMOVE", "CP-REMOVE-GONE", "DCA-ENVELOPE-ERROR")
def test_remove_answers_success_and_the_pairing_is_gone(
    empty_camera: CameraPairingClient, pairing_id: str, observe: Observe
) -> None:
    expect_success(empty_camera.remove(pairing_id), schema="camera-pairing/response/empty")
    gone = empty_camera.get(pairing_id)
    expect_error(gone, statuses=CLIENT_ERRORS)
    observe("camera.get_removed", {"http_status": gone.status_code, "code": gone.error_code})
    _assert_empty(empty_camera)


@pytest.mark.changes_state
@pytest.mark.requirement("CP-REMOVE", "CP-ONE-PAIRING")
def test_add_after_remove_succeeds_again(
    empty_camera: CameraPairingClient, pairing_id: str, valid_pairing: dict[str, Any]
) -> None:
    expect_success(empty_camera.remove(pairing_id), schema="camera-pairing/response/empty")
    resp = empty_camera.add(valid_pairing)
    expect_success(resp, schema="camera-pairing/response/add", statuses=(200, 201))
    listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
    assert len(listing) == 1
    if listing[0]["id"] not in empty_camera.created:
        empty_camera.created.append(listing[0]["id"])


OPERATIONS: dict[str, Callable[[CameraPairingClient], ApiResponse]] = {
    "get": lambda c: c.get(UNKNOWN_ID),
    "get_property": lambda c: c.get_property(UNKNOWN_ID, "description"),
    "set_property": lambda c: c.set_property(UNKNOWN_ID, "description", "paircert"),
    "remove": lambda c: c.remove(UNKNOWN_ID),
}


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param("get"),
        pytest.param("get_property"),
        pytest.param("set_property", marks=pytest.mark.changes_state),
        pytest.param("remove", marks=pytest.mark.changes_state),
    ],
)
@pytest.mark.requirement("CP-UNKNOWN-ID", "DCA-ENVELOPE-ERROR")
def test_an_unknown_id_is_an_error(empty_camera: CameraPairingClient, operation: str, observe: Observe) -> None:
    resp = OPERATIONS[operation](empty_camera)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.unknown_id.{operation}", {"http_status": resp.status_code, "code": resp.error_code})
