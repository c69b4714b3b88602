"""The two body-reader choices where the documents are silent: JSON nesting depth and lone surrogates.

The reference emulator refuses JSON nested deeper than 64 levels and strings with an unpaired
UTF-16 surrogate escape (I-JSON, RFC 7493); the alternate accepts 512 levels and stores such
strings as sent (RFC 8259 §8.2 allows them). Whatever it accepted, every answer must still be
valid JSON in valid UTF-8: the surrogate goes back out as the escape ``\\ud800``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.emulator.choices import ALTERNATE, REFERENCE, Choices
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator

LIST = "/config/rest/camera-pairing/v1beta/camerapairings"
RADAR = "/networkradarpairing.cgi"  # the path both choices serve
PASSWORD = secrets.token_urlsafe(12)
JSON_HEADERS = {"Content-Type": "application/json"}
LONE = b'"\\ud800"'  # a JSON string holding one unpaired high surrogate
ADD = (
    b'{"data":{"address":"192.0.2.10","username":"viewer","password":"peer-secret-1",'
    b'"streamingprotocol":"RTSP","verifycertificate":false,"description":' + LONE + b"}}"
)


@dataclass(frozen=True)
class Emulated:
    """An admin client of an emulator, and the choices that emulator makes."""

    client: httpx.Client
    choices: Choices


@pytest.fixture(scope="module", params=[REFERENCE, ALTERNATE], ids=lambda choices: choices.name)
def device(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulated]:
    choices: Choices = request.param
    config = EmulatorConfig(
        state_dir=tmp_path_factory.mktemp(f"body-{choices.name}"),
        users=[User("admin", PASSWORD, "admin")],
        choices=choices,
        peer_http_port=9,  # nothing listens: no link in this module may reach a peer
    )
    with (
        EmbeddedEmulator(config) as emu,
        httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD), timeout=10) as client,
    ):
        yield Emulated(client, choices)


def _radar(client: httpx.Client, raw: bytes) -> httpx.Response:
    return client.post(RADAR, content=raw, headers=JSON_HEADERS)


def _call(client: httpx.Client, method: str, params: bytes = b"{}") -> Any:
    response = _radar(client, b'{"apiVersion":"1.0","method":"' + method.encode() + b'","params":' + params + b"}")
    assert response.status_code == 200, response.text
    return _strict_json(response)


def _strict_json(response: httpx.Response) -> Any:
    """The answer as JSON, after proving its bytes are UTF-8 (a raw surrogate is not)."""
    return json.loads(response.content.decode("utf-8", errors="strict"))


def _assert_invalid_json(response: httpx.Response) -> None:
    """The radar CGI's refusal of a body it does not take as JSON: HTTP 400 and 2101."""
    assert response.status_code == 400, response.text
    assert _strict_json(response)["error"]["code"] == 2101


def _versions_with_context(depth: int) -> bytes:
    """A getSupportedVersions request whose whole body nests ``depth`` levels (the envelope is one)."""
    context = b"[" * (depth - 1) + b"]" * (depth - 1)
    return b'{"apiVersion":"1.0","method":"getSupportedVersions","context":' + context + b"}"


def test_json_as_deep_as_the_chosen_limit_is_echoed_and_one_level_more_is_2101(device: Emulated) -> None:
    limit = device.choices.max_json_depth
    echoed = _radar(device.client, _versions_with_context(limit))
    assert echoed.status_code == 200, echoed.text
    assert _strict_json(echoed)["context"] == json.loads(_versions_with_context(limit))["context"]
    _assert_invalid_json(_radar(device.client, _versions_with_context(limit + 1)))


def test_a_camera_body_nested_past_the_chosen_limit_is_refused_with_400(device: Emulated) -> None:
    depth = device.choices.max_json_depth + 1
    response = device.client.post(
        LIST, content=b'{"data":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}", headers=JSON_HEADERS
    )
    assert response.status_code == 400
    assert "nests deeper" in _strict_json(response)["error"]["message"]
    assert device.client.get(LIST).json()["data"] == []


def test_a_lone_surrogate_context_is_2101_or_echoed_as_an_escape(device: Emulated) -> None:
    response = _radar(device.client, b'{"apiVersion":"1.0","method":"getSupportedVersions","context":' + LONE + b"}")
    if not device.choices.accepts_lone_surrogates:
        _assert_invalid_json(response)
        return
    assert response.status_code == 200, response.text
    assert b'"context":"\\ud800"' in response.content
    assert _strict_json(response)["context"] == "\ud800"


def test_a_camera_pairing_with_a_lone_surrogate_is_refused_or_read_back_as_an_escape(device: Emulated) -> None:
    added = device.client.post(LIST, content=ADD, headers=JSON_HEADERS)
    if not device.choices.accepts_lone_surrogates:
        assert added.status_code == 400
        assert device.client.get(LIST).json()["data"] == []
        return
    assert added.status_code == 201, added.text
    try:
        listed = device.client.get(LIST)
        assert listed.status_code == 200
        (pairing,) = _strict_json(listed)["data"]
        assert pairing["description"] == "\ud800"
    finally:
        for item in device.client.get(LIST).json()["data"]:
            device.client.delete(f"{LIST}/{item['id']}")


def test_a_radar_user_with_a_lone_surrogate_is_refused_or_stored_and_its_link_fails_authentication(
    device: Emulated,
) -> None:
    """No request can carry such a credential, so the link ends in authentication-failed, not a crash."""
    params = b'{"address":"127.0.0.5","user":' + LONE + b',"password":"radar-secret-1"}'
    response = _radar(device.client, b'{"apiVersion":"1.0","method":"setRadarConnection","params":' + params + b"}")
    if not device.choices.accepts_lone_surrogates:
        _assert_invalid_json(response)
        return
    assert response.status_code == 200, response.text
    try:
        assert _call(device.client, "getRadarConnection")["data"]["user"] == "\ud800"
        _call(device.client, "setActive", b'{"active":true}')  # the alternate answers after the first outcome
        assert _call(device.client, "getRadarConnection")["data"]["state"] == "authentication-failed"
    finally:
        _call(device.client, "setActive", b'{"active":false}')
        _call(device.client, "clearConfiguration")
