"""The schema files say what the two documents say: examples, limits, enums and error tables.

Example bodies are copied from the seed documents (/work/shared/seeds/) as literal data, each with
the section it comes from, so a change to a schema that contradicts the document fails here.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from paircert import schemas
from paircert.resources import data_dir

CP = "camera-pairing"
RP = "radar-pairing"
SCHEMA_ROOT = data_dir("schemas")

CONTRACT_NAMES = [
    "dca/success",
    "dca/error",
    "camera-pairing/types",
    "camera-pairing/entity",
    "camera-pairing/add-request",
    *(
        f"camera-pairing/set-request/{p}"
        for p in ("address", "username", "password", "description", "streamingprotocol", "verifycertificate")
    ),
    *(f"camera-pairing/response/{r}" for r in ("root", "list", "entity", "add", "empty")),
    *(
        f"camera-pairing/response/property/{p}"
        for p in (
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
    ),
    "camera-pairing/strict/address",
    "radar-pairing/types",
    "radar-pairing/error",
    *(
        f"radar-pairing/{kind}/{m}"
        for kind in ("request", "response")
        for m in (
            "getRadarConnection",
            "setRadarConnection",
            "clearConfiguration",
            "getActive",
            "setActive",
            "getSupportedVersions",
        )
    ),
    "meta/camera-pairing-errors",
    "meta/radar-pairing-errors",
]


def valid(name: str, instance: Any) -> None:
    assert schemas.validate(name, instance) == [], f"{name} rejects {instance!r}"


def invalid(name: str, instance: Any) -> list[str]:
    errors = schemas.validate(name, instance)
    assert errors, f"{name} accepts {instance!r}"
    return errors


# --------------------------------------------------------------------------- the files themselves


def test_every_contract_schema_exists() -> None:
    assert set(CONTRACT_NAMES) <= set(schemas.schema_names())


@pytest.mark.parametrize("name", schemas.schema_names())
def test_schema_is_valid_against_its_metaschema(name: str) -> None:
    schema = json.loads((SCHEMA_ROOT / f"{name}.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://paircert.invalid/schemas/{name}.json"
    Draft202012Validator.check_schema(schema)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


@pytest.mark.parametrize("name", schemas.schema_names())
def test_every_ref_resolves(name: str) -> None:
    resolver = schemas.registry().resolver(base_uri=f"https://paircert.invalid/schemas/{name}.json")
    for ref in _refs(schemas.load(name)):
        assert resolver.lookup(ref).contents is not None, ref


@pytest.mark.parametrize("name", schemas.schema_names())
def test_bundled_copy_has_no_references_left(name: str) -> None:
    assert _refs(schemas.bundled(name)) == []


def test_every_schema_cites_its_source() -> None:
    for name in schemas.schema_names():
        assert schemas.load(name).get("$comment"), f"{name} has no $comment naming its source"


def test_load_returns_an_independent_copy_and_rejects_unknown_names() -> None:
    first = schemas.load("dca/error")
    first["required"].append("mutated")
    assert "mutated" not in schemas.load("dca/error")["required"]
    with pytest.raises(KeyError):
        schemas.load("no/such/schema")
    with pytest.raises(KeyError):
        schemas.validate("no/such/schema", {})


# --------------------------------------------------------------------------- camera pairing examples

# Use cases > Pair an external camera to a device > Example request (the curl -d body)
ADD_REQUEST = {
    "data": {
        "address": "string",
        "description": "string",
        "password": "string",
        "streamingprotocol": "SRTSP",
        "username": "string",
        "verifycertificate": True,
    }
}
# Use cases > Pair an external camera to a device > Example successful response
ADD_RESPONSE = {
    "status": "success",
    "data": {
        "address": "string",
        "description": "string",
        "id": "CameraPairing-1717587392-934150",
        "productmodel": "I7010-VE",
        "productname": "AXIS I7010-VE Network Intercom",
        "status": "Paired",
        "streamingprotocol": "SRTSP",
        "username": "string",
        "verifycertificate": True,
    },
}
# Use cases > Get current camera pairing settings > Example successful response
GET_RESPONSE = {
    "status": "success",
    "data": {
        "address": "string",
        "description": "string",
        "id": "CameraPairing-1717587844-211730",
        "productmodel": "I7010-VE",
        "productname": "AXIS I7010-VE Network Intercom",
        "status": "Paired",
        "streamingprotocol": "SRTSP",
        "username": "string",
        "verifycertificate": True,
    },
}
# Use cases > Unpair ... and Modify ... > Example successful response
EMPTY_SUCCESS = {"status": "success"}
# Use cases > Modify an existing camera pairing > Example request to modify <property>
PATCH_REQUESTS = {
    "address": {"data": "string"},
    "username": {"data": "string"},
    "password": {"data": "string"},
    "description": {"data": "string"},
    "streamingprotocol": {"data": "SRTSP"},
    "verifycertificate": {"data": True},
}
# Every use case's "Example failure response" (five identical copies in the document)
FAILURE_PLACEHOLDER = {"error": {"code": 0, "message": "string"}, "status": "string"}
# Use cases > Get current camera pairing status > Example successful response
STATUS_PLACEHOLDER = {"status": "success", "data": "string"}


def test_add_example_request_is_a_valid_add_request() -> None:
    valid(f"{CP}/add-request", ADD_REQUEST)


def test_add_example_response_is_a_valid_add_response() -> None:
    valid(f"{CP}/response/add", ADD_RESPONSE)
    valid(f"{CP}/response/entity", ADD_RESPONSE)
    valid(f"{CP}/entity", ADD_RESPONSE["data"])


def test_get_settings_example_response_is_a_valid_entity_response() -> None:
    valid(f"{CP}/response/entity", GET_RESPONSE)
    valid(f"{CP}/response/list", {"status": "success", "data": [GET_RESPONSE["data"]]})
    valid(f"{CP}/response/root", {"status": "success", "data": {"camerapairings": [GET_RESPONSE["data"]]}})


def test_remove_and_modify_example_responses_are_empty_successes() -> None:
    valid(f"{CP}/response/empty", EMPTY_SUCCESS)
    valid("dca/success", EMPTY_SUCCESS)
    valid(f"{CP}/response/add", EMPTY_SUCCESS)  # the framework's ADD without data


@pytest.mark.parametrize("prop", sorted(PATCH_REQUESTS))
def test_modify_example_requests_are_valid_set_requests(prop: str) -> None:
    valid(f"{CP}/set-request/{prop}", PATCH_REQUESTS[prop])


def test_failure_example_is_a_placeholder_that_only_the_documented_shape_accepts() -> None:
    # The document's "Example failure response" is a generated placeholder ("status": "string",
    # code 0) that no device sends. It still has the documented shape of a DCA body with an error
    # object, but the error envelope a device must send requires "status": "error".
    valid("dca/envelope", FAILURE_PLACEHOLDER)
    assert schemas.validate("dca/error", FAILURE_PLACEHOLDER) == ["status: 'error' was expected"]
    real_failure = {"status": "error", "error": {"code": 102, "message": "The specified address is not valid."}}
    valid("dca/error", real_failure)
    valid("dca/envelope", real_failure)


def test_status_example_is_a_placeholder_outside_the_status_enum() -> None:
    # "data": "string" is a placeholder: CameraPairingStatus allows only the four documented values.
    valid("dca/success", STATUS_PLACEHOLDER)
    errors = invalid(f"{CP}/response/property/status", STATUS_PLACEHOLDER)
    assert errors == ["data: 'string' is not one of ['NotPaired', 'Paired', 'Error', 'Connecting']"]
    for value in ("NotPaired", "Paired", "Error", "Connecting"):
        valid(f"{CP}/response/property/status", {"status": "success", "data": value})


def test_example_ids_are_valid_id_property_responses() -> None:
    for pairing_id in (
        "CameraPairing-1717587392-934150",
        "CameraPairing-1717585565-843505",
        "CameraPairing-1731406548-55051",
    ):
        valid(f"{CP}/response/property/id", {"status": "success", "data": pairing_id})


# --------------------------------------------------------------------------- camera pairing rules

LENGTH_LIMITS = {"address": 64, "username": 64, "password": 64, "description": 128}


@pytest.mark.parametrize("prop", sorted(LENGTH_LIMITS))
@pytest.mark.parametrize("char", ["x", "é", "漢", "😀"], ids=["ascii", "latin1", "cjk", "astral"])
def test_length_limits_count_characters(prop: str, char: str) -> None:
    limit = LENGTH_LIMITS[prop]
    valid(f"{CP}/set-request/{prop}", {"data": char * limit})
    valid(f"{CP}/set-request/{prop}", {"data": ""})
    invalid(f"{CP}/set-request/{prop}", {"data": char * (limit + 1)})
    body = json.loads(json.dumps(ADD_REQUEST))
    body["data"][prop] = char * limit
    valid(f"{CP}/add-request", body)
    body["data"][prop] = char * (limit + 1)
    invalid(f"{CP}/add-request", body)


@pytest.mark.parametrize("prop", ["id", "address", "username", "productmodel", "productname", "description"])
def test_entity_string_limits(prop: str) -> None:
    limit = 128 if prop == "description" else 64
    entity = dict(GET_RESPONSE["data"])
    entity[prop] = "ü" * limit
    valid(f"{CP}/entity", entity)
    valid(f"{CP}/response/property/{prop}", {"status": "success", "data": "ü" * limit})
    entity[prop] = "ü" * (limit + 1)
    assert schemas.validate(f"{CP}/entity", entity) == [f"{prop}: {'ü' * (limit + 1)!r} is too long"]


def test_validate_message_format() -> None:
    errors = schemas.validate(f"{CP}/set-request/address", {"data": "x" * 65})
    assert errors == [f"data: {'x' * 65!r} is too long"]
    errors = schemas.validate(f"{CP}/add-request", {"data": {**ADD_REQUEST["data"], "address": "x" * 65}})
    assert errors == [f"data.address: {'x' * 65!r} is too long"]
    errors = schemas.validate(f"{CP}/response/list", {"status": "success", "data": [{**GET_RESPONSE["data"], "id": 7}]})
    assert errors == ["data[0].id: 7 is not of type 'string'"]
    assert schemas.validate("dca/success", []) == ["(root): [] is not of type 'object'"]


def test_entity_rejects_password_without_repeating_it() -> None:
    entity = {**GET_RESPONSE["data"], "password": "s3cret-value"}
    errors = invalid(f"{CP}/entity", entity)
    assert errors == ["(root): 'password' should not be valid under {'const': 'password'}"]
    response_errors = invalid(f"{CP}/response/entity", {"status": "success", "data": entity})
    assert response_errors == ["data: 'password' should not be valid under {'const': 'password'}"]
    invalid(f"{CP}/response/list", {"status": "success", "data": [entity]})
    invalid(f"{CP}/response/add", {"status": "success", "data": entity})


def test_password_values_never_appear_in_messages() -> None:
    secret = "p" * 65
    for name, instance in (
        (f"{CP}/set-request/password", {"data": secret}),
        (f"{CP}/add-request", {"data": {**ADD_REQUEST["data"], "password": secret}}),
        (
            f"{RP}/request/setRadarConnection",
            {
                "apiVersion": "1.0",
                "method": "setRadarConnection",
                "params": {"address": "a", "user": "u", "password": secret},
            },
        ),
        (f"{CP}/add-request", {"data": [{"password": secret}]}),
    ):
        errors = invalid(name, instance)
        assert all(secret not in error for error in errors), errors
    assert schemas.validate(f"{CP}/set-request/password", {"data": secret}) == [
        "data: '<redacted: 65 characters>' is too long"
    ]


def test_entity_requires_every_gettable_property() -> None:
    for prop in GET_RESPONSE["data"]:
        entity = {k: v for k, v in GET_RESPONSE["data"].items() if k != prop}
        assert schemas.validate(f"{CP}/entity", entity) == [f"(root): {prop!r} is a required property"]


@pytest.mark.parametrize("prop", sorted(ADD_REQUEST["data"]))
def test_add_requires_all_six_properties(prop: str) -> None:
    data = {k: v for k, v in ADD_REQUEST["data"].items() if k != prop}
    assert schemas.validate(f"{CP}/add-request", {"data": data}) == [f"data: {prop!r} is a required property"]


def test_add_rejects_get_only_members_and_a_bare_object() -> None:
    invalid(f"{CP}/add-request", {"data": {**ADD_REQUEST["data"], "id": "CameraPairing-1-1"}})
    invalid(f"{CP}/add-request", ADD_REQUEST["data"])


def test_enums_are_exactly_as_documented() -> None:
    defs = schemas.load(f"{CP}/types")["$defs"]
    assert defs["CameraPairingStatus"]["enum"] == ["NotPaired", "Paired", "Error", "Connecting"]
    assert defs["CameraPairingStreamingProtocol"]["enum"] == ["RTSP", "SRTSP"]
    assert defs["VerifyCertificate"]["type"] == "boolean"
    invalid(f"{CP}/set-request/streamingprotocol", {"data": "rtsp"})
    invalid(f"{CP}/set-request/streamingprotocol", {"data": "HTTP"})
    invalid(f"{CP}/set-request/verifycertificate", {"data": "true"})
    invalid(f"{CP}/set-request/verifycertificate", {"data": 1})


def test_documented_data_types_are_copied_verbatim() -> None:
    defs = schemas.load(f"{CP}/types")["$defs"]
    documented = {
        "Address": {"description": "Address for the camera pairing", "maxLength": 64, "type": "string"},
        "Username": {"description": "Username for the camera pairing", "maxLength": 64, "type": "string"},
        "Password": {"description": "Password for the camera pairing", "maxLength": 64, "type": "string"},
        "ID": {
            "description": "The unique ID generated automatically for the camera pairing",
            "maxLength": 64,
            "type": "string",
        },
        "CameraPairingStatus": {
            "description": "Current status of the camera pairing",
            "enum": ["NotPaired", "Paired", "Error", "Connecting"],
            "type": "string",
        },
        "CameraPairingStreamingProtocol": {
            "description": "Streaming protocol used for the camera pairing",
            "enum": ["RTSP", "SRTSP"],
            "type": "string",
        },
        "ProductModel": {"description": "The product model of the paired camera", "maxLength": 64, "type": "string"},
        "ProductName": {"description": "The full product name of the paired camera", "maxLength": 64, "type": "string"},
        "Description": {"description": "Description of the paired camera", "maxLength": 128, "type": "string"},
    }
    for name, body in documented.items():
        assert {k: v for k, v in defs[name].items() if k != "$comment"} == body, name


def test_empty_success_rejects_data() -> None:
    invalid(f"{CP}/response/empty", {"status": "success", "data": {}})
    invalid(f"{CP}/response/empty", {"status": "error"})


def test_list_holds_at_most_one_pairing() -> None:
    invalid(f"{CP}/response/list", {"status": "success", "data": [GET_RESPONSE["data"]] * 2})
    valid(f"{CP}/response/list", {"status": "success", "data": []})


# --------------------------------------------------------------------------- strict layer


def test_strict_address_is_labelled_as_implied_by_error_102() -> None:
    strict = schemas.load(f"{CP}/strict/address")
    assert "error 102" in strict["$comment"]
    assert "Not a documented type" in strict["$comment"]
    assert "STRICT" in strict["title"]


@pytest.mark.parametrize(
    "address",
    [
        "192.0.2.10",
        str(ipaddress.IPv4Address(0)),  # the unspecified address: a valid IPv4 text, never dialled
        "255.255.255.255",
        "::1",
        "::",
        "2001:db8::1",
        "fe80::1",
        "1:2:3:4:5:6:7:8",
        "::ffff:192.0.2.1",
        "localhost",
        "camera-1.example.com",
        "example.com.",
        "string",
        "x1",
    ],
)
def test_strict_address_accepts_ip_addresses_and_dns_names(address: str) -> None:
    valid(f"{CP}/strict/address", address)
    valid(f"{CP}/set-request/address", {"data": address})


@pytest.mark.parametrize(
    "address",
    [
        "",
        "256.1.1.1",
        "1.2.3",
        "1.2.3.999",
        "999",
        "1:2:3:4:5:6:7:8:9",
        "1::2::3",
        "::1%eth0",
        "-cam.example.com",
        "cam-.example.com",
        "a..b",
        "cam_1.example.com",
        "has space",
        "192.0.2.10\n",
        "192.0.2.10:554",
        "rtsp://192.0.2.10",
        "a" * 64 + ".com",
        "ü.example.com",
    ],
)
def test_strict_address_rejects_what_error_102_describes(address: str) -> None:
    invalid(f"{CP}/strict/address", address)


def test_documented_address_stays_any_string_up_to_64() -> None:
    # The documented layer does not know error 102's rule; only the strict layer does.
    valid(f"{CP}/set-request/address", {"data": "not an address!"})
    invalid(f"{CP}/strict/address", "not an address!")
    invalid(f"{CP}/strict/address", "a" * 65)


# --------------------------------------------------------------------------- radar pairing examples


def _radar(method: str, **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "1.0", "context": "my context", "method": method, **extra}


RADAR_REQUESTS = {  # API Specifications > <method> > Request
    "getRadarConnection": _radar("getRadarConnection"),
    "clearConfiguration": _radar("clearConfiguration"),
    "getActive": _radar("getActive"),
    "setActive": _radar("setActive", params={"active": True}),
    "getSupportedVersions": _radar("getSupportedVersions"),
}
# API Specifications > setRadarConnection > Request: the example omits the documented password
# (Parameter descriptions: password=<string>, Minimum 1, Maximum 64) and carries "state".
SET_RADAR_EXAMPLE = _radar(
    "setRadarConnection",
    params={"address": "192.168.0.90", "user": "john", "state": "ok", "tls": False, "tls-verify": False},
)
RADAR_RESPONSES = {  # API Specifications > <method> > Successful response
    "getRadarConnection": _radar(
        "getRadarConnection",
        data={"address": "192.168.0.90", "user": "john", "state": "ok", "tls": False, "tls-verify": False},
    ),
    "setRadarConnection": _radar("setRadarConnection", data={}),
    "clearConfiguration": _radar("clearConfiguration", data={}),
    "getActive": _radar("getActive", data={"active": True}),
    "setActive": _radar("setActive", data={}),
}
# API Specifications > getSupportedVersions > Successful response (placeholders, see the test)
SUPPORTED_VERSIONS_PLACEHOLDER = _radar(
    "getSupportedVersions", data={"apiVersions": ["<Major1>.<Minor1>", "<Major2>.<Minor2>"]}
)
RADAR_METHODS = [
    "getRadarConnection",
    "setRadarConnection",
    "clearConfiguration",
    "getActive",
    "setActive",
    "getSupportedVersions",
]


@pytest.mark.parametrize("method", sorted(RADAR_REQUESTS))
def test_radar_example_requests_are_valid(method: str) -> None:
    valid(f"{RP}/request/{method}", RADAR_REQUESTS[method])


def test_set_radar_connection_example_lacks_only_the_documented_password() -> None:
    assert schemas.validate(f"{RP}/request/setRadarConnection", SET_RADAR_EXAMPLE) == [
        "params: 'password' is a required property"
    ]
    with_password = json.loads(json.dumps(SET_RADAR_EXAMPLE))
    with_password["params"]["password"] = "doe"  # the table's example value
    valid(f"{RP}/request/setRadarConnection", with_password)


@pytest.mark.parametrize("method", sorted(RADAR_RESPONSES))
def test_radar_example_responses_are_valid(method: str) -> None:
    valid(f"{RP}/response/{method}", RADAR_RESPONSES[method])
    valid(f"{RP}/success", RADAR_RESPONSES[method])


def test_supported_versions_example_is_a_placeholder() -> None:
    # "<Major1>.<Minor1>" stands for a version such as "1.0"; it is not a version string itself.
    valid(f"{RP}/success", SUPPORTED_VERSIONS_PLACEHOLDER)
    invalid(f"{RP}/response/getSupportedVersions", SUPPORTED_VERSIONS_PLACEHOLDER)
    valid(f"{RP}/response/getSupportedVersions", _radar("getSupportedVersions", data={"apiVersions": ["1.0", "1.2"]}))


@pytest.mark.parametrize("method", RADAR_METHODS)
def test_radar_example_error_responses_are_valid(method: str) -> None:
    # API Specifications > <method> > Error response
    example = _radar(method, error={"code": 2101, "message": "Invalid JSON."})
    valid(f"{RP}/error", example)
    invalid(f"{RP}/response/{method}", example)
    # Parameter descriptions > Error response parameters: apiVersion 2.0, code 1100
    valid(
        f"{RP}/error",
        {
            "apiVersion": "2.0",
            "context": "my context",
            "method": method,
            "error": {"code": 1100, "message": "Internal error."},
        },
    )


@pytest.mark.parametrize("method", RADAR_METHODS)
def test_radar_request_method_is_fixed(method: str) -> None:
    request = dict(
        RADAR_REQUESTS.get(method, {**SET_RADAR_EXAMPLE, "params": {"address": "a", "user": "u", "password": "p"}})
    )
    valid(f"{RP}/request/{method}", request)
    request["method"] = "getSomethingElse"
    invalid(f"{RP}/request/{method}", request)


def test_radar_set_connection_params() -> None:
    def body(**params: Any) -> dict[str, Any]:
        return {"apiVersion": "1.0", "method": "setRadarConnection", "params": params}

    name = f"{RP}/request/setRadarConnection"
    valid(name, body(address="192.168.0.90", user="john", password="d"))
    valid(name, body(address="192.168.0.90", user="john", password="ü" * 64, tls=True))
    valid(name, body(address="192.168.0.90", user="john", password="doe", **{"tls-verify": True}))
    valid(name, body(address="192.168.0.90", user="john", password="doe", **{"tls-certificate-cn": "radar.example"}))
    valid(name, body(address="192.168.0.90", user="john", password="doe", state="ok"))  # unknown members allowed
    invalid(name, body(address="192.168.0.90", user="john", password=""))
    invalid(name, body(address="192.168.0.90", user="john", password="ü" * 65))
    invalid(name, body(address="192.168.0.90", user="john", password="doe", tls="false"))
    invalid(name, body(address="192.168.0.90", user="john", password="doe", **{"tls-certificate-cn": 5}))
    for missing in ("address", "user", "password"):
        params = {"address": "a", "user": "u", "password": "p"}
        del params[missing]
        invalid(name, body(**params))
    invalid(name, {"apiVersion": "1.0", "method": "setRadarConnection"})


def test_radar_get_connection_accepts_both_revisions() -> None:
    name = f"{RP}/response/getRadarConnection"
    valid(
        name,
        _radar(
            "getRadarConnection",
            data={
                "address": "192.168.0.90",
                "user": "john",
                "state": "connect-failed",
                "tls-certificate-cn": "radar-1",
            },
        ),
    )
    valid(name, _radar("getRadarConnection", data={"address": "", "user": "", "state": "not-configured"}))
    invalid(name, _radar("getRadarConnection", data={"address": "a", "user": "u", "state": "connected"}))
    invalid(name, _radar("getRadarConnection", data={"address": "a", "user": "u", "state": "ok", "tls": "no"}))
    invalid(name, _radar("getRadarConnection", data={"address": "a", "user": "u", "state": "ok", "password": "p"}))


def test_radar_state_enum_has_the_eight_documented_values() -> None:
    assert schemas.load(f"{RP}/types")["$defs"]["State"]["enum"] == [
        "failed",
        "address-failed",
        "connect-failed",
        "authentication-failed",
        "transfer-failed",
        "not-configured",
        "not-active",
        "ok",
    ]


@pytest.mark.parametrize(
    "version,ok",
    [("1.0", True), ("2.10", True), ("1", False), ("1.0.0", False), ("v1.0", False), ("", False), ("1.x", False)],
)
def test_radar_api_version_format(version: str, ok: bool) -> None:
    errors = schemas.validate(f"{RP}/request/getActive", {"apiVersion": version, "method": "getActive"})
    assert (errors == []) is ok, errors


def test_radar_api_version_optional_only_for_get_supported_versions() -> None:
    valid(f"{RP}/request/getSupportedVersions", {"method": "getSupportedVersions"})
    for method in ("getRadarConnection", "clearConfiguration", "getActive"):
        invalid(f"{RP}/request/{method}", {"method": method})


def test_radar_set_active_requires_a_boolean() -> None:
    invalid(f"{RP}/request/setActive", _radar("setActive"))
    invalid(f"{RP}/request/setActive", _radar("setActive", params={"active": "true"}))
    invalid(f"{RP}/response/getActive", _radar("getActive", data={}))


def test_radar_success_and_error_are_exclusive() -> None:
    both = _radar("getActive", data={"active": True}, error={"code": 2201, "message": "Missing configuration."})
    invalid(f"{RP}/response/getActive", both)
    invalid(f"{RP}/error", both)


# --------------------------------------------------------------------------- catalogues


def test_catalogue_files_match_their_meta_schemas() -> None:
    for api in (CP, RP):
        rows = json.loads((SCHEMA_ROOT / "catalogues" / f"{api}-errors.json").read_text(encoding="utf-8"))
        valid(f"meta/{api}-errors", rows)
    invalid(f"meta/{CP}-errors", [{"code": "101", "message": "m", "description": "d"}])
    invalid(f"meta/{RP}-errors", [{"code": 2100, "message": "m"}])


def test_camera_pairing_catalogue_is_the_documented_table() -> None:
    entries = schemas.catalogue(CP)
    assert {code: (e.message, e.description) for code, e in entries.items()} == {
        101: (
            "The specified address is already assigned to the device itself.",
            "Occurs when you try to create a camera pairing to the device itself.",
        ),
        102: (
            "The specified address is not valid.",
            "Occurs when the specified address is not a valid IPv4/IPv6 address, or a DNS name.",
        ),
        104: ("Maximum number of camera pairings reached.", "Occurs when you try to create a second camera pairing."),
        106: ("Lost connection", "Streaming connection is lost."),
        107: ("Unauthorized", "Unauthorized streaming."),
        108: ("Could Not Connect", "Couldn't connect to streaming."),
    }
    assert all(e.http_status is None and e.code == code for code, e in entries.items())


def test_radar_pairing_catalogue_is_the_documented_table() -> None:
    entries = schemas.catalogue(RP)
    assert {code: (e.message, e.http_status, e.http_statuses) for code, e in entries.items()} == {
        2100: ("API version not supported.", None, ()),
        2101: ("Invalid JSON.", 400, (400,)),
        2102: ("Method not supported.", None, ()),
        2103: ("Required parameter missing.", None, ()),
        2104: ("Invalid parameter value specified.", None, ()),
        2106: ("Authentication failed.", 401, (401,)),
        2105: ("Authorization failed.", 403, (403,)),
        2107: ("Transport level error.", 405, (405, 411, 413)),
        2200: ("Configuration cannot be changed or removed while enabled.", None, ()),
        2201: ("Missing configuration.", None, ()),
        2202: ("Usability test of the configuration failed.", None, ()),
        1100: ("Internal error.", 500, (500,)),
    }


def test_catalogue_entries_are_frozen_and_unknown_apis_refused() -> None:
    entry = schemas.catalogue(CP)[101]
    with pytest.raises(AttributeError):
        entry.code = 1  # type: ignore[misc]
    with pytest.raises(KeyError):
        schemas.catalogue("no-such-api")  # type: ignore[arg-type]


def test_catalogued_errors_fit_the_error_envelopes() -> None:
    for entry in schemas.catalogue(CP).values():
        valid("dca/error", {"status": "error", "error": {"code": entry.code, "message": entry.message}})
    for entry in schemas.catalogue(RP).values():
        valid(
            f"{RP}/error",
            {"apiVersion": "1.0", "method": "getActive", "error": {"code": entry.code, "message": entry.message}},
        )


# --------------------------------------------------------------------------- model and version


def test_model_document_lists_the_documented_operations() -> None:
    model = schemas.model_document()
    root = model["root"]
    assert (root["name"], root["type"], root["operations"]) == ("camera-pairing.v1", "singleton", {"GET": {}})
    collection = root["children"]["camerapairings"]
    assert (collection["type"], collection["key_property"]) == ("collection", "id")
    assert collection["operations"] == {
        "GET": {},
        "ADD": {
            "permissions": ["admin"],
            "required_properties": [
                "address",
                "username",
                "password",
                "streamingprotocol",
                "verifycertificate",
                "description",
            ],
        },
        "REMOVE": {"permissions": ["admin"]},
    }
    ops = {name: sorted(prop["operations"]) for name, prop in collection["properties"].items()}
    assert ops == {
        "id": ["GET"],
        "address": ["GET", "SET"],
        "username": ["GET", "SET"],
        "password": ["SET"],
        "status": ["GET"],
        "streamingprotocol": ["GET", "SET"],
        "verifycertificate": ["GET", "SET"],
        "productmodel": ["GET"],
        "productname": ["GET"],
        "description": ["GET", "SET"],
    }
    assert all(
        op == {"permissions": ["admin"]}
        for prop in collection["properties"].values()
        for op in prop["operations"].values()
    )
    assert model["datatypes"]["Description"]["maxLength"] == 128
    assert model["rest_api"] == "/config/rest/camera-pairing/v1beta"
    json.dumps(model)


def test_schema_version_names_both_document_revisions() -> None:
    assert schemas.SCHEMA_VERSION == "2025-09-10+2025-08-18"
