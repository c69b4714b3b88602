"""The one JSON-CGI dispatcher: envelope, apiVersion rules, context echo, error table from the catalogue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from paircert import schemas
from paircert.vapix.body import BodyError, BodyLimits
from paircert.vapix.cgi import CgiCall, CgiChoices, CgiError, CgiResult, JsonCgi, supported_versions
from paircert.vapix.deviceinfo import UNRESTRICTED, DeviceInfoCgi, properties

CATALOGUE = schemas.catalogue("radar-pairing")
METHODS = ("getSupportedVersions", "getThing")


def _cgi(**choices: Any) -> JsonCgi:
    return JsonCgi(["1.0", "1.4", "2.1"], METHODS, CgiChoices(**choices))


def _run(cgi: JsonCgi, request: Any, *, raw: bytes | None = None, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    body = raw if raw is not None else json.dumps(request).encode()
    handlers = {"getSupportedVersions": lambda call: {"apiVersions": cgi.supported()}, "getThing": _thing}
    result = cgi.handle("POST", body, handlers, **kwargs)
    return result.status, json.loads(result.body)


def _thing(call: CgiCall) -> Any:
    if call.params.get("fail"):
        raise CgiError(2104)
    return {"params": call.params}


def _error(envelope: dict[str, Any]) -> int:
    error = envelope["error"]
    assert error["message"] == CATALOGUE[error["code"]].message  # never a retyped message
    return int(error["code"])


def test_supported_versions_keep_the_highest_minor_of_each_major() -> None:
    assert supported_versions(["1.0", "1.4", "1.2", "2.1"]) == {1: 4, 2: 1}
    for bad in (["1"], ["v1.0"], ["1.0\n"], []):
        with pytest.raises(ValueError):
            supported_versions(bad)


def test_the_answer_carries_the_requested_major_with_its_highest_minor_and_echoes_context() -> None:
    status, body = _run(_cgi(), {"apiVersion": "1.0", "context": {"n": [1]}, "method": "getThing", "params": {"a": 1}})
    assert status == 200
    assert body == {"apiVersion": "1.4", "context": {"n": [1]}, "method": "getThing", "data": {"params": {"a": 1}}}


def test_context_is_echoed_whatever_json_value_it_is_and_left_out_when_absent() -> None:
    contexts: tuple[Any, ...] = (None, 0, "", [], "x" * 100)
    for context in contexts:
        assert _run(_cgi(), {"apiVersion": "2.0", "context": context, "method": "getThing"})[1]["context"] == context
    assert "context" not in _run(_cgi(), {"apiVersion": "2.0", "method": "getThing"})[1]


@pytest.mark.parametrize(
    ("request_body", "code", "echoed_method"),
    [
        ({"apiVersion": "1.0"}, 2103, None),
        ({"apiVersion": "1.0", "method": 7}, 2104, None),
        ({"apiVersion": "1.0", "method": "setThing"}, 2102, "setThing"),
        ({"apiVersion": "1.0", "method": ""}, 2102, ""),
        ({"method": "getThing"}, 2103, "getThing"),
        ({"apiVersion": "3.0", "method": "getThing"}, 2100, "getThing"),
        ({"apiVersion": "9" * 5000 + ".0", "method": "getThing"}, 2100, "getThing"),
        ({"apiVersion": "1", "method": "getThing"}, 2104, "getThing"),
        ({"apiVersion": "1.0\n", "method": "getThing"}, 2104, "getThing"),
        ({"apiVersion": 1.0, "method": "getThing"}, 2104, "getThing"),
        ({"apiVersion": "1.0", "method": "getThing", "params": []}, 2104, "getThing"),
        ({"apiVersion": "1.0", "method": "getThing", "params": {"fail": True}}, 2104, "getThing"),
    ],
)
def test_api_level_errors_answer_200_with_the_catalogue_code(
    request_body: dict[str, Any], code: int, echoed_method: str | None
) -> None:
    status, body = _run(_cgi(), request_body)
    assert status == 200
    assert _error(body) == code
    assert body.get("method") == echoed_method


def test_get_supported_versions_needs_no_api_version_and_checks_one_unless_chosen_otherwise() -> None:
    assert _run(_cgi(), {"method": "getSupportedVersions"})[1]["data"] == {"apiVersions": ["1.4", "2.1"]}
    assert _error(_run(_cgi(), {"apiVersion": "7.0", "method": "getSupportedVersions"})[1]) == 2100
    lenient = _cgi(discovery_checks_version=False)
    for version in ("7.0", "x"):
        body = _run(lenient, {"apiVersion": version, "method": "getSupportedVersions"})[1]
        assert body["data"] == {"apiVersions": ["1.4", "2.1"]}


def test_an_unsupported_or_malformed_version_is_echoed_as_the_device_chooses() -> None:
    unsupported = {"apiVersion": "3.0", "method": "getThing"}
    malformed = {"apiVersion": "one", "method": "getThing"}
    assert _run(_cgi(), unsupported)[1]["apiVersion"] == "3.0"
    assert _run(_cgi(), malformed)[1]["apiVersion"] == "2.1"
    echo = _cgi(echo_malformed_version=True)
    assert _run(echo, malformed)[1]["apiVersion"] == "one"
    own = _cgi(echo_unsupported_version=False)
    assert _run(own, unsupported)[1]["apiVersion"] == "2.1"


def test_transport_errors_carry_their_http_status_and_the_catalogue_code() -> None:
    cgi = _cgi()
    not_post = cgi.receive("GET", b"")
    assert isinstance(not_post, CgiResult) and not_post.status == 405 and ("Allow", "POST") in not_post.headers
    assert _error(json.loads(not_post.body)) == 2107
    for raw, status, code in ((b"[]", 400, 2101), (b"{", 400, 2101), (b"[" * 5000, 400, 2101)):
        result = cgi.handle("POST", raw, {})
        assert (result.status, _error(json.loads(result.body))) == (status, code)
    for refused, code in ((BodyError(411, "no length"), 2107), (BodyError(413, "too big"), 2107)):
        result = cgi.handle("POST", refused, {})
        assert (result.status, _error(json.loads(result.body))) == (refused.status, code)
        assert json.loads(result.body)["apiVersion"] == "2.1"


def test_a_refused_caller_gets_the_status_and_code_for_it_before_the_version_is_checked() -> None:
    for status, code in ((401, 2106), (403, 2105)):
        answer = _run(_cgi(), {"apiVersion": "bad", "method": "getThing"}, authorize=lambda method, s=status: s)
        assert answer[0] == status and _error(answer[1]) == code and answer[1]["method"] == "getThing"


def test_the_result_is_compact_json_and_names_the_method_for_records() -> None:
    result = _cgi().handle("POST", b'{"apiVersion":"1.0","method":"getThing"}', {"getThing": lambda call: {}})
    assert result.content_type == "application/json"
    assert result.body == b'{"apiVersion":"1.4","method":"getThing","data":{}}'
    assert result.method == "getThing"
    assert _cgi().handle("POST", b"{}", {}).method is None


def test_the_body_limits_are_the_device_choice() -> None:
    cgi = _cgi(limits=BodyLimits(max_depth=2))
    assert _run(cgi, None, raw=b'{"apiVersion":"1.0","method":"getThing","params":{"a":{}}}')[0] == 400


def test_device_info_answers_open_methods_to_anyone_and_the_rest_only_with_credentials() -> None:
    info = DeviceInfoCgi(properties(ProdNbr="X-1"))

    def ask(method: str, params: Any = None, **auth: bool) -> tuple[int, dict[str, Any]]:
        request: dict[str, Any] = {"apiVersion": "1.0", "method": method}
        if params is not None:
            request["params"] = params
        result = info.handle("POST", json.dumps(request).encode(), **auth)
        return result.status, json.loads(result.body)

    assert set(ask("getAllUnrestrictedProperties", authenticated=False)[1]["data"]["propertyList"]) == set(UNRESTRICTED)
    assert ask("getAllProperties", authenticated=False)[0] == 401
    assert ask("getAllProperties", authenticated=True)[1]["data"]["propertyList"]["ProdNbr"] == "X-1"
    assert ask("getSupportedVersions", authenticated=False, refused=True)[0] == 401
    assert ask("getProperties", {"propertyList": ["ProdNbr"]}, authenticated=True)[1]["data"] == {
        "propertyList": {"ProdNbr": "X-1"}
    }
    assert _error(ask("getProperties", {}, authenticated=True)[1]) == 2103
    assert _error(ask("getProperties", {"propertyList": ["Nope"]}, authenticated=True)[1]) == 2104
