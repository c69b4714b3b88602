"""Basic device information (``/axis-cgi/basicdeviceinfo.cgi``): who this device says it is.

Clients in the wild read the whole property set, so all of it is served.
``getAllUnrestrictedProperties`` and ``getSupportedVersions`` answer without credentials, the
other methods need an account of any role.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..vapix.deviceinfo import DEVICEINFO_PATH, UNRESTRICTED, VERSION, properties
from .auth import current_user, unauthorized
from .envelopes import RADAR_TRANSPORT, json_response, radar_envelope
from .jsoncgi import CgiCall, CgiError, serve_json_cgi

__all__ = ["DEVICEINFO_PATH", "UNRESTRICTED", "DeviceInfoApi", "properties"]


class DeviceInfoApi:
    def __init__(self) -> None:
        self.properties = properties()
        self.methods = {
            "getAllProperties": self._all,
            "getAllUnrestrictedProperties": self._unrestricted,
            "getProperties": self._some,
            "getSupportedVersions": self._versions,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await serve_json_cgi(Request(scope, receive), VERSION, self.methods)
        await response(scope, receive, send)

    async def _all(self, call: CgiCall) -> Any:
        if current_user(call.request.scope) is None:
            return self._challenge(call)
        return {"propertyList": dict(self.properties)}

    async def _unrestricted(self, call: CgiCall) -> Any:
        return {"propertyList": {name: self.properties[name] for name in UNRESTRICTED}}

    async def _some(self, call: CgiCall) -> Any:
        if current_user(call.request.scope) is None:
            return self._challenge(call)
        names = call.params.get("propertyList")
        if names is None:
            raise CgiError(2103, "Required parameter missing.")
        if not isinstance(names, list) or not all(isinstance(n, str) and n in self.properties for n in names):
            raise CgiError(2104, "Invalid parameter value specified.")
        return {"propertyList": {name: self.properties[name] for name in names}}

    async def _versions(self, call: CgiCall) -> Any:
        return {"apiVersions": [VERSION]}

    @staticmethod
    def _challenge(call: CgiCall) -> Any:
        body = radar_envelope(VERSION, method=call.method, error=RADAR_TRANSPORT[401])
        return unauthorized(call.request.scope, json_response(body, 401))
