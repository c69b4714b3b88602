"""The network radar pairing API, a VAPIX JSON CGI whose path the documents leave open."""

from __future__ import annotations

import json
from typing import Any

import httpx

from paircert.clients.response import ApiResponse, perform
from paircert.clients.transcript import Transcript
from paircert.vapix.paths import RADAR_PATHS

__all__ = ["RADAR_PATHS", "RadarClient"]


def _answers_like_the_api(resp: ApiResponse) -> bool:
    body = resp.json
    return (
        resp.status_code != 404
        and isinstance(body, dict)
        and ("data" in body or "error" in body)
        and ("method" in body or "apiVersion" in body)
    )


class RadarClient:
    """Builds the ``{apiVersion, context, method, params}`` envelope and posts it.

    ``probe()`` finds which of :data:`RADAR_PATHS` answers; ``probed`` keeps what each path
    answered (path, HTTP status) so the report can say which one the device serves.
    """

    def __init__(self, http: httpx.Client, transcript: Transcript, path: str | None = None) -> None:
        self.http = http
        self.transcript = transcript
        self.path = path
        self.probed: list[tuple[str, int]] = []

    def probe(self) -> str | None:
        for path in RADAR_PATHS:
            resp = self._post(path, {"apiVersion": "1.0", "method": "getSupportedVersions"})
            self.probed.append((path, resp.status_code))
            if _answers_like_the_api(resp):
                self.path = path
                return path
        return None

    def _post(self, path: str, body: dict[str, Any]) -> ApiResponse:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        return perform(self.http, self.transcript, "cgi", "POST", path, content=content, headers=headers)

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        api_version: str | None = "1.0",
        context: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> ApiResponse:
        """One method call; ``api_version=None`` omits it, ``extra`` adds or overrides members."""
        body: dict[str, Any] = {}
        if api_version is not None:
            body["apiVersion"] = api_version
        if context is not None:
            body["context"] = context
        body["method"] = method
        if params is not None:
            body["params"] = params
        body.update(extra or {})
        return self._post(self._path(), body)

    def post_raw(
        self, content: bytes, *, headers: dict[str, str] | None = None, http_method: str = "POST"
    ) -> ApiResponse:
        headers = {"Content-Type": "application/json"} if headers is None else headers
        return perform(self.http, self.transcript, "cgi", http_method, self._path(), content=content, headers=headers)

    def _path(self) -> str:
        if self.path is None and self.probe() is None:
            self.path = RADAR_PATHS[0]
        assert self.path is not None
        return self.path

    def get_radar_connection(self) -> ApiResponse:
        return self.call("getRadarConnection")

    def set_radar_connection(self, address: str, user: str, password: str, **tls_fields: Any) -> ApiResponse:
        """TLS fields by Python name: ``tls``, ``tls_verify``, ``tls_certificate_cn``."""
        params: dict[str, Any] = {"address": address, "user": user, "password": password}
        params.update({name.replace("_", "-"): value for name, value in tls_fields.items()})
        return self.call("setRadarConnection", params)

    def clear_configuration(self) -> ApiResponse:
        return self.call("clearConfiguration")

    def get_active(self) -> ApiResponse:
        return self.call("getActive")

    def set_active(self, active: bool) -> ApiResponse:
        return self.call("setActive", {"active": active})

    def get_supported_versions(self, api_version: str | None = "1.0") -> ApiResponse:
        return self.call("getSupportedVersions", api_version=api_version)
