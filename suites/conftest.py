"""Builders shared by every suite.

Suites have no ``__init__.py`` and run with ``--import-mode=importlib``, so shared request bodies
are fixtures here rather than importable modules. Each builder returns a fresh object, so a test
may change its copy freely.

Every address is from a documentation range (RFC 5737 / RFC 3849) or a ``.example`` /
``.invalid`` name, so a real device never dials a real host.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_success
from paircert.plugin.verdicts import blocked


@pytest.fixture
def valid_pairing(unreachable_address: str) -> dict[str, Any]:
    """The six fields ADD requires, all valid; RTSP so verifycertificate does not matter."""
    return {
        "address": unreachable_address,
        "username": "paircert",
        "password": "paircert-Peer-1",
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": "paircert conformance pairing",
    }


@pytest.fixture
def add_fields(empty_camera: CameraPairingClient) -> Callable[[dict[str, Any]], str]:
    """``add_fields(fields)``: ADD these fields to the empty device and return the new pairing's id.

    A refused ADD blocks the test: the test is about something that needs a pairing, and ADD has
    tests of its own. A device that answers ADD without data is asked for its collection instead.
    """

    def add(fields: dict[str, Any]) -> str:
        resp = empty_camera.add(fields)
        if not resp.ok:
            blocked(f"ADD of a pairing was refused (HTTP {resp.status_code}, error code {resp.error_code})")
        data = expect_success(resp, schema="camera-pairing/response/add", statuses=(200, 201))
        if isinstance(data, dict):
            return str(data["id"])
        listing = expect_success(empty_camera.list(), schema="camera-pairing/response/list")
        if len(listing) != 1:
            blocked(f"after one ADD on an empty device the collection holds {len(listing)} pairings")
        pairing_id = str(listing[0]["id"])
        empty_camera.created.append(pairing_id)
        return pairing_id

    return add


@pytest.fixture
def radar_revision(radar: RadarClient, observe: Callable[[str, Any], None]) -> str:
    """Which revision's TLS fields the device answers: "2025-08" (tls, tls-verify) or "2026-01"
    (tls-certificate-cn). A device that carries neither cannot be tested for either."""
    data = expect_success(radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
    if "tls-certificate-cn" in data:
        revision = "2026-01"
    elif "tls" in data or "tls-verify" in data:
        revision = "2025-08"
    else:
        blocked("getRadarConnection carries neither tls/tls-verify nor tls-certificate-cn: unknown document revision")
    observe("radar.revision", revision)
    return revision


def _same_address(sent: Any, read: Any) -> bool:
    if not isinstance(sent, str) or not isinstance(read, str):
        return bool(sent == read)
    try:
        return ipaddress.ip_address(sent) == ipaddress.ip_address(read)
    except ValueError:
        return sent.lower().rstrip(".") == read.lower().rstrip(".")


@pytest.fixture
def same_address() -> Callable[[Any, Any], bool]:
    """``same_address(sent, read)``: the address read back is the one sent. A device may keep the
    canonical text (RFC 5952 IPv6, a name in lower case): the documents say only that GET answers
    the value set, and these texts name the same address."""
    return _same_address
