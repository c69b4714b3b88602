"""The network radar pairing JSON CGI, served at both paths the documents and convention imply.

Transport faults (bad JSON, length, size, HTTP method, role) answer with their HTTP status and the
radar code from the error table; everything the API itself rejects answers HTTP 200 with the
error envelope, as Axis JSON CGIs do. The request's ``context`` is echoed whatever JSON value it
is, and ``apiVersion`` is answered as the requested major with the highest minor supported.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from ..vapix.cgi import CgiCall, CgiChoices, CgiError, JsonCgi, supported_versions
from .auth import has_role
from .body import body_limits
from .config import RadarRevision, Role
from .device import Device
from .jsoncgi import serve_json_cgi
from .model import Conflict, RadarConfig, RadarState
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


def _method_roles(readers: tuple[Role, ...], writers: tuple[Role, ...]) -> dict[str, tuple[Role, ...]]:
    """Each method's roles under the emulator's choices (the document gives no security levels)."""
    return {
        method: _ALL if method == "getSupportedVersions" else readers if roles == _READERS else writers
        for method, roles in METHOD_ROLES.items()
    }


_STRING_LIMIT = 64
# Faults that answer one state as another: fault name -> (the state, what getRadarConnection says).
_STATE_FAULTS: dict[str, tuple[RadarState, RadarState]] = {
    "radar-unconfigured-as-not-active": ("not-configured", "not-active"),
    "radar-inactive-as-not-configured": ("not-active", "not-configured"),
}
_FAILURES = ("failed", "address-failed", "connect-failed", "authentication-failed", "transfer-failed")


def _string(params: dict[str, Any], name: str, *, required: bool, minimum: int = 0) -> str | None:
    if name not in params:
        if required:
            raise CgiError(2103)
        return None
    value = params[name]
    if not isinstance(value, str) or not minimum <= len(value) <= _STRING_LIMIT:
        raise CgiError(2104)
    return value


def _boolean(params: dict[str, Any], name: str, *, required: bool, strings: bool = False) -> bool | None:
    """A boolean parameter; ``strings`` (a fault) also takes "true" and "false"."""
    if name not in params:
        if required:
            raise CgiError(2103)
        return None
    value = params[name]
    if strings and value in ("true", "false"):
        return bool(value == "true")
    if not isinstance(value, bool):
        raise CgiError(2104)
    return value


class RadarApi:
    def __init__(self, device: Device, *, revision: RadarRevision, versions: list[str]) -> None:
        self.device = device
        self.choices = device.config.choices
        self.faults = device.config.faults
        if self.faults.active("radar-viewer-may-write"):
            self.roles = {method: _ALL for method in METHOD_ROLES}
        else:
            self.roles = _method_roles(self.choices.radar_read_roles, self.choices.radar_write_roles)
        self.revision = revision
        echo = self.choices.version_in_errors == "requested"
        choices = CgiChoices(
            echo_unsupported_version=echo,
            echo_malformed_version=echo,
            discovery_checks_version=not self.choices.versions_ignore_api_version,
            limits=body_limits(self.choices, self.faults),
        )
        self.cgi = JsonCgi(versions, self.roles, choices)
        self.versions = self.cgi.versions
        self.default_version = self.cgi.default_version
        self.handlers = {method: self._call for method in self.roles}
        # The radar-clear-after-reactivation fault's memory: the last setActive value, and whether
        # the latest one re-activated after a deactivation.
        self._last_active: bool | None = None
        self._reactivated = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        def authorize(method: str) -> int | None:
            return None if has_role(scope, self.roles[method]) else 403

        response = await serve_json_cgi(
            Request(scope, receive), self.cgi, self.handlers, authorize=authorize, faults=self.faults
        )
        await response(scope, receive, send)

    async def _call(self, call: CgiCall) -> Any:
        try:
            return await self._run(call.method, call.params)
        except Conflict as conflict:
            raise CgiError(conflict.code) from None

    async def _run(self, method: str, params: dict[str, Any]) -> Any:
        model = self.device.model
        if method == "getSupportedVersions":
            versions = self.cgi.supported()
            if self.faults.active("radar-versions-bare-majors"):
                versions = [version.partition(".")[0] for version in versions]
            return {"apiVersions": versions}
        if method == "getRadarConnection":
            return self._connection()
        if method == "setRadarConnection":
            config = self._parse_connection(params)
            replaces = model.radar_active and self.faults.active("radar-set-while-active")
            if replaces:
                await self.device.set_radar_active(False)
            self.device.set_radar(config)
            if replaces:
                await self.device.set_radar_active(True)
            self._last_active, self._reactivated = None, False
            return {}
        if method == "clearConfiguration":
            if model.radar is None and self.choices.clear_without_configuration == "2201":
                raise Conflict(2201)
            if not model.radar_active and self.faults.active("radar-clear-keeps-configuration"):
                return {}
            if model.radar_active and (self._reactivated or self.faults.active("radar-clear-while-active")):
                self._last_active, self._reactivated = None, False
                await self.device.set_radar_active(False)
            self.device.clear_radar()
            return {}
        if method == "getActive":
            if model.radar is None and self.faults.active("radar-active-without-configuration"):
                return {"active": False}
            active_now = model.get_radar_active()
            return {"active": str(active_now).lower() if self.faults.active("radar-active-as-string") else active_now}
        active = _boolean(params, "active", required=True)
        assert active is not None
        if not active and model.radar is None and self.choices.set_inactive_without_configuration == "success":
            return {}
        if (
            model.radar is not None
            and model.radar_active == active
            and self.faults.active("radar-repeat-activation-fails")
        ):
            raise Conflict(2200)
        if model.radar is not None and not active and self.faults.active("radar-deactivate-ignored"):
            return {}
        await self.device.set_radar_active(active)
        if self.faults.active("radar-clear-after-reactivation"):
            self._reactivated = active and self._last_active is False
            self._last_active = active
        return {}

    def _parse_connection(self, params: dict[str, Any]) -> RadarConfig:
        address = _string(params, "address", required=True)
        user = _string(params, "user", required=not self.faults.active("radar-user-optional")) or ""
        minimum = 0 if self.faults.active("radar-empty-password-accepted") else 1
        password = _string(params, "password", required=True, minimum=minimum)
        assert address is not None and password is not None
        tls = _boolean(params, "tls", required=False, strings=self.faults.active("radar-tls-accepts-strings"))
        tls_verify = _boolean(params, "tls-verify", required=False)
        common_name = _string(params, "tls-certificate-cn", required=False)
        if self.faults.active("radar-certificate-cn-not-stored"):
            common_name = ""
        if classify_address(address) is None:
            raise CgiError(2104)
        return RadarConfig(
            address=address,
            user="" if self.faults.active("radar-user-not-stored") else user,
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
            "state": self._state(),
        }
        if self.faults.active("radar-connection-without-state"):
            del data["state"]
        if radar is not None and self.faults.active("radar-password-returned"):
            data["password"] = radar.password
        if self.revision == "2026-01":
            data["tls-certificate-cn"] = radar.tls_certificate_cn if radar else ""
        else:
            data["tls"] = radar.tls if radar else False
            data["tls-verify"] = radar.tls_verify if radar else False
        return data

    def _state(self) -> str:
        """The state getRadarConnection answers, as the faults that misname one change it."""
        state: str = self.device.model.radar_state()
        for fault, (was, reported) in _STATE_FAULTS.items():
            if state == was and self.faults.active(fault):
                return reported
        if self.device.model.radar_active and self.faults.active("radar-active-as-not-active"):
            return "not-active"
        if state in _FAILURES and self.faults.active("radar-failures-as-error"):
            return "error"
        return state
