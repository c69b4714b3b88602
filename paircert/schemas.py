"""The one schema loader, validator and OpenAPI builder.

Every message check in paircert goes through here, so a schema file is the single statement of what
the documents require. The files under ``schemas/`` are found through
:func:`paircert.resources.data_dir`; they reference each other by ``$id``
(``https://paircert.invalid/schemas/<name>.json``) and are resolved through one cached
:class:`referencing.Registry`. ``python -m paircert.schemas`` prints the OpenAPI document that is
committed as ``schemas/openapi/camera-pairing.openapi.json``.
"""

from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import referencing
import referencing.exceptions
from jsonschema import Draft202012Validator
from referencing._core import Resolver
from referencing.jsonschema import DRAFT202012

from paircert.resources import data_dir
from paircert.vapix.passwords import password_values
from paircert.vapix.paths import CAMERA_API_ROOT

__all__ = [
    "CAMERA_API_ROOT",
    "GETTABLE",
    "SCHEMA_VERSION",
    "SETTABLE",
    "ErrorEntry",
    "bundled",
    "catalogue",
    "load",
    "model_document",
    "openapi_document",
    "read_document",
    "registry",
    "schema_names",
    "validate",
]

SCHEMA_VERSION = "2025-09-10+2025-08-18"
"""Last-updated dates of the camera pairing and the radar pairing documents the schemas follow."""

BASE_URI = "https://paircert.invalid/schemas/"

# Folders under schemas/ that hold data or generated artifacts, not schemas of the registry.
_NOT_SCHEMAS = ("catalogues", "openapi")

ApiName = Literal["camera-pairing", "radar-pairing"]


@dataclass(frozen=True)
class ErrorEntry:
    """One documented error code.

    ``http_status`` is the status the document pairs with the code (None: the table gives none,
    the error comes with HTTP 200 or the document is silent). Radar code 2107 has three table rows
    (405, 411, 413): ``http_status`` is the first and ``http_statuses`` holds all of them.
    """

    code: int
    message: str
    description: str
    http_status: int | None
    http_statuses: tuple[int, ...] = ()


def _root() -> Path:
    return data_dir("schemas")


def _uri(name: str) -> str:
    return f"{BASE_URI}{name}.json"


@cache
def schema_names() -> tuple[str, ...]:
    """Every schema name (path under schemas/ without ``.json``), sorted."""
    root = _root()
    names = []
    for path in root.rglob("*.json"):
        relative = path.relative_to(root)
        if relative.parts[0] in _NOT_SCHEMAS:
            continue
        names.append(relative.with_suffix("").as_posix())
    return tuple(sorted(names))


@cache
def registry() -> referencing.Registry[Any]:
    """One registry over every schema file, so ``$ref`` between files needs no network or path logic."""
    resources = []
    for name in schema_names():
        contents = json.loads((_root() / f"{name}.json").read_text(encoding="utf-8"))
        if contents.get("$id") != _uri(name):
            raise ValueError(f"schema {name!r} has $id {contents.get('$id')!r}, expected {_uri(name)!r}")
        resources.append((_uri(name), DRAFT202012.create_resource(contents)))
    return referencing.Registry().with_resources(resources).crawl()


def load(name: str) -> dict[str, Any]:
    """Return a copy of the named schema (callers may change it without touching the cache)."""
    try:
        contents = registry().contents(_uri(name))
    except referencing.exceptions.NoSuchResource:
        raise KeyError(f"no schema named {name!r}") from None
    return copy.deepcopy(contents)


@cache
def _validator(name: str, check_formats: bool) -> Draft202012Validator:
    if name not in schema_names():
        raise KeyError(f"no schema named {name!r}")
    schema = registry().contents(_uri(name))
    format_checker = Draft202012Validator.FORMAT_CHECKER if check_formats else None
    return Draft202012Validator(schema, registry=registry(), format_checker=format_checker)


def validate(name: str, instance: Any, *, check_formats: bool = False) -> list[str]:
    """Check ``instance`` against the named schema; ``[]`` when valid.

    Each string is ``"<path>: <jsonschema message>"`` with the path written as ``data.address`` or
    ``data[0].id`` (``(root)`` for the instance itself), sorted by path. Password values are never
    repeated: they appear as ``'<redacted: N characters>'``.
    """
    errors = sorted(
        _validator(name, check_formats).iter_errors(instance),
        key=lambda error: ([str(part) for part in error.absolute_path], error.message),
    )
    secrets = _secrets(name, instance)
    return [f"{_path(error.absolute_path)}: {_redact(error.message, secrets)}" for error in errors]


