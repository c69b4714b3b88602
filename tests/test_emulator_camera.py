"""The emulator's camera pairing API over real HTTP(S): CRUD, every error status, auth, links."""

from __future__ import annotations

import json
import secrets
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator

ROOT = "/config/rest/camera-pairing/v1beta"
LIST = f"{ROOT}/camerapairings"
PASSWORDS = {role: secrets.token_urlsafe(12) for role in ("admin", "operator", "viewer")}
PEER_HOST = "127.0.0.2"  # the test's "camera"; 127.0.0.1 is the emulator's own address


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory, peer_port: int) -> Iterator[EmbeddedEmulator]:
    config = EmulatorConfig(
        state_dir=tmp_path_factory.mktemp("camera-state"),
        users=[User(role, PASSWORDS[role], role) for role in ("admin", "operator", "viewer")],  # type: ignore[arg-type]
        own_addresses=["192.0.2.200"],
        name_table={"localhost": ["127.0.0.1", "::1"], "peer.test": [PEER_HOST]},
        peer_rtsp_port=peer_port,
        peer_rtsps_port=peer_port,
        peer_link="tcp",  # a bare listening socket plays the peer; the real link: test_emulator_links*
    )
    with EmbeddedEmulator(config) as emu:
        yield emu


def _client(emu: EmbeddedEmulator, role: str | None, *, https: bool = False) -> httpx.Client:
    auth = HttpAuth(role, PASSWORDS[role]) if role else None
    if https:
        context = ssl.create_default_context(cafile=str(emu.ca_file))
        return httpx.Client(base_url=emu.https_url, auth=auth, verify=context, timeout=10)
    return httpx.Client(base_url=emu.http_url, auth=auth, timeout=10)


@pytest.fixture(scope="module")
def admin(emulator: EmbeddedEmulator) -> Iterator[httpx.Client]:
    with _client(emulator, "admin") as client:
        yield client


@pytest.fixture()
def api(admin: httpx.Client) -> Iterator[httpx.Client]:
    """The admin client on an emulator without pairings; removes what the test left."""
    assert admin.get(LIST).json()["data"] == []
    yield admin
    for item in admin.get(LIST).json()["data"]:
        assert admin.delete(f"{LIST}/{item['id']}").status_code == 200


def fields(**overrides: Any) -> dict[str, Any]:
    base = {
        "address": "192.0.2.10",
        "username": "viewer",
        "password": "s3cret-peer",
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": "front door",
    }
    base.update(overrides)
    return base


def add(client: httpx.Client, **overrides: Any) -> httpx.Response:
    return client.post(LIST, json={"data": fields(**overrides)})


def assert_error(response: httpx.Response, status: int, code: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def wait_for(client: httpx.Client, pairing_id: str, status: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        seen = client.get(f"{LIST}/{pairing_id}/status").json()["data"]
        if seen == status:
            return seen
        time.sleep(0.02)
    return seen


# CRUD


def test_add_answers_201_with_the_entity_and_never_the_password(api: httpx.Client) -> None:
    response = add(api)
    assert response.status_code == 201
    entity = response.json()["data"]
    assert "password" not in entity
    assert entity["id"].startswith("CameraPairing-")
    _, seconds, digits = entity["id"].split("-")
    assert abs(int(seconds) - time.time()) < 60 and len(digits) == 6 and digits.isdigit()
    assert {k: entity[k] for k in fields() if k != "password"} == {k: v for k, v in fields().items() if k != "password"}
    assert entity["productmodel"] == entity["productname"] == ""
    assert entity["status"] in ("Connecting", "Error")


def test_root_list_item_and_properties_read_back_what_was_added(api: httpx.Client) -> None:
    entity = add(api, description="é" * 128).json()["data"]
    item = f"{LIST}/{entity['id']}"
    root = api.get(ROOT).json()
    assert root["status"] == "success" and [e["id"] for e in root["data"]["camerapairings"]] == [entity["id"]]
    assert [e["id"] for e in api.get(LIST).json()["data"]] == [entity["id"]]
    for name in ("id", "address", "username", "streamingprotocol", "verifycertificate", "description"):
        assert api.get(f"{item}/{name}").json() == {"status": "success", "data": entity[name]}
    for body in (api.get(ROOT).text, api.get(LIST).text, api.get(item).text):
        assert "password" not in body and "s3cret-peer" not in body


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("address", "peer.test"),
        ("username", "u" * 64),
        ("password", "p" * 64),
        ("description", ""),
        ("streamingprotocol", "SRTSP"),
        ("verifycertificate", True),
    ],
)
@pytest.mark.parametrize("verb", ["PATCH", "PUT"])
def test_every_settable_property_is_set_with_patch_or_put(api: httpx.Client, name: str, value: Any, verb: str) -> None:
    item = f"{LIST}/{add(api).json()['data']['id']}"
    response = api.request(verb, f"{item}/{name}", json={"data": value})
    assert response.status_code == 200 and response.json() == {"status": "success"}
    if name != "password":
        assert api.get(f"{item}/{name}").json()["data"] == value


