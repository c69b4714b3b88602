"""API clients build the documented requests and read the answers (over httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from paircert.clients import (
    API_ROOT,
    RADAR_PATHS,
    ApiResponse,
    CameraPairingClient,
    DcaClient,
    DiscoveryClient,
    RadarClient,
    Transcript,
    open_client,
)

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> tuple[httpx.Client, Transcript]:
    transcript = Transcript()
    return open_client(
        "http://device.test", None, transcript=transcript, transport=httpx.MockTransport(handler)
    ), transcript


def test_api_response_accessors_follow_the_envelope_style() -> None:
    seen: list[ApiResponse] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return {
            "/ok": httpx.Response(201, json={"status": "success", "data": {"id": "x"}}),
            "/err": httpx.Response(400, json={"status": "error", "error": {"code": 102, "message": "bad address"}}),
            "/text": httpx.Response(500, text="oops"),
            "/cgi-ok": httpx.Response(200, json={"apiVersion": "1.0", "method": "m", "data": {}}),
            "/cgi-err": httpx.Response(
                200, json={"apiVersion": "1.0", "method": "m", "error": {"code": 2201, "message": "m"}}
            ),
        }[request.url.path]

    http, transcript = client(handler)
    with http:
        dca = DcaClient(http, transcript)
        seen += [dca.get("/ok"), dca.get("/err"), dca.get("/text")]
        radar = RadarClient(http, transcript, "/cgi-ok")
        seen.append(radar.get_active())
        radar.path = "/cgi-err"
        seen.append(radar.get_active())
    ok, err, text, cgi_ok, cgi_err = seen
    assert ok.ok and ok.data == {"id": "x"} and ok.error_code is None
    assert not err.ok and err.error_code == 102 and err.error_message == "bad address" and err.status_code == 400
    assert not text.ok and text.json is None and text.text == "oops" and text.data is None
    assert cgi_ok.ok and cgi_ok.data == {}
    assert not cgi_err.ok and cgi_err.error_code == 2201 and cgi_err.status_code == 200
    assert "oops" not in repr(text)


def test_radar_probe_tries_axis_cgi_first_then_the_bare_path() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == RADAR_PATHS[0]:
            return httpx.Response(404, json={"status": "error", "error": {"code": 404, "message": "not found"}})
        body = json.loads(request.content)
        return httpx.Response(
            200, json={"apiVersion": "1.0", "method": body["method"], "data": {"apiVersions": ["1.0"]}}
        )

    http, transcript = client(handler)
    with http:
        radar = RadarClient(http, transcript)
        assert radar.probe() == RADAR_PATHS[1]
    assert asked == list(RADAR_PATHS)
    assert radar.path == RADAR_PATHS[1] and radar.probed == [(RADAR_PATHS[0], 404), (RADAR_PATHS[1], 200)]


def test_radar_probe_stops_at_the_first_path_that_answers_and_reports_none_when_neither_does() -> None:
    http, transcript = client(
        lambda r: httpx.Response(200, json={"apiVersion": "1.0", "error": {"code": 2100, "message": "v"}})
    )
    with http:
        assert RadarClient(http, transcript).probe() == RADAR_PATHS[0]
    http, transcript = client(lambda r: httpx.Response(404, text="no"))
    with http:
        radar = RadarClient(http, transcript)
        assert radar.probe() is None and len(radar.probed) == 2


def test_radar_envelopes_are_built_as_documented() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"apiVersion": "1.0", "data": {}})

    http, transcript = client(handler)
    with http:
        radar = RadarClient(http, transcript, RADAR_PATHS[1])
        radar.set_radar_connection("192.0.2.10", "john", "doe-secret", tls=True, tls_verify=False)
        radar.get_supported_versions(api_version=None)
        radar.call("getActive", context="ctx", extra={"apiVersion": 2})
        radar.set_active(True)
    assert bodies[0] == {
        "apiVersion": "1.0",
        "method": "setRadarConnection",
        "params": {"address": "192.0.2.10", "user": "john", "password": "doe-secret", "tls": True, "tls-verify": False},
    }
    assert bodies[1] == {"method": "getSupportedVersions"}
    assert bodies[2] == {"apiVersion": 2, "context": "ctx", "method": "getActive"}
    assert bodies[3]["params"] == {"active": True}
    assert "doe-secret" not in transcript.render()


def test_camera_pairing_paths_bodies_and_tracking() -> None:
    calls: list[tuple[str, str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((request.method, request.url.raw_path.decode(), request.content))
        if request.method == "POST":
            return httpx.Response(201, json={"status": "success", "data": {"id": "CameraPairing-1-2"}})
        return httpx.Response(200, json={"status": "success"})

    http, transcript = client(handler)
    with http:
        camera = CameraPairingClient(DcaClient(http, transcript, set_method="PUT"))
        camera.add({"address": "a", "password": "p"})
        assert camera.created == ["CameraPairing-1-2"]
        camera.set_property("CameraPairing-1-2", "verifycertificate", False)
        camera.set_property_raw("CameraPairing-1-2", "description", b"x", "text/plain")
        camera.get_property("id/with slash", "status")
        camera.remove("CameraPairing-1-2")
    item = f"{API_ROOT}/camerapairings/CameraPairing-1-2"
    assert calls[0] == ("POST", f"{API_ROOT}/camerapairings", b'{"data":{"address":"a","password":"p"}}')
    assert calls[1] == ("PUT", f"{item}/verifycertificate", b'{"data":false}')
    assert calls[2] == ("PUT", f"{item}/description", b"x")
    assert calls[3][1] == f"{API_ROOT}/camerapairings/id%2Fwith%20slash/status"
    assert calls[4][:2] == ("DELETE", item) and camera.created == []


@pytest.mark.parametrize(
    ("discover", "offered"),
    [
        ({"framework_version": "1.0.0", "apis": {"camera-pairing": {}}}, True),
        ({"status": "success", "data": {"apis": {"camera-pairing": {}}}}, True),
        ({"apis": {"other": {}}}, False),
    ],
)
def test_discovery_reads_both_envelope_forms(discover: dict[str, object], offered: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/config/discover":
            return httpx.Response(200, json=discover)
        return httpx.Response(200, json={"apiVersion": "1.0", "data": {"apiList": [{"id": "network-radar-pairing"}]}})

    http, transcript = client(handler)
    with http:
        discovery = DiscoveryClient(http, transcript)
        assert discovery.offers_dca_api("camera-pairing") is offered
        assert discovery.offers_cgi_api("network-radar-pairing") and not discovery.offers_cgi_api("x")


def test_dca_client_refuses_unknown_set_methods() -> None:
    http, transcript = client(lambda r: httpx.Response(200))
    with http, pytest.raises(ValueError):
        DcaClient(http, transcript, set_method="POST")