_ERRORS_SHOWN = 3


def read_document(path: Path, name: str, kind: str, error: type[Exception]) -> Any:
    """The JSON document at ``path``, checked against the named schema before anyone reads it.

    A paircert file handed back by a user (a run's results, a restore journal) may be missing,
    unreadable, not JSON or someone else's; each raises ``error`` with one line that names the file
    and calls it ``kind``, and says the first schema errors, never a traceback.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read it ({exc})") from None
    except ValueError as exc:
        raise error(f"{path}: not JSON ({exc})") from None
    errors = validate(name, document)
    if errors:
        more = f" (and {len(errors) - _ERRORS_SHOWN} more)" if len(errors) > _ERRORS_SHOWN else ""
        raise error(f"{path}: not a paircert {kind} (schemas/{name}.json): " + "; ".join(errors[:_ERRORS_SHOWN]) + more)
    return document


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def _secrets(name: str, instance: Any) -> list[str]:
    """Strings that must not reach a message: every ``password`` member, and a SET body's password."""
    found = password_values(instance)
    if name.endswith("/password") and isinstance(instance, dict) and isinstance(instance.get("data"), str):
        found.append(instance["data"])
    return sorted({s for s in found if s}, key=len, reverse=True)


def _redact(message: str, secrets: list[str]) -> str:
    for secret in secrets:
        message = message.replace(repr(secret), f"'<redacted: {len(secret)} characters>'")
    return message


# --------------------------------------------------------------------------- error catalogues


@cache
def _catalogue_rows(api: ApiName) -> tuple[dict[str, Any], ...]:
    if api not in ("camera-pairing", "radar-pairing"):
        raise KeyError(f"no error catalogue for {api!r}")
    rows = json.loads((_root() / "catalogues" / f"{api}-errors.json").read_text(encoding="utf-8"))
    problems = validate(f"meta/{api}-errors", rows)
    if problems:
        raise ValueError(f"catalogue {api!r} does not match its meta schema: {problems}")
    return tuple(rows)


def catalogue(api: ApiName) -> dict[int, ErrorEntry]:
    """The documented error codes of one API, keyed by code, messages exactly as the document writes them."""
    entries: dict[int, ErrorEntry] = {}
    for row in _catalogue_rows(api):
        status = row.get("http_status")
        previous = entries.get(row["code"])
        if previous is not None:
            statuses = previous.http_statuses + ((status,) if status is not None else ())
            entries[row["code"]] = ErrorEntry(
                previous.code, previous.message, previous.description, previous.http_status, statuses
            )
            continue
        entries[row["code"]] = ErrorEntry(
            code=row["code"],
            message=row["message"],
            description=row.get("description", ""),
            http_status=status,
            http_statuses=(status,) if status is not None else (),
        )
    return entries


# --------------------------------------------------------------------------- bundling


def _inline(node: Any, resolver: Resolver[Any]) -> Any:
    """Copy ``node`` with every ``$ref`` replaced by the schema it names, so a document embedding it stands alone."""
    if isinstance(node, list):
        return [_inline(item, resolver) for item in node]
    if not isinstance(node, dict):
        return node
    if "$id" in node:
        resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
    result: dict[str, Any] = {}
    target: Any = None
    for key, value in node.items():
        if key in ("$schema", "$id", "$defs"):
            continue
        if key == "$ref":
            resolved = resolver.lookup(value)
            target = _inline(resolved.contents, resolved.resolver)
            continue
        result[key] = _inline(value, resolver)
    if target is None:
        return result
    if not result:
        return target
    if isinstance(target, dict) and set(result) <= {"description", "$comment", "title"}:
        return {**target, **result}
    return {"allOf": [target], **result}


def bundled(name: str) -> dict[str, Any]:
    """The named schema with every reference resolved inline (no ``$id``, ``$defs`` or ``$ref`` left)."""
    contents = registry().contents(_uri(name))
    inlined: dict[str, Any] = _inline(contents, registry().resolver(base_uri=_uri(name)))
    return inlined


# --------------------------------------------------------------------------- camera pairing model

