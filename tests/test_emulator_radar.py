"""The emulator's radar pairing CGI, API discovery, DCA discovery and basic device info."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator

CGI = "/axis-cgi/networkradarpairing.cgi"
BARE = "/networkradarpairing.cgi"
PASSWORDS = {role: secrets.token_urlsafe(12) for role in ("admin", "operator", "viewer")}
PEER_HOST = "127.0.0.2"


def _config(state_dir: Any, peer_port: int, **overrides: Any) -> EmulatorConfig:
    return EmulatorConfig(
        state_dir=state_dir,
        users=[User(role, PASSWORDS[role], role) for role in ("admin", "operator", "viewer")],  # type: ignore[arg-type]
        peer_rtsp_port=peer_port,
        peer_rtsps_port=peer_port,
        peer_link="tcp",  # a bare listening socket plays the peer; the real link: test_emulator_links*
        **overrides,
    )


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory, peer_port: int) -> Iterator[EmbeddedEmulator]:
    config = _config(tmp_path_factory.mktemp("radar-state"), peer_port, radar_versions=["1.0", "1.2", "2.1"])
    with EmbeddedEmulator(config) as emu:
        yield emu


@pytest.fixture(scope="module")
def clients(emulator: EmbeddedEmulator) -> Iterator[dict[str, httpx.Client]]:
    made = {role: httpx.Client(base_url=emulator.http_url, auth=HttpAuth(role, PASSWORDS[role])) for role in PASSWORDS}
    made["anonymous"] = httpx.Client(base_url=emulator.http_url)
    try:
        yield made
    finally:
        for client in made.values():
            client.close()


def call(
    client: httpx.Client, method: str, params: dict[str, Any] | None = None, *, path: str = CGI, **envelope: Any
) -> httpx.Response:
    body: dict[str, Any] = {"apiVersion": "1.0", "method": method, **envelope}
    if params is not None:
        body["params"] = params
    return client.post(path, json=body)


def error_code(response: httpx.Response) -> int:
    return int(response.json()["error"]["code"])


@pytest.fixture()
def radar(clients: dict[str, httpx.Client]) -> Iterator[httpx.Client]:
    """Admin client on an unconfigured radar API; deactivates and clears afterwards."""
    admin = clients["admin"]
    assert call(admin, "getRadarConnection").json()["data"]["state"] == "not-configured"
    yield admin
    call(admin, "setActive", {"active": False})
    assert "data" in call(admin, "clearConfiguration").json()


CONNECTION = {"address": PEER_HOST, "user": "radar", "password": "radar-secret", "tls": False, "tls-verify": False}


def wait_state(client: httpx.Client, state: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        seen = call(client, "getRadarConnection").json()["data"]["state"]
        if seen == state:
            break
        time.sleep(0.02)
    return seen


# methods


@pytest.mark.parametrize("path", [CGI, BARE])
def test_the_full_cycle_works_on_both_paths(radar: httpx.Client, path: str) -> None:
    response = call(radar, "setRadarConnection", CONNECTION, path=path, context="ctx")
    assert response.status_code == 200
    assert response.json() == {"apiVersion": "1.2", "context": "ctx", "method": "setRadarConnection", "data": {}}
    data = call(radar, "getRadarConnection", path=path).json()["data"]
    assert data == {"address": PEER_HOST, "user": "radar", "state": "not-active", "tls": False, "tls-verify": False}
    assert call(radar, "getActive", path=path).json()["data"] == {"active": False}
    assert call(radar, "setActive", {"active": True}, path=path).json()["data"] == {}
    assert call(radar, "getActive", path=path).json()["data"] == {"active": True}
    assert wait_state(radar, "ok") == "ok"
    assert call(radar, "setActive", {"active": True}, path=path).json()["data"] == {}  # same state succeeds
    assert call(radar, "setActive", {"active": False}, path=path).json()["data"] == {}
    assert call(radar, "clearConfiguration", path=path).json()["data"] == {}
    assert call(radar, "getRadarConnection", path=path).json()["data"]["state"] == "not-configured"


def test_password_is_never_returned(radar: httpx.Client) -> None:
    call(radar, "setRadarConnection", CONNECTION)
    assert "radar-secret" not in call(radar, "getRadarConnection").text


@pytest.mark.parametrize("context", ["text", 7, None, {"a": [1, 2]}, ["x"]])
def test_context_is_echoed_whatever_its_json_value(radar: httpx.Client, context: Any) -> None:
    assert call(radar, "getSupportedVersions", context=context).json()["context"] == context
    assert call(radar, "nosuchMethod", context=context).json()["context"] == context


def test_no_context_means_no_context_in_the_answer(radar: httpx.Client) -> None:
    assert "context" not in call(radar, "getSupportedVersions").json()


def test_supported_versions_list_each_major_with_its_highest_minor(radar: httpx.Client) -> None:
    response = radar.post(CGI, json={"method": "getSupportedVersions"})
    assert response.json()["data"] == {"apiVersions": ["1.2", "2.1"]}
    assert response.json()["apiVersion"] == "2.1"


@pytest.mark.parametrize(("requested", "answered"), [("1.0", "1.2"), ("1.7", "1.2"), ("2.0", "2.1")])
def test_answer_keeps_the_major_with_the_highest_minor(radar: httpx.Client, requested: str, answered: str) -> None:
    assert radar.post(CGI, json={"apiVersion": requested, "method": "getActive"}).json()["apiVersion"] == answered


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"apiVersion": "3.0", "method": "getSupportedVersions"}, 2100),
        ({"apiVersion": "3.0", "method": "getRadarConnection"}, 2100),
        ({"apiVersion": "1", "method": "getRadarConnection"}, 2104),
        ({"apiVersion": 1.0, "method": "getRadarConnection"}, 2104),
        ({"method": "getRadarConnection"}, 2103),
        ({"apiVersion": "1.0"}, 2103),
        ({"apiVersion": "1.0", "method": 5}, 2104),
        ({"apiVersion": "1.0", "method": "doSomething"}, 2102),
        ({"apiVersion": "1.0", "method": "setActive"}, 2103),
        ({"apiVersion": "1.0", "method": "setActive", "params": {"active": "yes"}}, 2104),
        ({"apiVersion": "1.0", "method": "setActive", "params": []}, 2104),
        ({"apiVersion": "1.0", "method": "getActive"}, 2201),
        ({"apiVersion": "1.0", "method": "setActive", "params": {"active": True}}, 2201),
    ],
)
def test_api_errors_come_with_http_200(radar: httpx.Client, body: dict[str, Any], code: int) -> None:
    response = radar.post(CGI, json=body)
    assert response.status_code == 200
    assert error_code(response) == code
    assert isinstance(response.json()["apiVersion"], str)
    assert "data" not in response.json()


def test_unsupported_major_echoes_the_requested_version(radar: httpx.Client) -> None:
    assert radar.post(CGI, json={"apiVersion": "3.0", "method": "getActive"}).json()["apiVersion"] == "3.0"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({k: v for k, v in CONNECTION.items() if k != "address"}, 2103),
        ({k: v for k, v in CONNECTION.items() if k != "user"}, 2103),
        ({k: v for k, v in CONNECTION.items() if k != "password"}, 2103),
        ({**CONNECTION, "password": ""}, 2104),
        ({**CONNECTION, "password": "p" * 65}, 2104),
        ({**CONNECTION, "address": "not valid"}, 2104),
        ({**CONNECTION, "address": 5}, 2104),
        ({**CONNECTION, "tls": "false"}, 2104),
        ({**CONNECTION, "tls-verify": 0}, 2104),
        ({**CONNECTION, "tls-certificate-cn": 3}, 2104),
    ],
)
def test_bad_connection_parameters(radar: httpx.Client, params: dict[str, Any], code: int) -> None:
    assert error_code(call(radar, "setRadarConnection", params)) == code
    assert call(radar, "getRadarConnection").json()["data"]["state"] == "not-configured"


def test_password_of_64_characters_is_accepted(radar: httpx.Client) -> None:
    assert "data" in call(radar, "setRadarConnection", {**CONNECTION, "password": "ö" * 64}).json()


def test_both_revisions_tls_fields_are_accepted(radar: httpx.Client) -> None:
    params = {**CONNECTION, "tls": True, "tls-verify": True, "tls-certificate-cn": "radar.example"}
    assert "data" in call(radar, "setRadarConnection", params).json()
    data = call(radar, "getRadarConnection").json()["data"]
    assert data["tls"] is True and data["tls-verify"] is True and "tls-certificate-cn" not in data


def test_set_and_clear_while_active_are_2200(radar: httpx.Client) -> None:
    call(radar, "setRadarConnection", CONNECTION)
    call(radar, "setActive", {"active": True})
    assert error_code(call(radar, "setRadarConnection", CONNECTION)) == 2200
    assert error_code(call(radar, "clearConfiguration")) == 2200


def test_clear_without_configuration_succeeds(radar: httpx.Client) -> None:
    assert call(radar, "clearConfiguration").json()["data"] == {}


def test_unreachable_or_undialable_radar_is_connect_failed_and_unknown_name_address_failed(radar: httpx.Client) -> None:
    call(radar, "setRadarConnection", {**CONNECTION, "address": "127.0.0.3"})
    call(radar, "setActive", {"active": True})
    assert wait_state(radar, "connect-failed") == "connect-failed"
    call(radar, "setActive", {"active": False})
    call(radar, "setRadarConnection", {**CONNECTION, "address": "radar.invalid"})
    call(radar, "setActive", {"active": True})
    assert wait_state(radar, "address-failed") == "address-failed"
    call(radar, "setActive", {"active": False})
    call(radar, "setRadarConnection", {**CONNECTION, "address": "192.0.2.10"})
    call(radar, "setActive", {"active": True})
    assert wait_state(radar, "connect-failed") == "connect-failed"


# transport errors


def test_invalid_json_is_400_2101(radar: httpx.Client) -> None:
    for content in (b"{", b"[1]", b"\xff"):
        response = radar.post(CGI, content=content)
        assert response.status_code == 400 and error_code(response) == 2101


@pytest.mark.parametrize("verb", ["GET", "PUT", "DELETE", "PATCH"])
def test_other_http_methods_are_405_2107(radar: httpx.Client, verb: str) -> None:
    response = radar.request(verb, CGI)
    assert response.status_code == 405 and error_code(response) == 2107
    assert response.headers["allow"] == "POST"


def test_body_over_64_kib_is_413_2107(radar: httpx.Client) -> None:
    big = json.dumps({"apiVersion": "1.0", "method": "getActive", "context": "x" * 70000}).encode()
    response = radar.post(CGI, content=big)
    assert response.status_code == 413 and error_code(response) == 2107


def test_body_just_under_the_limit_is_read(radar: httpx.Client) -> None:
    body = {"apiVersion": "1.0", "method": "getSupportedVersions", "context": ""}
    body["context"] = "x" * (64 * 1024 - len(json.dumps(body)))
    content = json.dumps(body).encode()
    assert len(content) == 64 * 1024
    assert radar.post(CGI, content=content).status_code == 200


def test_chunked_body_without_length_is_411_2107(radar: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"apiVersion": "1.0", '
        yield b'"method": "getActive"}'

    response = radar.post(CGI, content=chunks())
    assert response.status_code == 411 and error_code(response) == 2107


def test_no_credentials_is_401_2106_with_digest(clients: dict[str, httpx.Client]) -> None:
    response = call(clients["anonymous"], "getSupportedVersions")
    assert response.status_code == 401 and error_code(response) == 2106
    assert response.headers["www-authenticate"].startswith("Digest ")


@pytest.mark.parametrize(
    ("role", "method", "allowed"),
    [
        ("viewer", "getSupportedVersions", True),
        ("viewer", "getRadarConnection", False),
        ("viewer", "getActive", False),
        ("operator", "getRadarConnection", True),
        ("operator", "getActive", True),
        ("operator", "setRadarConnection", False),
        ("operator", "setActive", False),
        ("operator", "clearConfiguration", False),
        ("viewer", "clearConfiguration", False),
    ],
)
def test_roles(radar: httpx.Client, clients: dict[str, httpx.Client], role: str, method: str, allowed: bool) -> None:
    call(radar, "setRadarConnection", CONNECTION)
    params = {"setActive": {"active": False}, "setRadarConnection": CONNECTION}.get(method)
    response = call(clients[role], method, params)
    if allowed:
        assert response.status_code == 200 and "data" in response.json()
    else:
        assert response.status_code == 403 and error_code(response) == 2105


def test_2026_revision_answers_the_certificate_common_name(tmp_path: Any, peer_port: int) -> None:
    with EmbeddedEmulator(_config(tmp_path, peer_port, radar_revision="2026-01")) as emu:
        with httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORDS["admin"])) as admin:
            assert call(admin, "getRadarConnection").json()["data"] == {
                "address": "",
                "user": "",
                "state": "not-configured",
                "tls-certificate-cn": "",
            }
            params = {"address": PEER_HOST, "user": "r", "password": "p", "tls-certificate-cn": "radar.example"}
            assert "data" in call(admin, "setRadarConnection", params).json()
            data = call(admin, "getRadarConnection").json()["data"]
            assert data["tls-certificate-cn"] == "radar.example" and "tls" not in data


# discovery and device info


def test_api_discovery_lists_the_radar_api(clients: dict[str, httpx.Client]) -> None:
    response = clients["anonymous"].post(
        "/axis-cgi/apidiscovery.cgi", json={"apiVersion": "1.0", "method": "getApiList"}
    )
    assert response.status_code == 200
    api_list = response.json()["data"]["apiList"]
    assert {entry["id"] for entry in api_list} == {"network-radar-pairing", "basic-device-info", "api-discovery"}
    radar = next(entry for entry in api_list if entry["id"] == "network-radar-pairing")
    assert set(radar) == {"id", "version", "status", "docLink", "name"} and radar["version"] == "2.1"
    assert "camera-pairing" not in {entry["id"] for entry in api_list}


def test_dca_discovery_lists_camera_pairing(clients: dict[str, httpx.Client]) -> None:
    admin = clients["admin"]
    body = admin.get("/config/discover").json()
    assert body["status"] == "success" and body["data"]["framework_version"] == "1.0.0"
    entry = body["data"]["apis"]["camera-pairing"]["v1"]
    assert entry == admin.get("/config/discover/apis/camera-pairing/v1").json()["data"]
    assert entry["rest_api"] == "/config/rest/camera-pairing/v1beta"
    assert entry["state"] == "beta" and entry["version"] == "1.0.0-beta.1"
    assert entry["model"].endswith("/model.json") and entry["openapi"].endswith("/openapi.json")
    doc = admin.get(entry["doc"])
    assert doc.status_code == 200 and doc.headers["content-type"].startswith("text/markdown")
    assert admin.get("/config/discover/apis/other/v1").status_code == 404
    assert clients["anonymous"].get("/config/discover").status_code == 401


@pytest.mark.parametrize(("link", "builder"), [("model", "model_document"), ("openapi", "openapi_document")])
def test_model_and_openapi_documents_come_from_the_schemas(
    clients: dict[str, httpx.Client], link: str, builder: str
) -> None:
    admin = clients["admin"]
    url = admin.get("/config/discover/apis/camera-pairing/v1").json()["data"][link]
    response = admin.get(url)
    try:
        from paircert import schemas
    except ImportError:
        assert response.status_code == 500 and response.json()["status"] == "error"
        return
    assert response.status_code == 200 and response.json() == getattr(schemas, builder)()


EXPECTED_PROPERTIES = {
    "Architecture", "Brand", "BuildDate", "HardwareID", "ProdFullName", "ProdNbr", "ProdShortName",
    "ProdType", "ProdVariant", "SerialNumber", "Soc", "SocSerialNumber", "Version", "WebURL",
}  # fmt: skip


def test_device_info_serves_the_whole_property_set(clients: dict[str, httpx.Client]) -> None:
    path = "/axis-cgi/basicdeviceinfo.cgi"
    response = clients["viewer"].post(path, json={"apiVersion": "1.0", "method": "getAllProperties"})
    assert set(response.json()["data"]["propertyList"]) == EXPECTED_PROPERTIES
    anonymous = clients["anonymous"]
    unrestricted = anonymous.post(path, json={"apiVersion": "1.0", "method": "getAllUnrestrictedProperties"})
    assert unrestricted.status_code == 200
    assert {"ProdNbr", "ProdFullName", "SerialNumber"} <= set(unrestricted.json()["data"]["propertyList"])
    denied = anonymous.post(path, json={"apiVersion": "1.0", "method": "getAllProperties"})
    assert denied.status_code == 401 and denied.headers["www-authenticate"].startswith("Digest ")
    some = clients["viewer"].post(
        path, json={"apiVersion": "1.0", "method": "getProperties", "params": {"propertyList": ["ProdNbr"]}}
    )
    assert some.json()["data"]["propertyList"] == {"ProdNbr": "PAIRCERT-EMU"}
    versions = anonymous.post(path, json={"method": "getSupportedVersions"})
    assert versions.json()["data"]["apiVersions"]
