"""The edge-to-edge camera pairing API (Device Configuration framework, REST) as one ASGI app.

Paths below the API root are resolved by hand into root / collection / item / property, because
the HTTP status of every fault depends on which of those was addressed: 404 for a path or key the
model does not have, 405 (with ``Allow``) for an operation it does not define, then 403 for a
role the operation does not list, then 415 / 400 for the body, then the API codes.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..schemas import catalogue
from ..vapix.paths import CAMERA_API_ROOT as API_ROOT
from .auth import has_role
from .body import BodyError, BodyLimits, read_json
from .choices import Choices
from .config import Role
from .device import Device
from .envelopes import JSON, ApiError, dca_error, dca_success, json_response
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
ADMIN_ONLY: tuple[Role, ...] = ("admin",)

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


async def _json_body(request: Request, choices: Choices) -> dict[str, Any]:
    """The ``{"data": ...}`` body of an ADD or SET."""
    try:
        limits = BodyLimits(max_bytes=choices.body_limit, require_length=choices.length_required, media_types=(JSON,))
        body = await read_json(request, limits)
    except BodyError as exc:
        status = choices.unsupported_media_status if exc.status == 415 else exc.status
        raise ApiError.framework(status, exc.reason) from None
    if not isinstance(body, dict) or set(body) != {"data"}:
        raise ApiError.framework(
            choices.invalid_value_status, 'the body must be an object with exactly one key, "data"'
        )
    return body


def _invalid(error: Invalid, status: int) -> ApiError:
    if error.code is not None:
        return ApiError(status, error.code, error.message)
    return ApiError.framework(status, error.message)


def _error_code(error: ApiError, choices: Choices) -> int:
    """API codes (101-108) never equal an HTTP status, so ``code == status`` marks a framework error."""
    if error.code == error.status and choices.framework_error_code == "zero":
        return 0
    return error.code


def _normal_address(address: str) -> str:
    """The canonical text of an address: RFC 5952 for IPv6, lower case without the root dot for names."""
    try:
        return ipaddress.ip_address(address).compressed
    except ValueError:
        return address.lower().rstrip(".")


class CameraPairingApi:
    """Mounted at every path that starts with the API root (``{rest:path}`` holds the remainder)."""

    def __init__(self, device: Device) -> None:
        self.device = device
        self.choices = device.config.choices

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request)
        except ApiError as error:
            response = dca_error(error.status, _error_code(error, self.choices), error.message, error.headers)
        await response(scope, receive, send)

    async def _dispatch(self, request: Request) -> Response:
        shape, pairing_id, prop = _resolve(request.path_params.get("rest", ""))
        allowed = _allowed(shape, prop)
        method = request.method
        if method not in allowed:
            raise ApiError.framework(405, f"{method} is not defined here", {"Allow": ", ".join(allowed)})
        open_read = method == "GET" and shape in ("root", "collection") and self.choices.collection_reads_any_role
        if not open_read and not has_role(request.scope, ADMIN_ONLY):
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
            error = {"code": pairing.error_code, "message": STREAMING_ERRORS[pairing.error_code]}
            if self.choices.item_in_error == "success-with-code":
                return json_response({"status": "success", "data": pairing.public(), "error": error})
            return dca_error(200, pairing.error_code, STREAMING_ERRORS[pairing.error_code])
        return dca_success(pairing.public())

    def _address(self, address: str) -> str:
        """The address as it is stored: refused with 101 when it is the device itself."""
        if self.device.is_own(address):
            raise ApiError(self.choices.invalid_value_status, 101, catalogue("camera-pairing")[101].message)
        return _normal_address(address) if self.choices.normalises_addresses else address

    async def _add(self, request: Request) -> Response:
        body = await _json_body(request, self.choices)
        try:
            fields = check_add(body["data"], zone_index=self.choices.accepts_zone_index)
        except Invalid as error:
            raise _invalid(error, self.choices.invalid_value_status) from None
        fields["address"] = self._address(fields["address"])
        try:
            pairing = self.device.add_pairing(fields)
        except Conflict as conflict:
            raise ApiError(self.choices.max_pairings_status, conflict.code, conflict.message) from None
        if not self.choices.add_answers_entity:
            return dca_success(status=201)
        return dca_success(pairing.public(), status=201)

    async def _set(self, request: Request, pairing_id: str, prop: str) -> Response:
        body = await _json_body(request, self.choices)
        try:
            value = check_property(prop, body["data"], zone_index=self.choices.accepts_zone_index)
        except Invalid as error:
            raise _invalid(error, self.choices.invalid_value_status) from None
        if prop == "address":
            value = self._address(value)
        self.device.set_pairing_property(pairing_id, prop, value)
        return dca_success()