def test_delete_removes_the_pairing(api: httpx.Client) -> None:
    item = f"{LIST}/{add(api).json()['data']['id']}"
    assert api.delete(item).json() == {"status": "success"}
    assert_error(api.get(item), 404, 404)
    assert api.get(LIST).json()["data"] == []


# errors


def test_second_add_is_104_with_409(api: httpx.Client) -> None:
    assert add(api).status_code == 201
    assert_error(add(api, address="192.0.2.11"), 409, 104)


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "LOCALHOST", "192.0.2.200"])
def test_own_address_is_101(api: httpx.Client, address: str) -> None:
    assert_error(add(api, address=address), 400, 101)
    item = f"{LIST}/{add(api).json()['data']['id']}"
    assert_error(api.patch(f"{item}/address", json={"data": address}), 400, 101)


@pytest.mark.parametrize(
    "address", ["", "not an address", "300.1.1.1", "1.2.3", "[::1]", "-bad.example", "a..b", "x" * 65]
)
def test_invalid_address_is_rejected(api: httpx.Client, address: str) -> None:
    response = add(api, address=address)
    expected = 400 if len(address) > 64 else 102
    assert_error(response, 400, expected)


@pytest.mark.parametrize("address", ["192.0.2.10", "2001:db8::1", "camera.example", "cam-1"])
def test_valid_addresses_are_accepted(api: httpx.Client, address: str) -> None:
    assert add(api, address=address).status_code == 201


@pytest.mark.parametrize(
    "data",
    [
        {k: v for k, v in fields().items() if k != "description"},
        fields(extra="x"),
        fields(id="CameraPairing-1-000001"),
        fields(status="Paired"),
        fields(streamingprotocol="HTTP"),
        fields(verifycertificate="true"),
        fields(username=7),
        fields(username="u" * 65),
        fields(password="p" * 65),
        fields(description="d" * 129),
        "not an object",
    ],
)
def test_bad_add_bodies_are_400(api: httpx.Client, data: Any) -> None:
    assert_error(api.post(LIST, json={"data": data}), 400, 400)
    assert api.get(LIST).json()["data"] == []


def test_lengths_count_characters_not_bytes(api: httpx.Client) -> None:
    assert add(api, username="ü" * 64, description="€" * 128).status_code == 201


@pytest.mark.parametrize("content", [b"{", b"[]", b'{"data": {}, "more": 1}', b'{"notdata": 1}', b"\xff\xfe"])
def test_malformed_bodies_are_400(api: httpx.Client, content: bytes) -> None:
    assert_error(api.post(LIST, content=content, headers={"content-type": "application/json"}), 400, 400)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_415(api: httpx.Client, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    body = json.dumps({"data": fields()}).encode()
    assert_error(api.post(LIST, content=body, headers=headers), 415, 415)
    item = f"{LIST}/{add(api).json()['data']['id']}"
    assert_error(api.patch(f"{item}/description", content=b'{"data": "x"}', headers=headers), 415, 415)


def test_json_content_type_with_charset_is_accepted(api: httpx.Client) -> None:
    body = json.dumps({"data": fields()}).encode()
    assert api.post(LIST, content=body, headers={"content-type": "application/json; charset=utf-8"}).status_code == 201


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("address", 5),
        ("username", None),
        ("description", "d" * 129),
        ("streamingprotocol", "rtsp"),
        ("verifycertificate", 1),
    ],
)
def test_bad_set_values_are_400(api: httpx.Client, name: str, value: Any) -> None:
    item = f"{LIST}/{add(api).json()['data']['id']}"
    assert_error(api.patch(f"{item}/{name}", json={"data": value}), 400, 400)


def test_set_address_validity_is_102(api: httpx.Client) -> None:
    item = f"{LIST}/{add(api).json()['data']['id']}"
    assert_error(api.patch(f"{item}/address", json={"data": "no spaces allowed"}), 400, 102)


def test_unknown_ids_properties_and_paths_are_404(api: httpx.Client) -> None:
    unknown = f"{LIST}/CameraPairing-1-000000"
    assert_error(api.get(unknown), 404, 404)
    assert_error(api.delete(unknown), 404, 404)
    assert_error(api.patch(f"{unknown}/description", json={"data": "x"}), 404, 404)
    item = f"{LIST}/{add(api).json()['data']['id']}"
    for path in (f"{item}/nosuch", f"{item}/status/extra", f"{ROOT}/other", f"{ROOT}x", "/config/rest/nothing"):
        assert_error(api.get(path), 404, 404)


