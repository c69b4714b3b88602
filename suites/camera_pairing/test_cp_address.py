"""Addresses: IPv4, IPv6 and DNS names are accepted; the device itself is 101; the rest is 102.

Only documentation ranges (RFC 5737, RFC 3849) and .example/.invalid names are used, so a real
device never dials a real host.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import expect_error, expect_success

CLIENT_ERRORS = range(400, 500)
Observe = Callable[[str, Any], None]
ReadProperty = Callable[[str, str], Any]
SameAddress = Callable[[Any, Any], bool]

pytestmark = pytest.mark.changes_state

VALID = [
    pytest.param("192.0.2.44", id="ipv4-test-net-1"),
    pytest.param("198.51.100.44", id="ipv4-test-net-2"),
    pytest.param("203.0.113.44", id="ipv4-test-net-3"),
    pytest.param("2001:db8::44", id="ipv6-compressed"),
    pytest.param("2001:db8:0:0:0:0:0:45", id="ipv6-full"),
    pytest.param("camera.example", id="dns-example"),
    pytest.param("peer-1.cameras.example", id="dns-multi-label"),
    pytest.param("peer.invalid", id="dns-invalid-tld"),
]

INVALID = [
    pytest.param("256.1.1.1", id="octet-over-255"),
    pytest.param("1.2.3", id="three-octets"),
    pytest.param("192.0.2.1:554", id="with-port"),
    pytest.param("rtsp://192.0.2.1/", id="url"),
    pytest.param("a b", id="space"),
    pytest.param("", id="empty"),
    pytest.param("-bad-.example", id="hyphen-label-edges"),
    pytest.param("a" * 64, id="label-of-64"),
    pytest.param("2001:db8::1::2", id="ipv6-two-gaps"),
]


def _added_id(camera: CameraPairingClient, data: Any) -> str:
    listing = expect_success(camera.list(), schema="camera-pairing/response/list")
    assert len(listing) == 1
    pairing_id = data["id"] if isinstance(data, dict) else listing[0]["id"]
    if pairing_id not in camera.created:
        camera.created.append(pairing_id)
    return str(pairing_id)


@pytest.mark.parametrize("address", VALID)
@pytest.mark.requirement("CP-ADDRESS-FORMS", "CP-ADD-RESPONSE")
def test_add_accepts_every_address_form(
    empty_camera: CameraPairingClient,
    valid_pairing: dict[str, Any],
    read_property: ReadProperty,
    same_address: SameAddress,
    address: str,
    observe: Observe,
) -> None:
    resp = empty_camera.add({**valid_pairing, "address": address})
    data = expect_success(resp, schema="camera-pairing/response/add", statuses=(200, 201))
    pairing_id = _added_id(empty_camera, data)
    read = read_property(pairing_id, "address")
    assert same_address(address, read), f"address {address!r} reads back as {read!r}"
    if read != address:
        observe("camera.address_normalised", {"sent": address, "read": read})


@pytest.mark.parametrize("address", VALID)
@pytest.mark.requirement("CP-ADDRESS-FORMS", "CP-SET-ADDRESS")
def test_set_accepts_every_address_form(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    read_property: ReadProperty,
    same_address: SameAddress,
    address: str,
) -> None:
    expect_success(empty_camera.set_property(pairing_id, "address", address), schema="camera-pairing/response/empty")
    read = read_property(pairing_id, "address")
    assert same_address(address, read), f"address {address!r} reads back as {read!r}"


@pytest.mark.parametrize("address", INVALID)
@pytest.mark.requirement("CP-INVALID-ADDRESS", "DCA-ENVELOPE-ERROR")
def test_add_with_an_invalid_address_fails_with_102(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], address: str, observe: Observe
) -> None:
    resp = empty_camera.add({**valid_pairing, "address": address})
    expect_error(resp, code=102, statuses=CLIENT_ERRORS)
    observe("camera.add_invalid_address.http_status", resp.status_code)
    assert expect_success(empty_camera.list(), schema="camera-pairing/response/list") == []


@pytest.mark.parametrize("address", INVALID)
@pytest.mark.requirement("CP-INVALID-ADDRESS", "DCA-ENVELOPE-ERROR")
def test_set_of_an_invalid_address_fails_with_102_and_keeps_the_address(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    read_property: ReadProperty,
    address: str,
    observe: Observe,
) -> None:
    resp = empty_camera.set_property(pairing_id, "address", address)
    expect_error(resp, code=102, statuses=CLIENT_ERRORS)
    observe("camera.set_invalid_address.http_status", resp.status_code)
    read = read_property(pairing_id, "address")
    assert read == valid_pairing["address"]


@pytest.mark.requirement("CP-SELF-ADDRESS", "DCA-ENVELOPE-ERROR")
def test_add_of_the_device_itself_fails_with_101(
    empty_camera: CameraPairingClient, valid_pairing: dict[str, Any], self_address: str, observe: Observe
) -> None:
    resp = empty_camera.add({**valid_pairing, "address": self_address})
    expect_error(resp, code=101, statuses=CLIENT_ERRORS)
    observe("camera.add_self.http_status", resp.status_code)
    assert expect_success(empty_camera.list(), schema="camera-pairing/response/list") == []


@pytest.mark.requirement("CP-SELF-ADDRESS", "DCA-ENVELOPE-ERROR")
def test_set_of_the_device_itself_fails_with_101_and_keeps_the_address(
    empty_camera: CameraPairingClient,
    pairing_id: str,
    valid_pairing: dict[str, Any],
    read_property: ReadProperty,
    self_address: str,
    observe: Observe,
) -> None:
    resp = empty_camera.set_property(pairing_id, "address", self_address)
    expect_error(resp, code=101, statuses=CLIENT_ERRORS)
    observe("camera.set_self.http_status", resp.status_code)
    read = read_property(pairing_id, "address")
    assert read == valid_pairing["address"]
