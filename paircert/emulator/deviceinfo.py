"""Basic device information (``/axis-cgi/basicdeviceinfo.cgi``): who this device says it is.

The CGI itself is :class:`paircert.vapix.deviceinfo.DeviceInfoCgi`, shared with the peers; this
shell reads the body, tells it whether the auth middleware found a user, and adds this server's
challenges to a 401.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..vapix.deviceinfo import DEVICEINFO_PATH, UNRESTRICTED, VERSION, DeviceInfoCgi, properties
from .auth import current_user, unauthorized
from .faults import NO_FAULTS, FaultSet
from .jsoncgi import cgi_response, read_cgi_body

__all__ = ["DEVICEINFO_PATH", "UNRESTRICTED", "VERSION", "DeviceInfoApi", "properties"]


class DeviceInfoApi:
    def __init__(self, faults: FaultSet = NO_FAULTS) -> None:
        values = properties()
        if faults.active("deviceinfo-without-serial"):
            del values["SerialNumber"]
        self.info = DeviceInfoCgi(values)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await read_cgi_body(request, self.info.cgi)
        result = self.info.handle(request.method, body, authenticated=current_user(scope) is not None)
        response = cgi_response(result)
        if result.status == 401:
            response = unauthorized(scope, response)
        await response(scope, receive, send)