# property -> (data type in camera-pairing/types, description as the document writes it, GET, SET)
_PROPERTIES: dict[str, tuple[str, str, bool, bool]] = {
    "id": ("ID", "The unique ID generated automatically for the camera pairing.", True, False),
    "address": ("Address", "Address for the camera pairing.", True, True),
    "username": ("Username", "Username for the camera pairing.", True, True),
    "password": ("Password", "Password for the camera pairing.", False, True),
    "status": ("CameraPairingStatus", "Current status of the camera pairing.", True, False),
    "streamingprotocol": (
        "CameraPairingStreamingProtocol",
        "Streaming protocol used for the camera pairing (RTSP or SRTSP). When SRTSP is set, you can specify "
        "verifycertificate to true to verify the certificate, false to ignore the certificate verification, "
        "for example for self-signed certificates. When RTSP is set, verifycertificate will be ignored.",
        True,
        True,
    ),
    "verifycertificate": (
        "VerifyCertificate",
        "Indicates whether to verify the certificates. It is only useful when streamingprotocol is set to SRTSP.",
        True,
        True,
    ),
    "productmodel": ("ProductModel", "The product model of the paired camera.", True, False),
    "productname": ("ProductName", "The full product name of the paired camera.", True, False),
    "description": ("Description", "Description of the paired camera.", True, True),
}
_ADD_REQUIRED = ["address", "username", "password", "streamingprotocol", "verifycertificate", "description"]
GETTABLE = tuple(p for p, (_t, _d, get, _s) in _PROPERTIES.items() if get)
SETTABLE = tuple(p for p, (_t, _d, _g, can_set) in _PROPERTIES.items() if can_set)
_CP = "camera-pairing"
_CP_SOURCE = "Edge-to-edge camera pairing API, last updated 2025-09-10, section 'API definition'"


def model_document() -> dict[str, Any]:
    """The DCA model of camera-pairing as the API page lists it (served by the emulator as model.json)."""
    admin = {"permissions": ["admin"]}
    properties = {}
    for name, (datatype, description, can_get, can_set) in sorted(_PROPERTIES.items()):
        operations: dict[str, Any] = {}
        if can_set:
            operations["SET"] = dict(admin)
        if can_get:
            operations["GET"] = dict(admin)
        properties[name] = {
            "description": description,
            "datatype": datatype,
            "operations": operations,
        }
    types = registry().contents(_uri("camera-pairing/types"))["$defs"]
    return {
        "$comment": f"paircert's rendering of {_CP_SOURCE} (schema version {SCHEMA_VERSION}).",
        "api": "camera-pairing",
        "version": "1.0.0-beta",
        "state": "beta",
        "rest_api": CAMERA_API_ROOT,
        "root": {
            "name": "camera-pairing.v1",
            "description": "The configuration of edge-to-edge camera pairing.",
            "type": "singleton",
            "operations": {"GET": {}},
            "attributes": {"dynamic_support": False},
            "children": {
                "camerapairings": {
                    "description": "Camera pairing",
                    "type": "collection",
                    "key_property": "id",
                    "operations": {
                        "GET": {},
                        "ADD": {**admin, "required_properties": list(_ADD_REQUIRED)},
                        "REMOVE": dict(admin),
                    },
                    "properties": properties,
                }
            },
        },
        "datatypes": {
            name: {key: value for key, value in schema.items() if key != "$comment"} for name, schema in types.items()
        },
    }


# --------------------------------------------------------------------------- OpenAPI

_ERROR_STATUSES = {
    400: "Malformed request, type/enum/length violation, missing field, or API error 101/102",
    401: "No or wrong credentials",
    403: "The user's role may not perform this operation",
    404: "Unknown path or key",
    405: "The model does not define this operation here",
    409: "State conflict, e.g. API error 104 (maximum number of camera pairings reached)",
    415: "The body is not application/json",
}
_ALWAYS_ERRORS = (400, 401, 403, 404, 405)
_BODY_ERRORS = (409, 415)


def _component(name: str) -> str:
    return name.replace("/", ".")


def _schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{_component(name)}"}


