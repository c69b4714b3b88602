"""The peer's VAPIX identity: ``/axis-cgi/basicdeviceinfo.cgi`` behind Digest, as a device learns it.

``getAllProperties`` and ``getProperties`` need credentials (Digest by default, verified by the
one :mod:`paircert.auth`), ``getAllUnrestrictedProperties`` and ``getSupportedVersions`` answer
anyone. The record of each request notes the JSON method and the authentication scheme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from paircert.auth import AuthResult, ServerAuth
from paircert.vapix.body import BodyError, BodyLimits, check_body
from paircert.vapix.cgi import CgiChoices, CgiResult
from paircert.vapix.deviceinfo import DEVICEINFO_PATH, DeviceInfoCgi

from .httpserver import MAX_BODY, HttpFaults, HttpRequest, HttpResponse

__all__ = ["DeviceInfoHandler"]

# h11 has already framed the body (Content-Length or chunked), so no length header is required.
_LIMITS = BodyLimits(max_bytes=MAX_BODY, require_length=False)


def _response(result: CgiResult, extra: Sequence[tuple[str, str]] = ()) -> HttpResponse:
    return HttpResponse(result.status, result.body, result.content_type, [*result.headers, *extra])


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
        self.info = DeviceInfoCgi(properties, CgiChoices(limits=_LIMITS))
        self.faults = faults
        self.auth = ServerAuth(realm, users, schemes=schemes, algorithms=digest_algorithms)

    def _authenticate(self, request: HttpRequest) -> AuthResult:
        header = request.headers.get("authorization")
        result = self.auth.check(request.method, request.target, header, reject=self.faults.reject_credentials)
        request.record.auth_scheme = result.scheme or request.record.auth_scheme
        return result

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != DEVICEINFO_PATH:
            return _response(self.info.cgi.transport(404))
        if request.method != "POST":
            return _response(self.info.handle(request.method, b"", authenticated=False))
        if not request.body and "authorization" not in request.headers:
            # An anonymous POST without a body names no method; curl --digest sends one to get the challenge.
            return _response(self.info.cgi.transport(401), [("WWW-Authenticate", c) for c in self.auth.challenges()])
        body: bytes | BodyError
        try:
            body = check_body(
                _LIMITS,
                content_length=request.headers.get("content-length"),
                content_type=request.headers.get("content-type"),
                body=request.body,
            )
        except BodyError as error:
            body = error
        auth = self._authenticate(request)
        request.record.authenticated = auth.ok
        refused = bool(request.headers.get("authorization")) and not auth.ok
        result = self.info.handle(request.method, body, authenticated=auth.ok, refused=refused)
        request.record.cgi_method = result.method
        if result.status != 401:
            return _response(result)
        return _response(result, [("WWW-Authenticate", c) for c in self.auth.challenges(auth.stale)])