@pytest.mark.parametrize(
    ("verb", "suffix", "allow"),
    [
        ("GET", "/password", "PATCH, PUT"),
        ("PATCH", "/id", "GET"),
        ("PATCH", "/status", "GET"),
        ("PUT", "/productmodel", "GET"),
        ("PATCH", "/productname", "GET"),
        ("DELETE", "/address", "GET, PATCH, PUT"),
        ("POST", "", "GET, DELETE"),
        ("PATCH", "", "GET, DELETE"),
    ],
)
def test_undefined_operations_are_405_with_allow(api: httpx.Client, verb: str, suffix: str, allow: str) -> None:
    item = f"{LIST}/{add(api).json()['data']['id']}"
    response = api.request(verb, item + suffix, json={"data": "x"})
    assert_error(response, 405, 405)
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    ("verb", "path", "allow"), [("DELETE", LIST, "GET, POST"), ("POST", ROOT, "GET"), ("PUT", LIST, "GET, POST")]
)
def test_undefined_collection_and_root_operations_are_405(api: httpx.Client, verb: str, path: str, allow: str) -> None:
    response = api.request(verb, path, json={"data": {}})
    assert_error(response, 405, 405)
    assert response.headers["allow"] == allow


# auth


def test_no_credentials_is_401_with_a_digest_challenge_on_http(emulator: EmbeddedEmulator) -> None:
    with _client(emulator, None) as anonymous:
        response = anonymous.get(ROOT)
    assert_error(response, 401, 401)
    challenges = response.headers.get_list("www-authenticate")
    assert challenges and all(c.startswith("Digest ") for c in challenges)


def test_wrong_password_is_401(emulator: EmbeddedEmulator) -> None:
    with httpx.Client(base_url=emulator.http_url, auth=HttpAuth("admin", "wrong")) as client:
        assert_error(client.get(ROOT), 401, 401)
    with httpx.Client(base_url=emulator.http_url, auth=httpx.BasicAuth("admin", PASSWORDS["admin"])) as client:
        assert_error(client.get(ROOT), 401, 401)  # Basic is not offered on HTTP by default


def test_https_offers_basic_and_accepts_it(emulator: EmbeddedEmulator) -> None:
    with _client(emulator, None, https=True) as anonymous:
        response = anonymous.get(ROOT)
    assert_error(response, 401, 401)
    assert [c.split()[0] for c in response.headers.get_list("www-authenticate")] == ["Basic"]
    with _client(emulator, "admin", https=True) as client:
        assert client.get(ROOT).json()["status"] == "success"


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operator_and_viewer_are_403_for_every_operation(
    api: httpx.Client, emulator: EmbeddedEmulator, role: str
) -> None:
    item = f"{LIST}/{add(api).json()['data']['id']}"
    with _client(emulator, role) as client:
        assert_error(client.get(ROOT), 403, 403)
        assert_error(client.get(LIST), 403, 403)
        assert_error(client.post(LIST, json={"data": fields()}), 403, 403)
        assert_error(client.get(item), 403, 403)
        assert_error(client.patch(f"{item}/description", json={"data": "x"}), 403, 403)
        assert_error(client.delete(item), 403, 403)
    assert api.get(f"{item}/description").json()["data"] == "front door"


# links


def test_unreachable_loopback_port_gives_error_108(api: httpx.Client) -> None:
    item_id = add(api, address="127.0.0.3").json()["data"]["id"]  # nothing listens on 127.0.0.3
    assert wait_for(api, item_id, "Error") == "Error"
    assert_error(api.get(f"{LIST}/{item_id}"), 200, 108)


def test_address_outside_dial_allow_gives_error_108(api: httpx.Client) -> None:
    item_id = add(api, address="192.0.2.10").json()["data"]["id"]
    assert wait_for(api, item_id, "Error") == "Error"
    assert_error(api.get(f"{LIST}/{item_id}"), 200, 108)
    api.patch(f"{LIST}/{item_id}/address", json={"data": "unknown-name.invalid"})
    assert wait_for(api, item_id, "Error") == "Error"


@pytest.mark.parametrize("address", [PEER_HOST, "peer.test"])
def test_listening_peer_gives_paired(api: httpx.Client, address: str) -> None:
    item_id = add(api, address=address).json()["data"]["id"]
    assert wait_for(api, item_id, "Paired") == "Paired"
    assert api.get(f"{LIST}/{item_id}").json()["data"]["status"] == "Paired"


def test_changing_the_address_reconnects(api: httpx.Client) -> None:
    item_id = add(api, address="127.0.0.3").json()["data"]["id"]
    assert wait_for(api, item_id, "Error") == "Error"
    api.patch(f"{LIST}/{item_id}/address", json={"data": PEER_HOST})
    assert wait_for(api, item_id, "Paired") == "Paired"
    api.patch(f"{LIST}/{item_id}/description", json={"data": "no reconnect"})
    assert api.get(f"{LIST}/{item_id}/status").json()["data"] == "Paired"


def test_state_file_holds_the_password_but_no_response_does(api: httpx.Client, emulator: EmbeddedEmulator) -> None:
    item_id = add(api, password="only-in-state").json()["data"]["id"]
    state = (Path(emulator.config.state_dir) / "state.json").read_text()
    assert "only-in-state" in state
    assert "only-in-state" not in api.get(ROOT).text + api.get(f"{LIST}/{item_id}").text


def test_body_over_64_kib_is_413(api: httpx.Client) -> None:
    body = json.dumps({"data": fields(description="d" * 70000)}).encode()
    assert_error(api.post(LIST, content=body, headers={"content-type": "application/json"}), 413, 413)
