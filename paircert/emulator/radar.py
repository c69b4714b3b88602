"""The network radar pairing JSON CGI, served at both paths the documents and convention imply.

Transport faults (bad JSON, length, size, HTTP method, role) answer with their HTTP status and the
radar code from the error table; everything the API itself rejects answers HTTP 200 with the
error envelope, as Axis JSON CGIs do. The request's ``context`` is echoed whatever JSON value it
is, and ``apiVersion`` is answered as the requested major with the highest minor supported.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .auth import has_role
from .body import BodyError, parse_json, read_body
from .config import RadarRevision, Role
from .device import Device
from .envelopes import RADAR_TRANSPORT, UNSET, json_response, radar_envelope
from .model import Conflict, RadarConfig
from .validation import classify_address

__all__ = ["METHOD_ROLES", "RadarApi", "supported_versions"]

_ALL: tuple[Role, ...] = ("admin", "operator", "viewer")
_READERS: tuple[Role, ...] = ("admin", "operator")
_ADMIN: tuple[Role, ...] = ("admin",)

METHOD_ROLES: dict[str, tuple[Role, ...]] = {
    "getRadarConnection": _READERS,
    "setRadarConnection": _ADMIN,
    "clearConfiguration": _ADMIN,
    "getActive": _READERS,
    "setActive": _ADMIN,
    "getSupportedVersions": _ALL,
}

_VERSION = re.compile(r"^([0-9]+)\.([0-9]+)$")
_STRING_LIMIT = 64


class _Reject(Exception):
    """An API-level error: answered with HTTP 200 unless ``status`` says otherwise."""

    def __init__(self, code: int, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def supported_versions(versions: list[str]) -> dict[int, int]:
    """Highest supported minor per supported major."""
    best: dict[int, int] = {}
    for text in versions:
        match = _VERSION.match(text)
        if match is None:
            raise ValueError(f"radar version {text!r} is not <major>.<minor>")
        major, minor = int(match.group(1)), int(match.group(2))
        best[major] = max(minor, best.get(major, minor))
    return best


def _string(params: dict[str, Any], name: str, *, required: bool, minimum: int = 0) -> str | None:
    if name not in params:
        if required:
            raise _Reject(2103, "Required parameter missing.")
        return None
    value = params[name]
    if not isinstance(value, str) or not minimum <= len(value) <= _STRING_LIMIT:
        raise _Reject(2104, "Invalid parameter value specified.")
    return value


def _boolean(params: dict[str, Any], name: str, *, required: bool) -> bool | None:
    if name not in params:
        if required:
            raise _Reject(2103, "Required parameter missing.")
        return None
    value = params[name]
    if not isinstance(value, bool):
        raise _Reject(2104, "Invalid parameter value specified.")
    return value


class RadarApi:
    def __init__(self, device: Device, *, revision: RadarRevision, versions: list[str]) -> None:
        self.device = device
        self.revision = revision
        self.versions = supported_versions(versions)
        top = max(self.versions)
        self.default_version = f"{top}.{self.versions[top]}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self._handle(Request(scope, receive))
        await response(scope, receive, send)

    def _transport(self, status: int, headers: dict[str, str] | None = None) -> Response:
        body = radar_envelope(self.default_version, error=RADAR_TRANSPORT[status])
        return json_response(body, status, headers)

    async def _handle(self, request: Request) -> Response:
        if request.method != "POST":
            return self._transport(405, {"Allow": "POST"})
        try:
            raw = await read_body(request)
        except BodyError as exc:
            return self._transport(exc.status)
        try:
            body = parse_json(raw)
        except (ValueError, UnicodeDecodeError):
            return self._transport(400)
        if not isinstance(body, dict):
            return self._transport(400)
        context = body.get("context", UNSET)
        method = body.get("method", UNSET)
        echo_method = method if isinstance(method, str) else UNSET
        version = self._answer_version(body.get("apiVersion", UNSET))
        try:
            data = await self._call(request, body, method)
        except _Reject as reject:
            envelope = radar_envelope(version, context=context, method=echo_method, error=(reject.code, reject.message))
            return json_response(envelope, reject.status)
        return json_response(radar_envelope(version, context=context, method=echo_method, data=data))

    def _answer_version(self, requested: Any) -> str:
        if not isinstance(requested, str):
            return self.default_version
        match = _VERSION.match(requested)
        if match is None or int(match.group(1)) not in self.versions:
            return requested
        major = int(match.group(1))
        return f"{major}.{self.versions[major]}"

    def _check_version(self, requested: Any, method: str) -> None:
        if requested is UNSET:
            if method == "getSupportedVersions":
                return
            raise _Reject(2103, "Required parameter missing.")
        match = _VERSION.match(requested) if isinstance(requested, str) else None
        if match is None:
            raise _Reject(2104, "Invalid parameter value specified.")
        if int(match.group(1)) not in self.versions:
            raise _Reject(2100, "API version not supported.")

    async def _call(self, request: Request, body: dict[str, Any], method: Any) -> Any:
        if method is UNSET:
            raise _Reject(2103, "Required parameter missing.")
        if not isinstance(method, str):
            raise _Reject(2104, "Invalid parameter value specified.")
        if method not in METHOD_ROLES:
            raise _Reject(2102, "Method not supported.")
        if not has_role(request.scope, METHOD_ROLES[method]):
            raise _Reject(*RADAR_TRANSPORT[403], status=403)
        self._check_version(body.get("apiVersion", UNSET), method)
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise _Reject(2104, "Invalid parameter value specified.")
        try:
            return await self._run(method, params)
        except Conflict as conflict:
            raise _Reject(conflict.code, conflict.message) from None

    async def _run(self, method: str, params: dict[str, Any]) -> Any:
        model = self.device.model
        if method == "getSupportedVersions":
            return {"apiVersions": [f"{major}.{minor}" for major, minor in sorted(self.versions.items())]}
        if method == "getRadarConnection":
            return self._connection()
        if method == "setRadarConnection":
            self.device.set_radar(self._parse_connection(params))
            return {}
        if method == "clearConfiguration":
            self.device.clear_radar()
            return {}
        if method == "getActive":
            return {"active": model.get_radar_active()}
        active = _boolean(params, "active", required=True)
        assert active is not None
        await self.device.set_radar_active(active)
        return {}

    def _parse_connection(self, params: dict[str, Any]) -> RadarConfig:
        address = _string(params, "address", required=True)
        user = _string(params, "user", required=True)
        password = _string(params, "password", required=True, minimum=1)
        assert address is not None and user is not None and password is not None
        tls = _boolean(params, "tls", required=False)
        tls_verify = _boolean(params, "tls-verify", required=False)
        common_name = _string(params, "tls-certificate-cn", required=False)
        if classify_address(address) is None:
            raise _Reject(2104, "Invalid parameter value specified.")
        return RadarConfig(
            address=address,
            user=user,
            password=password,
            tls=bool(tls),
            tls_verify=bool(tls_verify),
            tls_certificate_cn=common_name or "",
        )

    def _connection(self) -> dict[str, Any]:
        radar = self.device.model.radar
        data: dict[str, Any] = {
            "address": radar.address if radar else "",
            "user": radar.user if radar else "",
            "state": self.device.model.radar_state(),
        }
        if self.revision == "2026-01":
            data["tls-certificate-cn"] = radar.tls_certificate_cn if radar else ""
        else:
            data["tls"] = radar.tls if radar else False
            data["tls-verify"] = radar.tls_verify if radar else False
        return data