def _json_content(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": _schema_ref(name)}}


def _op_id(verb: str, prop: str | None = None) -> str:
    return f"{verb}CameraPairing{prop.capitalize() if prop else ''}"


def _item_links(expression: str) -> dict[str, Any]:
    links: dict[str, Any] = {
        "GetCameraPairing": {"operationId": _op_id("get"), "parameters": {"id": expression}},
        "RemoveCameraPairing": {"operationId": _op_id("remove"), "parameters": {"id": expression}},
    }
    for prop in GETTABLE:
        links[f"Get{prop.capitalize()}"] = {"operationId": _op_id("get", prop), "parameters": {"id": expression}}
    for prop in SETTABLE:
        links[f"Set{prop.capitalize()}"] = {"operationId": _op_id("set", prop), "parameters": {"id": expression}}
    return links


def _operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    *,
    body: str | None = None,
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    errors = _ALWAYS_ERRORS + (_BODY_ERRORS if body else ())
    operation: dict[str, Any] = {"operationId": operation_id, "summary": summary}
    if parameters:
        operation["parameters"] = parameters
    if body:
        operation["requestBody"] = {"required": True, "content": _json_content(body)}
    operation["responses"] = {
        **responses,
        **{
            str(status): {"description": _ERROR_STATUSES[status], "content": _json_content("dca/error")}
            for status in errors
        },
    }
    return operation


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 for camera pairing, built from the schema files.

    Paths are absolute (``/config/rest/camera-pairing/v1beta/...``) and there are no ``servers``:
    point a client's base URL at the device. No ``security`` is declared (PROTOCOL-NOTES §5: a
    declared scheme makes schemathesis authenticate requests meant to go unauthenticated).
    """
    used = [
        "dca/success",
        "dca/error",
        "camera-pairing/entity",
        "camera-pairing/add-request",
        "camera-pairing/response/root",
        "camera-pairing/response/list",
        "camera-pairing/response/entity",
        "camera-pairing/response/add",
        "camera-pairing/response/empty",
        *(f"camera-pairing/set-request/{p}" for p in SETTABLE),
        *(f"camera-pairing/response/property/{p}" for p in GETTABLE),
    ]
    id_parameter = {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The unique ID generated automatically for the camera pairing (a path segment, so not empty).",
        "schema": {**registry().contents(_uri("camera-pairing/types"))["$defs"]["ID"], "minLength": 1},
    }
    ok_empty = {"200": {"description": "Success", "content": _json_content("camera-pairing/response/empty")}}
    collection = f"{CAMERA_API_ROOT}/camerapairings"
    item = f"{collection}/{{id}}"
    add_responses = {
        status: {
            "description": "Created" if status == "201" else "Added (older firmware answers 200)",
            "content": _json_content("camera-pairing/response/add"),
            "links": _item_links("$response.body#/data/id"),
        }
        for status in ("201", "200")
    }
    paths: dict[str, Any] = {
        CAMERA_API_ROOT: {
            "get": _operation(
                "getCameraPairingRoot",
                "GET the camera-pairing.v1 singleton (everything below it)",
                {"200": {"description": "Success", "content": _json_content("camera-pairing/response/root")}},
            )
        },
        collection: {
            "get": _operation(
                "listCameraPairings",
                "GET the camerapairings collection",
                {
                    "200": {
                        "description": "Success",
                        "content": _json_content("camera-pairing/response/list"),
                        "links": _item_links("$response.body#/data/0/id"),
                    }
                },
            ),
            "post": _operation(
                "addCameraPairing", "ADD a camera pairing (admin)", add_responses, body="camera-pairing/add-request"
            ),
        },
        item: {
            "parameters": [id_parameter],
            "get": _operation(
                _op_id("get"),
                "GET one camera pairing",
                {
                    "200": {
                        "description": "The pairing, or (PROTOCOL-NOTES §1) the error envelope carrying 106/107/108 "
                        "when its status is Error",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "anyOf": [
                                        _schema_ref("camera-pairing/response/entity"),
                                        _schema_ref("dca/error"),
                                    ]
                                }
                            }
                        },
                    }
                },
            ),
            "delete": _operation(_op_id("remove"), "REMOVE a camera pairing (admin)", ok_empty),
        },
    }
    for prop, (_datatype, description, can_get, can_set) in _PROPERTIES.items():
        path_item: dict[str, Any] = {"parameters": [id_parameter], "description": description}
        if can_get:
            path_item["get"] = _operation(
                _op_id("get", prop),
                f"GET {prop} (admin)",
                {"200": {"description": "Success", "content": _json_content(f"{_CP}/response/property/{prop}")}},
            )
        if can_set:
            path_item["patch"] = _operation(
                _op_id("set", prop), f"SET {prop} (admin)", ok_empty, body=f"camera-pairing/set-request/{prop}"
            )
        paths[f"{item}/{prop}"] = path_item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Edge-to-edge camera pairing API",
            "version": "1.0.0-beta",
            "description": f"Built by paircert.schemas from the JSON Schema files (schema version {SCHEMA_VERSION}); "
            "source: developer.axis.com/vapix/device-configuration/edge-to-edge-camera-pairing-api/. "
            "Do not edit: regenerate with `python -m paircert.schemas > schemas/openapi/camera-pairing.openapi.json`.",
        },
        "paths": paths,
        "components": {"schemas": {_component(name): bundled(name) for name in used}},
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n")
