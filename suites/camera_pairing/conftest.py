"""Fixtures of the camera pairing suite: the API must be offered, and pairings made to order."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.response import ApiResponse
from paircert.plugin.expect import expect_error, expect_success

# Where a pairing in status Error may surface (PROTOCOL-NOTES §1: undocumented; the emulator
# answers GET of the item with HTTP 200 and the error envelope).
STREAMING_ERROR_CODES = (106, 107, 108)


@pytest.fixture(autouse=True)
def _camera_pairing_offered(camera_api: Any) -> None:
    """Every test here is not-applicable when discovery does not list camera-pairing."""


@pytest.fixture
def add_pairing(add_fields: Callable[[dict[str, Any]], str], valid_pairing: dict[str, Any]) -> Callable[..., str]:
    """Add a valid pairing (fields overridable) to the empty device and return its id.

    A refused ADD blocks the test: the test is about something that needs a pairing, and the
    ADD itself has tests of its own.
    """

    def add(**overrides: Any) -> str:
        return add_fields({**valid_pairing, **overrides})

    return add


@pytest.fixture
def pairing_id(add_pairing: Callable[..., str]) -> str:
    """The id of one freshly added valid pairing (the device held none before)."""
    return add_pairing()


@pytest.fixture
def read_property(empty_camera: CameraPairingClient) -> Callable[[str, str], Any]:
    """GET of one property of a pairing, checked against that property's response schema."""

    def read(pairing_id: str, name: str) -> Any:
        resp = empty_camera.get_property(pairing_id, name)
        return expect_success(resp, schema=f"camera-pairing/response/property/{name}")

    return read


@pytest.fixture
def item_answer(observe: Callable[[str, Any], None], law_paths: Any) -> Callable[..., Any]:
    """``item_answer(resp, laws=(...))``: check an answer to GET of one pairing: the entity, or None
    for the streaming error.

    PROTOCOL-NOTES §1: while status is Error, GET of the item may answer the error envelope with
    106/107/108 (HTTP status undocumented) instead of the entity; both are accepted. ``laws`` are
    the caller's requirements that only the entity can show: the item path is recorded as taken
    for them, or as not taken when the device answered the error, so the report can say that no
    test met the entity of a pairing that plays.
    """

    def check(resp: ApiResponse, laws: Collection[str] = ()) -> Any:
        if resp.ok:
            for law in laws:
                law_paths.taken(law, law_paths.ITEM_ENTITY)
            return expect_success(resp, schema="camera-pairing/response/entity")
        expect_error(resp, code=STREAMING_ERROR_CODES, statuses=(200, *range(400, 600)))
        observe("camera.item_get_in_error", {"http_status": resp.status_code, "code": resp.error_code})
        for law in laws:
            law_paths.not_taken(law, law_paths.ITEM_ENTITY, f"the item GET answered error {resp.error_code}")
        return None

    return check
