"""The OpenAPI document is valid, complete, self-contained, and the committed copy is current."""

from __future__ import annotations

import json
from typing import Any

import openapi_spec_validator
import pytest
import schemathesis

from paircert import schemas
from paircert.resources import data_dir

ROOT = "/config/rest/camera-pairing/v1beta"
ITEM = f"{ROOT}/camerapairings/{{id}}"
GETTABLE = [
    "id",
    "address",
    "username",
    "status",
    "streamingprotocol",
    "verifycertificate",
    "productmodel",
    "productname",
    "description",
]
SETTABLE = ["address", "username", "password", "description", "streamingprotocol", "verifycertificate"]
EXPECTED_OPERATIONS = {
    ("GET", ROOT),
    ("GET", f"{ROOT}/camerapairings"),
    ("POST", f"{ROOT}/camerapairings"),
    ("GET", ITEM),
    ("DELETE", ITEM),
    *(("GET", f"{ITEM}/{p}") for p in GETTABLE),
    *(("PATCH", f"{ITEM}/{p}") for p in SETTABLE),
}
COMMITTED = data_dir("schemas") / "openapi" / "camera-pairing.openapi.json"
REGENERATE = "python -m paircert.schemas > schemas/openapi/camera-pairing.openapi.json"


@pytest.fixture
def doc() -> dict[str, Any]:
    # A fresh document per test: schemathesis changes the dict it loads (as_state_machine adds
    # empty "links" to responses), so a shared copy would drift from the committed file.
    return schemas.openapi_document()


def _operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "patch", "delete", "put")
    }


def _walk(node: Any) -> list[Any]:
    found = [node]
    if isinstance(node, dict):
        found += [n for value in node.values() for n in _walk(value)]
    elif isinstance(node, list):
        found += [n for item in node for n in _walk(item)]
    return found


def test_schemathesis_loads_the_document_with_the_expected_operations(doc: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(doc)
    schema.validate()
    loaded = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert loaded == EXPECTED_OPERATIONS
    assert list(schema.iter_schema_warnings()) == []


def test_document_passes_the_openapi_31_specification_validator(doc: dict[str, Any]) -> None:
    openapi_spec_validator.validate(doc)


def test_document_is_openapi_31_without_servers_or_security(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    assert "servers" not in doc
    assert "security" not in doc
    assert "securitySchemes" not in doc.get("components", {})
    for key, op in _operations(doc).items():
        assert "security" not in op, key


def test_every_operation_has_a_success_schema_and_the_error_responses(doc: dict[str, Any]) -> None:
    components = doc["components"]["schemas"]
    for key, op in _operations(doc).items():
        success = [status for status in op["responses"] if status.startswith("2")]
        assert success, key
        for status, response in op["responses"].items():
            schema = response["content"]["application/json"]["schema"]
            refs = [n["$ref"] for n in _walk(schema) if isinstance(n, dict) and "$ref" in n]
            assert refs, (key, status)
            for ref in refs:
                assert ref.removeprefix("#/components/schemas/") in components, ref
            if not status.startswith("2"):
                assert refs == ["#/components/schemas/dca.error"], (key, status)
        assert {"400", "401", "403", "404", "405"} <= set(op["responses"]), key
        if key[0] in ("POST", "PATCH"):
            assert {"409", "415"} <= set(op["responses"]), key
            body = op["requestBody"]
            assert body["required"] is True
            assert "application/json" in body["content"]


def test_operation_schemas_come_from_the_schema_files(doc: dict[str, Any]) -> None:
    ops = _operations(doc)
    components = doc["components"]["schemas"]

    def schema_of(content: dict[str, Any]) -> str:
        return content["application/json"]["schema"]["$ref"].removeprefix("#/components/schemas/")

    add = ops[("POST", f"{ROOT}/camerapairings")]
    assert schema_of(add["requestBody"]["content"]) == "camera-pairing.add-request"
    assert schema_of(add["responses"]["201"]["content"]) == "camera-pairing.response.add"
    listing = ops[("GET", f"{ROOT}/camerapairings")]
    assert schema_of(listing["responses"]["200"]["content"]) == "camera-pairing.response.list"
    for prop in SETTABLE:
        body = ops[("PATCH", f"{ITEM}/{prop}")]["requestBody"]["content"]
        assert schema_of(body) == f"camera-pairing.set-request.{prop}"
    for prop in GETTABLE:
        content = ops[("GET", f"{ITEM}/{prop}")]["responses"]["200"]["content"]
        assert schema_of(content) == f"camera-pairing.response.property.{prop}"
    for name, schema in components.items():
        assert schema == schemas.bundled(name.replace(".", "/")), name


def test_document_is_self_contained(doc: dict[str, Any]) -> None:
    refs = [n["$ref"] for n in _walk(doc) if isinstance(n, dict) and isinstance(n.get("$ref"), str)]
    assert refs and all(ref.startswith("#/components/") for ref in refs)
    assert not [n for n in _walk(doc) if isinstance(n, dict) and ("$id" in n or "$defs" in n)]


def test_add_response_links_feed_every_item_operation(doc: dict[str, Any]) -> None:
    ops = _operations(doc)
    ids = {op["operationId"]: key for key, op in ops.items()}
    item_ops = {key for key in ops if key[1].startswith(ITEM)}
    for status in ("201", "200"):
        links = ops[("POST", f"{ROOT}/camerapairings")]["responses"][status]["links"]
        assert {link["parameters"]["id"] for link in links.values()} == {"$response.body#/data/id"}
        assert {ids[link["operationId"]] for link in links.values()} == item_ops
    list_links = ops[("GET", f"{ROOT}/camerapairings")]["responses"]["200"]["links"]
    assert {link["parameters"]["id"] for link in list_links.values()} == {"$response.body#/data/0/id"}


def test_schemathesis_builds_a_state_machine_from_the_links(doc: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(doc)
    item_operations = len([key for key in _operations(doc) if key[1].startswith(ITEM)])
    # One transition per item operation from each of POST 201, POST 200 and the list GET.
    assert schema.statistic.transitions.total == 3 * item_operations
    assert callable(schema.as_state_machine().run)


def test_password_has_only_a_patch_operation(doc: dict[str, Any]) -> None:
    assert set(doc["paths"][f"{ITEM}/password"]) == {"parameters", "description", "patch"}
    for prop in ("id", "status", "productmodel", "productname"):
        assert "patch" not in doc["paths"][f"{ITEM}/{prop}"]


def test_committed_openapi_file_is_in_sync(doc: dict[str, Any]) -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert committed == doc, f"{COMMITTED} is stale; regenerate it with `{REGENERATE}`"
    rendered = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert COMMITTED.read_text(encoding="utf-8") == rendered, f"formatting differs; regenerate with `{REGENERATE}`"
