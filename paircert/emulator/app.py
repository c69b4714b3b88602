"""Assembles the emulator's ASGI app: routes for every API, auth, and the catch-all guard.

One app object serves both the HTTP and the HTTPS server, so both see the same device; the auth
middleware tells them apart by the scope's scheme.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from .auth import AuthMiddleware
from .camera_pairing import API_ROOT, CameraPairingApi
from .device import Device
from .deviceinfo import DEVICEINFO_PATH, DeviceInfoApi
from .discovery import APIDISCOVERY_PATH, DISCOVER_ROOT, ApiDiscovery, DcaDiscovery
from .envelopes import error_response
from .guard import CatchAllMiddleware
from .radar import RadarApi
from .serverpage import HtmlUnauthorizedPage

__all__ = ["build_app"]


class _NotFound:
    """Every path no API owns: 404 in the envelope the path's family would use."""

    def __init__(self, radar_version: str) -> None:
        self.radar_version = radar_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response: Response = error_response(request.url.path, 404, radar_version=self.radar_version)
        await response(scope, receive, send)


def build_app(device: Device) -> Starlette:
    config = device.config
    choices = config.choices
    faults = config.faults
    radar = RadarApi(device, revision=config.radar_revision, versions=config.radar_versions)
    camera_root = API_ROOT.removesuffix("beta") if faults.active("api-root-moved") else API_ROOT
    radar_paths = () if faults.active("radar-cgi-missing") else choices.radar_paths
    open_paths: tuple[str, ...] = (DEVICEINFO_PATH, APIDISCOVERY_PATH)
    if faults.active("unrestricted-deviceinfo-needs-login"):
        open_paths = (APIDISCOVERY_PATH,)
    routes = [
        Route(camera_root + "{rest:path}", CameraPairingApi(device)),
        *(Route(path, radar) for path in radar_paths),
        Route(DISCOVER_ROOT + "{rest:path}", DcaDiscovery(in_envelope=choices.discovery_in_envelope, faults=faults)),
        Route(APIDISCOVERY_PATH, ApiDiscovery(radar.default_version, doc_links=choices.api_doc_links, faults=faults)),
        Route(DEVICEINFO_PATH, DeviceInfoApi(faults)),
        Route("/{rest:path}", _NotFound(radar.default_version)),
    ]
    html_401 = choices.radar_paths if choices.unauthenticated_radar_body == "html" else ()
    middleware = [
        Middleware(CatchAllMiddleware, radar_version=radar.default_version),
        Middleware(HtmlUnauthorizedPage, paths=html_401),
        Middleware(
            AuthMiddleware,
            users=config.users,
            auth_http=config.auth_http,
            auth_https=config.auth_https,
            radar_version=radar.default_version,
            open_paths=open_paths,
            challenge_empty_posts=choices.challenge_empty_posts,
            digest_algorithms=config.digest_algorithms,
            faults=faults,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    # A path {rest:path} cannot match (it holds a decoded CR or LF) still gets the enveloped 404.
    app.router.default = _NotFound(radar.default_version)
    return app
