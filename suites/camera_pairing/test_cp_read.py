"""Reads: the root, the collection, one pairing, each property; password never comes back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import API_ROOT, CameraPairingClient
from paircert.plugin.expect import expect_error, expect_success
from paircert.vapix.passwords import has_password_field

CLIENT_ERRORS = range(400, 500)
GETTABLE = (
    "id",
    "address",
    "username",
    "status",
    "streamingprotocol",
    "verifycertificate",
    "productmodel",
    "productname",
    "description",
)


@pytest.mark.requirement("CP-ROOT-GET", "DCA-API-ROOT", "DCA-ENVELOPE-SUCCESS", "DCA-CONTENT-TYPE")
def test_root_get_answers_the_success_envelope_as_json(camera: CameraPairingClient) -> None:
    resp = camera.root()
    expect_success(resp, schema="camera-pairing/response/root")
    assert resp.exchange.url.endswith(API_ROOT)
    assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers.get("content-type")


@pytest.mark.requirement("CP-LIST-GET", "DCA-COLLECTION-ARRAY")
def test_collection_of_an_empty_device_is_an_empty_array(empty_camera: CameraPairingClient) -> None:
    assert expect_success(empty_camera.list(), schema="camera-pairing/response/list") == []


@pytest.mark.changes_state
@pytest.mark.requirement("CP-LIST-GET", "DCA-COLLECTION-ARRAY", "CP-ID-GENERATED")
def test_collection_lists_the_added_pairing_under_its_id(empty_camera: CameraPairingClient, pairing_id: str) -> None:
    listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
    assert [p["id"] for p in listing] == [pairing_id]


@pytest.mark.changes_state
@pytest.mark.requirement("DCA-ROOT-ALL", "CP-ROOT-GET")
def test_root_returns_the_pairings_below_it(empty_camera: CameraPairingClient, pairing_id: str) -> None:
    data = expect_success(empty_camera.root(), schema="camera-pairing/response/root")
    assert "camerapairings" in data, f"root data has no camerapairings collection: keys {sorted(data)}"
    assert [p["id"] for p in data["camerapairings"]] == [pairing_id]


@pytest.mark.changes_state
@pytest.mark.requirement("CP-GET-ITEM", "CP-STATUS-ERROR-DETAIL", "CP-STATUS-ENUM", "CP-PRODUCT-MAXLEN", "CP-ADD-ECHO")
def test_item_get_answers_the_entity_or_a_streaming_error(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    item_answer: Callable[..., Any],
) -> None:
    entity = item_answer(empty_camera.get(pairing_id), laws=("CP-GET-ITEM", "CP-ADD-ECHO"))
    if entity is not None:
        assert entity["id"] == pairing_id
        sent = {k: v for k, v in valid_pairing.items() if k != "password"}
        assert {k: entity[k] for k in sent} == sent


@pytest.mark.changes_state
@pytest.mark.parametrize("name", GETTABLE)
@pytest.mark.requirement("CP-GET-PROPERTY", "CP-GET-STATUS", "CP-STATUS-ENUM", "CP-PRODUCT-MAXLEN")
def test_each_property_get_answers_its_documented_type(
    pairing_id: str, valid_pairing: dict[str, Any], read_property: Callable[[str, str], Any], name: str
) -> None:
    value = read_property(pairing_id, name)
    if name == "id":
        assert value == pairing_id
    elif name in valid_pairing:
        assert value == valid_pairing[name]


@pytest.mark.changes_state
@pytest.mark.requirement("CP-PASSWORD-WRITE-ONLY", "DCA-ENVELOPE-ERROR")
def test_password_property_is_not_gettable(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    observe: Callable[[str, Any], None],
) -> None:
    resp = empty_camera.get_property(pairing_id, "password")
    expect_error(resp, statuses=CLIENT_ERRORS)
    observe("camera.get_password.http_status", resp.status_code)
    assert valid_pairing["password"] not in resp.text, "the error answer repeats the pairing's password"


@pytest.mark.changes_state
@pytest.mark.requirement("CP-PASSWORD-NOT-RETURNED", "CP-ADD-RESPONSE")
def test_no_response_carries_the_password(
    empty_camera: CameraPairingClient,
    valid_pairing: dict[str, Any],
    item_answer: Callable[..., Any],
    law_paths: Any,
) -> None:
    added = empty_camera.add(valid_pairing)
    data = expect_success(added, schema="camera-pairing/response/add", statuses=(200, 201))
    root = empty_camera.root()
    expect_success(root, schema="camera-pairing/response/root")
    listed = empty_camera.list()
    listing = expect_success(listed, schema="camera-pairing/response/list")
    assert listing, "the collection is empty after a successful ADD"
    pairing_id = data["id"] if isinstance(data, dict) else listing[0]["id"]
    if pairing_id not in empty_camera.created:
        empty_camera.created.append(pairing_id)
    item = empty_camera.get(pairing_id)
    item_answer(item, laws=("CP-PASSWORD-NOT-RETURNED",))
    answers = [added, root, listed, item]
    for name in GETTABLE:
        resp = empty_camera.get_property(pairing_id, name)
        expect_success(resp, schema=f"camera-pairing/response/property/{name}")
        answers.append(resp)
    for path in ("ADD answer", "root GET", "collection GET", "property GETs"):
        law_paths.taken("CP-PASSWORD-NOT-RETURNED", path)
    for resp in answers:
        assert not has_password_field(resp.json), f"{resp!r} carries a member named password"
        assert valid_pairing["password"] not in resp.text, f"{resp!r} carries the pairing's password"
