"""Authentication and roles: no or wrong credentials get 401; operator and viewer are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.response import ApiResponse
from paircert.clients.transcript import Transcript
from paircert.plugin.expect import expect_error, expect_success

CLIENT_ERRORS = range(400, 500)
UNKNOWN_ID = "CameraPairing-0-0"
Observe = Callable[[str, Any], None]


def _as(http: httpx.Client, transcript: Transcript, admin: CameraPairingClient) -> CameraPairingClient:
    return CameraPairingClient(DcaClient(http, transcript, set_method=admin.dca.set_method))


def _remove_all(admin: CameraPairingClient) -> None:
    """Undo an ADD that should have been refused (the device was empty before the test)."""
    for pairing in expect_success(admin.list(), schema="camera-pairing/response/list"):
        admin.remove(pairing["id"])


def _assert_401(resp: ApiResponse, observe: Observe, key: str) -> None:
    assert resp.status_code == 401, f"expected HTTP 401, got {resp.status_code}\n{resp.exchange.to_curl()}"
    assert resp.headers.get("www-authenticate"), "a 401 without a WWW-Authenticate challenge"
    observe(key, {"envelope": isinstance(resp.json, dict) and resp.json.get("status") == "error"})


ANONYMOUS_OPERATIONS: dict[str, Callable[[CameraPairingClient, dict[str, Any]], ApiResponse]] = {
    "root": lambda c, body: c.root(),
    "list": lambda c, body: c.list(),
    "add": lambda c, body: c.add(body),
    "get": lambda c, body: c.get(UNKNOWN_ID),
    "get_property": lambda c, body: c.get_property(UNKNOWN_ID, "address"),
    "set_property": lambda c, body: c.set_property(UNKNOWN_ID, "description", "x"),
    "remove": lambda c, body: c.remove(UNKNOWN_ID),
}
WRITES = {"add", "set_property", "remove"}


def _attempt(
    request: pytest.FixtureRequest, http: httpx.Client, operation: str, body: dict[str, Any], observe: Observe, key: str
) -> None:
    """Run one operation with the given client; an ADD runs on an empty device and is undone."""
    admin = request.getfixturevalue("empty_camera" if operation == "add" else "camera")
    resp = ANONYMOUS_OPERATIONS[operation](_as(http, request.getfixturevalue("transcript"), admin), body)
    try:
        _assert_401(resp, observe, key)
    finally:
        if operation == "add" and resp.ok:
            _remove_all(admin)
    if operation == "add":
        assert expect_success(admin.list(), schema="camera-pairing/response/list") == []


@pytest.mark.parametrize(
    "operation",
    [pytest.param(o, marks=[pytest.mark.changes_state] if o in WRITES else []) for o in ANONYMOUS_OPERATIONS],
)
@pytest.mark.requirement("DCA-AUTH-REQUIRED")
def test_a_request_without_credentials_gets_401_with_a_challenge(
    request: pytest.FixtureRequest,
    http_anonymous: httpx.Client,
    valid_pairing: dict[str, Any],
    operation: str,
    observe: Observe,
) -> None:
    _attempt(request, http_anonymous, operation, valid_pairing, observe, f"camera.anonymous.{operation}")


@pytest.mark.parametrize("operation", ["list", pytest.param("add", marks=pytest.mark.changes_state)])
@pytest.mark.requirement("DCA-AUTH-WRONG-PASSWORD", "DCA-AUTH-REQUIRED")
def test_a_request_with_a_wrong_password_gets_401(
    request: pytest.FixtureRequest,
    http_wrong_password: httpx.Client,
    valid_pairing: dict[str, Any],
    operation: str,
    observe: Observe,
) -> None:
    _attempt(request, http_wrong_password, operation, valid_pairing, observe, f"camera.wrong_password.{operation}")


ROLES = ("operator", "viewer")


@pytest.mark.changes_state
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.requirement("CP-ADMIN-ONLY", "DCA-ENVELOPE-ERROR")
def test_add_by_a_non_admin_role_is_refused(
    empty_camera: CameraPairingClient,
    camera_as: Callable[[str], CameraPairingClient],
    valid_pairing: dict[str, Any],
    role: str,
    observe: Observe,
) -> None:
    resp = camera_as(role).add(valid_pairing)
    try:
        expect_error(resp, statuses=CLIENT_ERRORS)
    finally:
        if resp.ok:
            _remove_all(empty_camera)
    observe(f"camera.{role}.add.http_status", resp.status_code)
    assert expect_success(empty_camera.list(), schema="camera-pairing/response/list") == []


@pytest.mark.changes_state
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.requirement("CP-ADMIN-ONLY", "DCA-ENVELOPE-ERROR")
def test_remove_by_a_non_admin_role_is_refused(
    empty_camera: CameraPairingClient,
    camera_as: Callable[[str], CameraPairingClient],
    pairing_id: str,
    role: str,
    observe: Observe,
) -> None:
    resp = camera_as(role).remove(pairing_id)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.{role}.remove.http_status", resp.status_code)
    listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
    assert [p["id"] for p in listing] == [pairing_id]


@pytest.mark.changes_state
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["address", "username", "status", "description"])
@pytest.mark.requirement("CP-ADMIN-ONLY", "DCA-ENVELOPE-ERROR")
def test_property_get_by_a_non_admin_role_is_refused(
    camera_as: Callable[[str], CameraPairingClient], pairing_id: str, role: str, name: str, observe: Observe
) -> None:
    resp = camera_as(role).get_property(pairing_id, name)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.{role}.get_property.http_status", resp.status_code)


@pytest.mark.changes_state
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "value"),
    [("address", "203.0.113.9"), ("password", "paircert-Other-3"), ("description", "x")],
    ids=["address", "password", "description"],
)
@pytest.mark.requirement("CP-ADMIN-ONLY", "DCA-ENVELOPE-ERROR")
def test_property_set_by_a_non_admin_role_is_refused_and_changes_nothing(
    camera_as: Callable[[str], CameraPairingClient],
    pairing_id: str,
    valid_pairing: dict[str, Any],
    read_property: Callable[[str, str], Any],
    role: str,
    name: str,
    value: str,
    observe: Observe,
) -> None:
    resp = camera_as(role).set_property(pairing_id, name, value)
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe(f"camera.{role}.set_property.http_status", resp.status_code)
    if name != "password":
        assert read_property(pairing_id, name) == valid_pairing[name]


@pytest.mark.changes_state
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.requirement("DCA-ENVELOPE-SUCCESS", "DCA-ENVELOPE-ERROR", "CP-PASSWORD-NOT-RETURNED")
def test_reads_of_root_and_collection_by_a_non_admin_role_answer_an_envelope(
    camera_as: Callable[[str], CameraPairingClient], pairing_id: str, role: str, observe: Observe
) -> None:
    client = camera_as(role)
    for kind, resp in (("root", client.root()), ("list", client.list())):
        if resp.ok:
            expect_success(resp, schema=f"camera-pairing/response/{kind}")
        else:
            expect_error(resp, statuses=CLIENT_ERRORS)
        observe(f"camera.{role}.{kind}", {"http_status": resp.status_code, "allowed": resp.ok})
