"""The edge-to-edge camera pairing API (Device Configuration framework, REST) as one ASGI app.

Paths below the API root are resolved by hand into root / collection / item / property, because
the HTTP status of every fault depends on which of those was addressed: 404 for a path or key the
model does not have, 405 (with ``Allow``) for an operation it does not define, then 403 for a
role the operation does not list, then 415 / 400 for the body, then the API codes.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..schemas import catalogue
from ..vapix.paths import CAMERA_API_ROOT as API_ROOT
from .auth import has_role
from .body import BodyError, parse_json, read_body
from .device import Device
from .envelopes import JSON, ApiError, dca_error, dca_success
from .model import Conflict
from .validation import Invalid, check_add, check_property

__all__ = ["API_ROOT", "READABLE", "SETTABLE", "CameraPairingApi"]

COLLECTION = "camerapairings"

READABLE = (
    "id",
    "address",
    "username",
    "status",
    "streamingprotocol",
    "verifycertificate",
    "productmodel",
    "productname",
    "description",
)
SETTABLE = ("address", "username", "password", "description", "streamingprotocol", "verifycertificate")
SET_METHODS = ("PATCH", "PUT")  # PUT is how AXIS OS 11.10 and older SET a property.
ADMIN_ONLY = ("admin",)

STREAMING_ERRORS = {code: catalogue("camera-pairing")[code].message for code in (106, 107, 108)}


def _allowed(shape: str, prop: str | None = None) -> tuple[str, ...]:
    if shape == "root":
        return ("GET",)
    if shape == "collection":
        return ("GET", "POST")
    if shape == "item":
        return ("GET", "DELETE")
    methods = ("GET",) if prop in READABLE else ()
    return methods + (SET_METHODS if prop in SETTABLE else ())


def _resolve(rest: str) -> tuple[str, str | None, str | None]:
    """(shape, id, property) for the path below the API root; raise 404 for any other path."""
    parts = rest.strip("/").split("/") if rest.strip("/") else []
    if rest.endswith("//") or "" in parts:
        raise ApiError.framework(404)
    if not parts:
        return "root", None, None
    if parts[0] != COLLECTION or len(parts) > 3:
        raise ApiError.framework(404)
    if len(parts) == 1:
        return "collection", None, None
    if len(parts) == 2:
        return "item", parts[1], None
    if parts[2] not in READABLE and parts[2] not in SETTABLE:
        raise ApiError.framework(404, f"no property {parts[2]!r}")
    return "property", parts[1], parts[2]


async def _json_body(request: Request) -> dict[str, Any]:
    """The ``{"data": ...}`` body of an ADD or SET."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != JSON:
        raise ApiError.framework(415, "the body must be application/json")
    try:
        raw = await read_body(request)
    except BodyError as exc:
        raise ApiError.framework(exc.status) from None
    try:
        body = parse_json(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError.framework(400, "the body is not valid JSON") from None
    if not isinstance(body, dict) or set(body) != {"data"}:
        raise ApiError.framework(400, 'the body must be an object with exactly one key, "data"')
    return body


def _invalid(error: Invalid) -> ApiError:
    if error.code is not None:
        return ApiError(400, error.code, error.message)
    return ApiError.framework(400, error.message)


class CameraPairingApi:
    """Mounted at every path that starts with the API root (``{rest:path}`` holds the remainder)."""

    def __init__(self, device: Device) -> None:
        self.device = device

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request)
        except ApiError as error:
            response = dca_error(error.status, error.code, error.message, error.headers)
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        shape, pairing_id, prop = _resolve(request.path_params.get("rest", ""))
        allowed = _allowed(shape, prop)
        method = request.method
        if method not in allowed:
            raise ApiError.framework(405, f"{method} is not defined here", {"Allow": ", ".join(allowed)})
        if not has_role(request.scope, ADMIN_ONLY):
            raise ApiError.framework(403, "this operation needs the admin role")
        if pairing_id is not None and pairing_id not in self.device.model.pairings:
            raise ApiError.framework(404, "no camera pairing with that id")
        if shape == "root":
            entities = [p.public() for p in self.device.model.pairings.values()]
            return dca_success({COLLECTION: entities})
        if shape == "collection":
            if method == "POST":
                return await self._add(request)
            return dca_success([p.public() for p in self.device.model.pairings.values()])
        assert pairing_id is not None
        if shape == "item":
            if method == "DELETE":
                await self.device.remove_pairing(pairing_id)
                return dca_success()
            return self._get_item(pairing_id)
        assert prop is not None
        if method == "GET":
            return dca_success(self.device.model.pairings[pairing_id].public()[prop])
        return await self._set(request, pairing_id, prop)

    def _get_item(self, pairing_id: str) -> Response:
        pairing = self.device.model.pairings[pairing_id]
        if pairing.status == "Error" and pairing.error_code in STREAMING_ERRORS:
            return dca_error(200, pairing.error_code, STREAMING_ERRORS[pairing.error_code])
        return dca_success(pairing.public())

    def _check_not_own(self, address: str) -> None:
        if self.device.is_own(address):
            raise ApiError(400, 101, catalogue("camera-pairing")[101].message)

    async def _add(self, request: Request) -> Response:
        body = await _json_body(request)
        try:
            fields = check_add(body["data"])
        except Invalid as error:
            raise _invalid(error) from None
        self._check_not_own(fields["address"])
        try:
            pairing = self.device.add_pairing(fields)
        except Conflict as conflict:
            raise ApiError(409, conflict.code, conflict.message) from None
        return dca_success(pairing.public(), status=201)

    async def _set(self, request: Request, pairing_id: str, prop: str) -> Response:
        body = await _json_body(request)
        try:
            value = check_property(prop, body["data"])
        except Invalid as error:
            raise _invalid(error) from None
        if prop == "address":
            self._check_not_own(value)
        self.device.set_pairing_property(pairing_id, prop, value)
        return dca_success()
