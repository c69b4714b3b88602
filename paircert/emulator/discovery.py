"""How a client finds the APIs: DCA discovery under ``/config/discover`` and the classic
``/axis-cgi/apidiscovery.cgi``. The camera pairing API is listed only in the first (as on real
firmware), the radar and device info CGIs only in the second.

``model.json`` and ``openapi.json`` come from ``paircert.schemas``, imported when asked for, so the
emulator runs (and reports a 500 for those two documents only) when that module is absent.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..vapix.cgi import CgiCall, JsonCgi
from ..vapix.paths import APIDISCOVERY_PATH
from ..vapix.paths import CAMERA_API_ROOT as API_ROOT
from ..vapix.paths import DCA_DISCOVER_ROOT as DISCOVER_ROOT
from .deviceinfo import VERSION as DEVICEINFO_VERSION
from .envelopes import ApiError, dca_error, dca_success, json_response
from .faults import NO_FAULTS, FaultSet
from .jsoncgi import serve_json_cgi

__all__ = ["APIDISCOVERY_PATH", "DISCOVER_ROOT", "ApiDiscovery", "DcaDiscovery", "camera_pairing_entry"]

FRAMEWORK_VERSION = "1.0.0"
CAMERA_API_ID = "camera-pairing"
CAMERA_API_VERSION = "1.0.0-beta.1"

_DOC = f"""# Edge-to-edge camera pairing API ({CAMERA_API_VERSION})

Served by the paircert reference emulator. REST root: `{API_ROOT}`.

- `GET {API_ROOT}`: everything below the root.
- `GET|POST {API_ROOT}/camerapairings`: list; ADD (admin) with address, username, password,
  streamingprotocol, verifycertificate, description.
- `GET|DELETE {API_ROOT}/camerapairings/<id>`; `GET|PATCH .../<id>/<property>`.

Error codes: 101 own address, 102 invalid address, 104 maximum pairings reached,
106 lost connection, 107 unauthorized streaming, 108 could not connect.
"""


def camera_pairing_entry() -> dict[str, Any]:
    base = f"{DISCOVER_ROOT}/apis/{CAMERA_API_ID}/v1"
    return {
        "model": f"{base}/model.json",
        "openapi": f"{base}/openapi.json",
        "doc": f"{base}/doc.md",
        "rest_api": API_ROOT,
        "state": "beta",
        "version": CAMERA_API_VERSION,
    }


def _document(name: str, faults: FaultSet) -> Response:
    from .. import schemas  # lazy: written in parallel, and only these two documents need it

    if name == "model.json" and faults.active("model-json-not-json"):
        return Response(_DOC, media_type="text/markdown; charset=utf-8")
    if name == "model.json":
        return json_response(schemas.model_document())
    return json_response(schemas.openapi_document())


class DcaDiscovery:
    """``/config/discover{rest:path}``: the list, one API's entry, and that API's documents."""

    def __init__(self, *, in_envelope: bool = True, faults: FaultSet = NO_FAULTS) -> None:
        self.in_envelope = in_envelope
        self.faults = faults

    def _entry(self) -> dict[str, Any]:
        entry = camera_pairing_entry()
        if self.faults.active("discover-links-without-openapi"):
            del entry["openapi"]
        return entry

    def _answer(self, document: dict[str, Any]) -> Response:
        return dca_success(document) if self.in_envelope else json_response(document)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = self._dispatch(request)
        except ApiError as error:
            response = dca_error(error.status, error.code, error.message, error.headers)
        await response(scope, receive, send)

    def _dispatch(self, request: Request) -> Response:
        parts = [part for part in request.path_params.get("rest", "").split("/") if part]
        if request.method != "GET":
            raise ApiError.framework(405, headers={"Allow": "GET"})
        if not parts:
            listing: dict[str, Any] = {
                "framework_version": FRAMEWORK_VERSION,
                "apis": {CAMERA_API_ID: {"v1": self._entry()}},
            }
            if self.faults.active("discover-without-framework-version"):
                del listing["framework_version"]
            return self._answer(listing)
        if parts[:3] != ["apis", CAMERA_API_ID, "v1"] or len(parts) > 4:
            raise ApiError.framework(404)
        if len(parts) == 3:
            return self._answer(self._entry())
        if parts[3] == "doc.md":
            return Response(_DOC, media_type="text/markdown; charset=utf-8")
        if parts[3] in ("model.json", "openapi.json"):
            return _document(parts[3], self.faults)
        raise ApiError.framework(404)


class ApiDiscovery:
    def __init__(self, radar_version: str, *, doc_links: bool = True, faults: FaultSet = NO_FAULTS) -> None:
        self.api_list = [
            {
                "id": "network-radar-pairing",
                "version": radar_version,
                "status": "official",
                "name": "Network Radar Pairing",
                "docLink": "https://developer.axis.com/vapix/radar/network-radar-pairing/",
            },
            {
                "id": "basic-device-info",
                "version": DEVICEINFO_VERSION,
                "status": "official",
                "name": "Basic Device Information",
                "docLink": "https://developer.axis.com/vapix/network-video/basic-device-information/",
            },
            {
                "id": "api-discovery",
                "version": "1.0",
                "status": "official",
                "name": "API Discovery Service",
                "docLink": "https://developer.axis.com/vapix/network-video/api-discovery-service/",
            },
        ]
        if not doc_links:
            self.api_list = [{**entry, "docLink": ""} for entry in self.api_list]
        if faults.active("radar-not-listed"):
            self.api_list = [entry for entry in self.api_list if entry["id"] != "network-radar-pairing"]
        self.keyed = faults.active("apilist-keyed-by-id")
        self.methods = {"getApiList": self._list, "getSupportedVersions": self._versions}
        self.cgi = JsonCgi(["1.0"], self.methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await serve_json_cgi(Request(scope, receive), self.cgi, self.methods)
        await response(scope, receive, send)

    async def _list(self, call: CgiCall) -> Any:
        if self.keyed:
            return {"apiList": {entry["id"]: dict(entry) for entry in self.api_list}}
        return {"apiList": [dict(entry) for entry in self.api_list]}

    async def _versions(self, call: CgiCall) -> Any:
        return {"apiVersions": self.cgi.supported()}
