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
from .body import BodyError, body_limits, read_json
from .choices import Choices
from .config import Role
from .device import Device
from .envelopes import JSON, UNSET, ApiError, json_response
from .faults import FaultSet
from .model import Conflict, Pairing
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
READ_ONLY = ("id", "status", "productmodel", "productname")

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


async def _json_body(request: Request, choices: Choices, faults: FaultSet, unwrapped: str) -> dict[str, Any]:
    """The ``{"data": ...}`` body of an ADD or SET; the fault named ``unwrapped`` takes the bare value."""
    try:
        body = await read_json(request, body_limits(choices, faults, media_types=(JSON,)))
    except BodyError as exc:
        status = choices.unsupported_media_status if exc.status == 415 else exc.status
        raise ApiError.framework(status, exc.reason) from None
    if faults.active(unwrapped):
        wrapped = isinstance(body, dict) and set(body) == {"data"}
        if unwrapped == "set-wants-bare-value" and wrapped:
            raise ApiError.framework(choices.invalid_value_status, "the body must be the bare value")
        if not wrapped and (unwrapped == "set-wants-bare-value" or isinstance(body, dict)):
            body = {"data": body}
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
        self.faults = device.config.faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self._dispatch(request)
        except ApiError as error:
            if error.status == 403 and self.faults.active("role-refusal-bare"):
                response = Response(status_code=403, media_type="text/plain")
            else:
                response = self._error(error.status, _error_code(error, self.choices), error.message, error.headers)
        await response(scope, receive, send)

    # the envelopes and the entity as this device shows them (the faults that change them act here)

    def _json(self, body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
        response = json_response(body, status, headers)
        if self.faults.active("camera-content-type-text"):
            response.headers["content-type"] = "text/plain; charset=utf-8"
        return response

    def _success(self, data: Any = UNSET, status: int = 200) -> Response:
        body: dict[str, Any] = {"status": "ok" if self.faults.active("success-status-ok") else "success"}
        if data is not UNSET:
            body["data"] = data
        return self._json(body, status)

    def _error(self, status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Response:
        if self.faults.active("errors-with-status-200"):
            status = 200
        error = {"code": code, "message": message}
        flat = self.faults.active("error-envelope-flat")
        return self._json(
            {"status": "error", **error} if flat else {"status": "error", "error": error}, status, headers
        )

    def _entity(self, pairing: Pairing, password_fault: str | None, *, whole: bool = True) -> dict[str, Any]:
        """The pairing as a GET shows it; ``password_fault`` is the fault that leaks the password here."""
        entity = pairing.public()
        if self.faults.active("status-lowercase"):
            entity["status"] = pairing.status.lower()
        if whole and self.faults.active("item-omits-description"):
            del entity["description"]
        if password_fault is not None and self.faults.active(password_fault):
            entity["password"] = pairing.password
        return entity

    def _listing(self) -> list[dict[str, Any]]:
        if self.faults.active("list-always-empty"):
            return []
        return [self._entity(p, "collection-returns-password") for p in self.device.model.pairings.values()]

    def _methods(self, shape: str, prop: str | None) -> tuple[str, ...]:
        """The methods a path allows, as the faults that add or remove one change them."""
        allowed = _allowed(shape, prop)
        if shape != "property":
            return allowed
        if prop == "status" and self.faults.active("status-property-missing"):
            raise ApiError.framework(404, "no property 'status'")
        if prop == "password" and self.faults.active("password-readable"):
            allowed = ("GET", *allowed)
        if prop == "password" and self.faults.active("set-password-refused"):
            allowed = tuple(m for m in allowed if m not in SET_METHODS)
        if prop in READ_ONLY and self.faults.active(f"{prop}-settable"):
            allowed += SET_METHODS
        return allowed

    async def _dispatch(self, request: Request) -> Response:
        shape, pairing_id, prop = _resolve(request.path_params.get("rest", ""))
        allowed = self._methods(shape, prop)
        method = request.method
        if method not in allowed:
            raise ApiError.framework(405, f"{method} is not defined here", {"Allow": ", ".join(allowed)})
        open_read = method == "GET" and shape in ("root", "collection") and self.choices.collection_reads_any_role
        roles = ADMIN_ONLY + ("operator",) if self.faults.active("operator-is-admin") else ADMIN_ONLY
        if not open_read and not has_role(request.scope, roles):
            raise ApiError.framework(403, "this operation needs the admin role")
        if pairing_id is not None and pairing_id not in self.device.model.pairings:
            if self.faults.active("unknown-id-success"):
                return self._success()
            raise ApiError.framework(404, "no camera pairing with that id")
        if shape == "root":
            if self.faults.active("root-get-refused"):
                raise ApiError.framework(404)
            return self._success({} if self.faults.active("root-omits-collection") else {COLLECTION: self._listing()})
        if shape == "collection":
            if method == "POST":
                return await self._add(request)
            listing = self._listing()
            if self.faults.active("collection-as-object"):
                return self._success({entity["id"]: entity for entity in listing})
            return self._success(listing)
        assert pairing_id is not None
        if shape == "item":
            if method == "DELETE":
                return await self._remove(pairing_id)
            return self._get_item(pairing_id)
        assert prop is not None
        if method == "GET":
            value = self._entity(self.device.model.pairings[pairing_id], "password-readable", whole=False)[prop]
            return self._success({prop: value} if self.faults.active("property-get-wrapped") else value)
        return await self._set(request, pairing_id, prop)

    async def _remove(self, pairing_id: str) -> Response:
        removed = self._entity(self.device.model.pairings[pairing_id], None)
        if not self.faults.active("remove-keeps-pairing"):
            await self.device.remove_pairing(pairing_id)
        return self._success(removed) if self.faults.active("remove-answers-data") else self._success()

    def _get_item(self, pairing_id: str) -> Response:
        pairing = self.device.model.pairings[pairing_id]
        entity = self._entity(pairing, "item-returns-password")
        in_error = pairing.status == "Error" and pairing.error_code in STREAMING_ERRORS
        if in_error and pairing.error_code is not None and not self.faults.active("error-detail-missing"):
            error = {"code": pairing.error_code, "message": STREAMING_ERRORS[pairing.error_code]}
            if self.choices.item_in_error == "success-with-code":
                return self._json({"status": "success", "data": entity, "error": error}, 200)
            return self._error(200, pairing.error_code, STREAMING_ERRORS[pairing.error_code])
        return self._success(entity)

    def _address(self, address: str) -> str:
        """The address as it is stored: refused with 101 when it is the device itself."""
        if not self.faults.active("own-address-accepted") and self.device.is_own(address):
            raise ApiError(self.choices.invalid_value_status, 101, catalogue("camera-pairing")[101].message)
        return _normal_address(address) if self.choices.normalises_addresses else address

    async def _add(self, request: Request) -> Response:
        body = await _json_body(request, self.choices, self.faults, "add-accepts-unwrapped")
        data = body["data"]
        if self.faults.active("add-description-optional") and isinstance(data, dict):
            data = {"description": "", **data}
        try:
            fields = check_add(data, zone_index=self.choices.accepts_zone_index, faults=self.faults)
        except Invalid as error:
            raise _invalid(error, self.choices.invalid_value_status) from None
        fields["address"] = self._address(fields["address"])
        try:
            pairing = self.device.add_pairing(fields)
        except Conflict as conflict:
            raise ApiError(self.choices.max_pairings_status, conflict.code, conflict.message) from None
        status = 202 if self.faults.active("add-answers-202") else 201
        if not self.choices.add_answers_entity:
            return self._success(status=status)
        entity = self._entity(pairing, "add-answers-password")
        if self.faults.active("add-answer-drops-description"):
            entity["description"] = ""
        return self._success(entity, status=status)

    async def _set(self, request: Request, pairing_id: str, prop: str) -> Response:
        body = await _json_body(request, self.choices, self.faults, "set-wants-bare-value")
        if prop in READ_ONLY:  # only a "<prop>-settable" fault lets a SET of it get here
            return self._success()
        try:
            value = check_property(prop, body["data"], zone_index=self.choices.accepts_zone_index, faults=self.faults)
        except Invalid as error:
            raise _invalid(error, self.choices.invalid_value_status) from None
        if prop == "address":
            value = self._address(value)
        if self.faults.active("set-not-stored") or self.faults.active(f"set-{prop}-not-stored"):
            return self._success()
        self.device.set_pairing_property(pairing_id, prop, value)
        return self._success()
