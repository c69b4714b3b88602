"""The peer's VAPIX identity: ``/axis-cgi/basicdeviceinfo.cgi`` behind Digest, as a device learns it.

``getAllProperties`` and ``getProperties`` need credentials (Digest by default, verified by the
one :mod:`paircert.auth`), ``getAllUnrestrictedProperties`` and ``getSupportedVersions`` answer
anyone. The record of each request notes the JSON method and the authentication scheme.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from paircert.auth import AuthResult, ServerAuth
from paircert.vapix.deviceinfo import DEVICEINFO_PATH, UNRESTRICTED, VERSION

from .httpserver import HttpFaults, HttpRequest, HttpResponse

__all__ = ["DeviceInfoHandler"]

_OPEN_METHODS = ("getAllUnrestrictedProperties", "getSupportedVersions")


def _json(status: int, body: Mapping[str, Any], headers: Sequence[tuple[str, str]] = ()) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, separators=(",", ":")).encode(), headers=list(headers))


class DeviceInfoHandler:
    """Answers the basic device info JSON CGI for one peer account."""

    def __init__(
        self,
        properties: Mapping[str, str],
        *,
        users: Mapping[str, str],
        realm: str,
        schemes: Sequence[str] = ("digest",),
        digest_algorithms: Sequence[str] = ("MD5",),
        faults: HttpFaults,
    ) -> None:
        self.properties = dict(properties)
        self.faults = faults
        self.auth = ServerAuth(realm, users, schemes=schemes, algorithms=digest_algorithms)

    def _envelope(
        self, method: Any, context: Any, *, data: Any = None, error: tuple[int, str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"apiVersion": VERSION}
        if context is not None:
            body["context"] = context
        if isinstance(method, str):
            body["method"] = method
        if error is not None:
            body["error"] = {"code": error[0], "message": error[1]}
        else:
            body["data"] = data
        return body

    def _authenticate(self, request: HttpRequest) -> AuthResult:
        header = request.headers.get("authorization")
        result = self.auth.check(request.method, request.target, header, reject=self.faults.reject_credentials)
        request.record.auth_scheme = result.scheme or request.record.auth_scheme
        return result

    def _challenge(self, method: Any, context: Any, stale: bool) -> HttpResponse:
        challenges = self.auth.challenges(stale)
        body = self._envelope(method, context, error=(2106, "Authentication failed."))
        return _json(401, body, [("WWW-Authenticate", c) for c in challenges])

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != DEVICEINFO_PATH:
            return _json(404, self._envelope(None, None, error=(2107, "Not found.")))
        if request.method != "POST":
            return _json(405, self._envelope(None, None, error=(2107, "Transport level error.")), [("Allow", "POST")])
        if not request.body and "authorization" not in request.headers:
            # An anonymous POST without a body names no method; curl --digest sends one to get the challenge.
            return self._challenge(None, None, False)
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return _json(400, self._envelope(None, None, error=(2101, "Invalid JSON.")))
        method, context = body.get("method"), body.get("context")
        request.record.cgi_method = method if isinstance(method, str) else None
        result = self._authenticate(request)
        request.record.authenticated = result.ok
        if request.headers.get("authorization") and not result.ok:
            return self._challenge(method, context, result.stale)
        if method not in ("getAllProperties", "getProperties", *_OPEN_METHODS):
            return _json(200, self._envelope(method, context, error=(2102, "Method not supported.")))
        if method not in _OPEN_METHODS and not result.ok:
            return self._challenge(method, context, False)
        if method == "getSupportedVersions":
            return _json(200, self._envelope(method, context, data={"apiVersions": [VERSION]}))
        if method == "getAllUnrestrictedProperties":
            data = {"propertyList": {k: self.properties[k] for k in UNRESTRICTED}}
        elif method == "getAllProperties":
            data = {"propertyList": dict(self.properties)}
        else:
            names = (body.get("params") or {}).get("propertyList") if isinstance(body.get("params"), dict) else None
            if not isinstance(names, list) or not all(isinstance(n, str) and n in self.properties for n in names):
                return _json(200, self._envelope(method, context, error=(2104, "Invalid parameter value specified.")))
            data = {"propertyList": {n: self.properties[n] for n in names}}
        return _json(200, self._envelope(method, context, data=data))
