"""What the device says it offers (DCA discovery, VAPIX API discovery) and who it is."""

from __future__ import annotations

from typing import Any

import httpx

from paircert.clients.response import ApiResponse, perform
from paircert.clients.transcript import Transcript
from paircert.vapix.paths import APIDISCOVERY_PATH as API_DISCOVERY_CGI
from paircert.vapix.paths import DCA_DISCOVER_ROOT as DCA_DISCOVER
from paircert.vapix.paths import DEVICEINFO_PATH as BASIC_DEVICE_INFO_CGI

__all__ = ["DeviceInfoClient", "DiscoveryClient"]


def _cgi(http: httpx.Client, transcript: Transcript, path: str, method: str) -> ApiResponse:
    body = {"apiVersion": "1.0", "method": method}
    return perform(http, transcript, "cgi", "POST", path, json=body)


def _dca_apis(resp: ApiResponse) -> Any:
    """``apis`` of ``/config/discover``, enveloped in ``data`` or not (the page shows it bare)."""
    body: dict[str, Any] = resp.json if isinstance(resp.json, dict) else {}
    data = body.get("data")
    inner = data if isinstance(data, dict) else body
    return inner.get("apis")


class DiscoveryClient:
    def __init__(self, http: httpx.Client, transcript: Transcript) -> None:
        self.http = http
        self.transcript = transcript

    def dca_discover(self) -> ApiResponse:
        return perform(self.http, self.transcript, "dca", "GET", DCA_DISCOVER)

    def dca_api(self, api_id: str, major: int) -> ApiResponse:
        return perform(self.http, self.transcript, "dca", "GET", f"{DCA_DISCOVER}/apis/{api_id}/v{major}")

    def api_list(self) -> ApiResponse:
        return _cgi(self.http, self.transcript, API_DISCOVERY_CGI, "getApiList")

    def offers_dca_api(self, api_id: str) -> bool:
        resp = self.dca_discover()
        if resp.status_code != 200:
            return False
        apis = _dca_apis(resp)
        if isinstance(apis, dict):
            return api_id in apis
        if isinstance(apis, list):
            return any(isinstance(a, dict) and api_id in (a.get("id"), a.get("name")) for a in apis)
        return False

    def offers_cgi_api(self, api_id: str) -> bool:
        resp = self.api_list()
        entries = resp.data.get("apiList") if resp.ok and isinstance(resp.data, dict) else None
        return isinstance(entries, list) and any(isinstance(e, dict) and e.get("id") == api_id for e in entries)


class DeviceInfoClient:
    """Basic device information (``basic-device-info``): identity for reports and preflight."""

    def __init__(self, http: httpx.Client, transcript: Transcript) -> None:
        self.http = http
        self.transcript = transcript

    def get_all_properties(self) -> ApiResponse:
        return _cgi(self.http, self.transcript, BASIC_DEVICE_INFO_CGI, "getAllProperties")

    def get_all_unrestricted_properties(self) -> ApiResponse:
        return _cgi(self.http, self.transcript, BASIC_DEVICE_INFO_CGI, "getAllUnrestrictedProperties")
