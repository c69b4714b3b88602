"""The one Digest/Basic implementation: RFC 7616 vectors, both directions, and the httpx flow."""

from __future__ import annotations

import hashlib

import httpx
import pytest

from paircert.auth import (
    Challenge,
    ClientAuth,
    HttpAuth,
    ServerAuth,
    basic_authorization,
    digest_algorithms,
    digest_authorization,
    parse_authorization,
    parse_challenges,
)

# RFC 7616 §3.9.1: the same request answered with MD5 and with SHA-256.
RFC_CHALLENGE = {
    "realm": "http-auth@example.org",
    "qop": "auth, auth-int",
    "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
}
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
RFC_RESPONSES = {
    "MD5": "8ca523f5e9506fed4657c9700eebdbec",
    "SHA-256": "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
}


@pytest.mark.parametrize("algorithm", sorted(RFC_RESPONSES))
def test_digest_answer_matches_rfc7616_vector(algorithm: str) -> None:
    challenge = Challenge("digest", {**RFC_CHALLENGE, "algorithm": algorithm})
    header = digest_authorization(
        challenge,
        username="Mufasa",
        password="Circle of Life",
        method="GET",
        uri="/dir/index.html",
        cnonce=RFC_CNONCE,
    )
    parsed = parse_authorization(header)
    assert parsed is not None
    assert parsed.params["response"] == RFC_RESPONSES[algorithm]
    assert parsed.params["nc"] == "00000001"
    assert parsed.params["opaque"] == RFC_CHALLENGE["opaque"]


def test_challenges_parse_from_one_header_or_several() -> None:
    joined = 'Digest realm="a, b", qop="auth", nonce="n1", algorithm=SHA-256, Basic realm="x"'
    separate = ['Digest realm="a, b", qop="auth", nonce="n1", algorithm=SHA-256', 'Basic realm="x"']
    assert parse_challenges([joined]) == parse_challenges(separate)
    digest, basic = parse_challenges(separate)
    assert (digest.scheme, digest.algorithm, digest.params["realm"]) == ("digest", "SHA-256", "a, b")
    assert (basic.scheme, basic.params["realm"]) == ("basic", "x")


USERS = {"admin": "s3cret"}


def _answer(
    server: ServerAuth, algorithm: str, password: str, nc: int = 1, method: str = "GET", uri: str = "/x"
) -> str:
    offered = {c.algorithm: c for c in parse_challenges(server.challenges()) if c.scheme == "digest"}
    return digest_authorization(offered[algorithm], username="admin", password=password, method=method, uri=uri, nc=nc)


@pytest.mark.parametrize("algorithm", ["MD5", "MD5-SESS", "SHA-256", "SHA-256-SESS"])
def test_server_accepts_right_password_and_rejects_wrong_one(algorithm: str) -> None:
    server = ServerAuth("device", USERS, algorithms=("MD5", "MD5-sess", "SHA-256", "SHA-256-sess"))
    right = server.check("GET", "/x", _answer(server, algorithm, "s3cret"))
    assert (right.username, right.scheme) == ("admin", "digest")
    wrong = server.check("GET", "/x", _answer(server, algorithm, "nope"))
    assert not wrong.ok and not wrong.stale and wrong.reason == "wrong response"


def test_server_offers_md5_alone_by_default_and_algorithms_in_the_order_given() -> None:
    assert [c.algorithm for c in parse_challenges(ServerAuth("device", USERS).challenges())] == ["MD5"]
    both = ServerAuth("device", USERS, algorithms=("sha-256", "md5"), schemes=("digest", "basic"))
    offered = parse_challenges(both.challenges())
    assert [(c.scheme, c.params.get("algorithm")) for c in offered] == [
        ("digest", "SHA-256"),
        ("digest", "MD5"),
        ("basic", None),
    ]
    assert all(c.qops == ["auth"] for c in offered if c.scheme == "digest")


def test_server_refuses_an_algorithm_it_did_not_offer() -> None:
    sha_only = ServerAuth("device", USERS, algorithms=("SHA-256",))
    md5 = ServerAuth("device", USERS)
    header = _answer(md5, "MD5", "s3cret")
    assert sha_only.check("GET", "/x", header).reason == "algorithm not offered"


@pytest.mark.parametrize("bad", [(), ("SHA-1",), ("MD5", "md5")])
def test_unknown_empty_or_repeated_algorithms_are_refused_at_construction(bad: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        ServerAuth("device", USERS, algorithms=bad)


def test_algorithm_lists_parse_from_a_command_line_string() -> None:
    assert digest_algorithms("sha-256, MD5") == ("SHA-256", "MD5")
    assert digest_algorithms(["md5-sess"]) == ("MD5-sess",)
    with pytest.raises(ValueError, match="SHA-256"):
        digest_algorithms("SHA-512")


@pytest.mark.parametrize("schemes", [(), ("digest", "ntlm"), ("basic", "basic")])
def test_unknown_empty_or_repeated_schemes_are_refused_at_construction(schemes: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        ServerAuth("device", USERS, schemes=schemes)


def test_server_checks_the_digest_uri_against_the_request_target() -> None:
    server = ServerAuth("device", USERS)
    header = _answer(server, "MD5", "s3cret", uri="/other")
    result = server.check("GET", "/x", header)
    assert not result.ok and result.reason == "Digest uri does not match the request"
    assert server.check("GET", "/other", header).ok


def test_server_accepts_an_rfc_2069_answer_without_qop() -> None:
    server = ServerAuth("device", USERS)
    offered = parse_challenges(server.challenges())[0]
    rfc2069 = Challenge("digest", {"realm": offered.params["realm"], "nonce": offered.params["nonce"]})
    header = digest_authorization(rfc2069, username="admin", password="s3cret", method="DESCRIBE", uri="rtsp://h/a")
    params = parse_authorization(header).params  # type: ignore[union-attr]
    assert "qop" not in params and "nc" not in params and "cnonce" not in params
    assert server.check("DESCRIBE", "rtsp://h/a", header).username == "admin"
    wrong = digest_authorization(rfc2069, username="admin", password="nope", method="DESCRIBE", uri="rtsp://h/a")
    assert not server.check("DESCRIBE", "rtsp://h/a", wrong).ok


def test_server_refuses_a_qop_other_than_auth() -> None:
    server = ServerAuth("device", USERS)
    header = _answer(server, "MD5", "s3cret").replace("qop=auth", "qop=auth-int")
    assert server.check("GET", "/x", header).reason == "qop must be auth (or absent, RFC 2069)"


def test_server_rejects_replayed_nonce_count_and_other_method() -> None:
    server = ServerAuth("device", USERS)
    header = _answer(server, "MD5", "s3cret")
    assert server.check("GET", "/x", header).ok
    assert server.check("GET", "/x", header).reason == "replayed nc"
    assert not server.check("POST", "/x", _answer(server, "MD5", "s3cret", nc=2)).ok


def test_server_marks_expired_nonce_stale_not_wrong() -> None:
    server = ServerAuth("device", USERS, nonce_lifetime=-1)
    result = server.check("GET", "/x", _answer(server, "MD5", "s3cret"))
    assert result.stale and not result.ok
    assert all("stale=true" in c for c in server.challenges(stale=True))
    assert not any("stale" in c for c in server.challenges())


def test_server_refuses_nonce_it_did_not_issue() -> None:
    server, other = ServerAuth("device", USERS), ServerAuth("device", USERS)
    assert server.check("GET", "/x", _answer(other, "MD5", "s3cret")).reason == "nonce not issued here"


def test_basic_round_trip_and_only_when_offered() -> None:
    server = ServerAuth("device", {"admin": "pa:ss"}, schemes=("basic",))
    assert server.check("GET", "/", basic_authorization("admin", "pa:ss")).username == "admin"
    assert not server.check("GET", "/", basic_authorization("admin", "other")).ok
    assert not server.check("GET", "/", "Basic !!!").ok
    digest_only = ServerAuth("device", {"admin": "pa:ss"})
    refused = digest_only.check("GET", "/", basic_authorization("admin", "pa:ss"))
    assert (refused.ok, refused.scheme, refused.reason) == (False, "basic", "scheme not offered")


def test_reject_fault_refuses_the_right_answer_and_still_notes_its_scheme() -> None:
    server = ServerAuth("device", USERS, schemes=("digest", "basic"))
    for header in (_answer(server, "MD5", "s3cret"), basic_authorization("admin", "s3cret")):
        result = server.check("GET", "/x", header, reject=True)
        assert not result.ok and result.reason == "rejected (fault)" and result.scheme in ("digest", "basic")
    assert server.check("GET", "/x", basic_authorization("admin", "s3cret")).ok


def test_no_credentials_is_not_ok_and_has_no_scheme() -> None:
    for header in (None, "", "  "):
        result = ServerAuth("device", USERS).check("GET", "/x", header)
        assert (result.ok, result.scheme, result.reason) == (False, None, "no credentials")


def _server(auth: ServerAuth, seen: list[str]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Authorization")
        seen.append((header or "").split(" ", 1)[0])
        result = auth.check(request.method, request.url.raw_path.decode("ascii"), header)
        if result.ok:
            return httpx.Response(200, json={"user": result.username})
        return httpx.Response(401, headers=[("WWW-Authenticate", c) for c in auth.challenges(result.stale)])

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("scheme", ["digest", "basic"])
def test_http_auth_answers_challenge_and_reuses_it(scheme: str) -> None:
    seen: list[str] = []
    auth = ServerAuth("device", USERS, schemes=(scheme,))
    with httpx.Client(transport=_server(auth, seen), auth=HttpAuth("admin", "s3cret")) as client:
        assert client.get("http://device.invalid/a").status_code == 200
        assert client.post("http://device.invalid/b?x=1", json={"x": 1}).status_code == 200
    # One 401 round trip for the first request; the second is authorised straight away.
    assert seen == ["", scheme.capitalize(), scheme.capitalize()]


@pytest.mark.parametrize(
    ("url", "schemes", "algorithms", "answered"),
    [
        ("http://device.invalid", ("digest",), ("SHA-256",), "algorithm=SHA-256"),
        ("http://device.invalid", ("digest",), ("MD5",), "algorithm=MD5"),
        ("http://device.invalid", ("digest",), ("MD5", "SHA-256"), "algorithm=SHA-256"),
        ("http://device.invalid", ("digest",), ("MD5-sess",), "algorithm=MD5-sess"),
        ("https://device.invalid", ("digest", "basic"), ("MD5",), "algorithm=MD5"),
        ("https://device.invalid", ("basic", "digest"), ("SHA-256",), "algorithm=SHA-256"),
    ],
)
def test_the_suites_client_logs_in_to_any_offer_a_device_may_make(
    url: str, schemes: tuple[str, ...], algorithms: tuple[str, ...], answered: str
) -> None:
    answers: list[str] = []
    auth = ServerAuth("device", USERS, schemes=schemes, algorithms=algorithms)
    transport = _server(auth, [])

    def record(request: httpx.Request) -> httpx.Response:
        answers.append(request.headers.get("Authorization", ""))
        return transport.handle_request(request)

    with httpx.Client(transport=httpx.MockTransport(record), auth=HttpAuth("admin", "s3cret")) as client:
        for path in ("/axis-cgi/basicdeviceinfo.cgi", "/config/rest/camera-pairing/v1beta/pairings?x=1"):
            response = client.get(url + path)
            assert response.status_code == 200 and response.json() == {"user": "admin"}
    assert answered in answers[-1]


def test_http_auth_gives_up_on_wrong_password_without_looping() -> None:
    seen: list[str] = []
    with httpx.Client(transport=_server(ServerAuth("device", USERS), seen), auth=HttpAuth("admin", "wrong")) as client:
        assert client.get("http://device.invalid/a").status_code == 401
    assert len(seen) <= 3


def test_http_auth_repr_hides_password() -> None:
    assert "s3cret" not in repr(HttpAuth("admin", "s3cret"))


def test_the_client_answers_a_server_that_offers_only_auth_int_with_the_body_hashed_in() -> None:
    """RFC 7616 §3.4.3: with qop=auth-int, A2 is method:uri:H(entity-body)."""
    auth = ClientAuth("Mufasa", "Circle of Life")
    challenge = 'Digest realm="r", nonce="n1", qop="auth-int", algorithm=MD5'
    assert auth.retry(401, [challenge], 0)
    body = b'{"apiVersion":"1.0","method":"getAllProperties"}'
    header = auth.authorization("POST", "/axis-cgi/basicdeviceinfo.cgi", body)
    assert header is not None
    params = parse_authorization(header)
    assert params is not None and params.params["qop"] == "auth-int"
    cnonce, nc = params.params["cnonce"], params.params["nc"]

    def md5(text: bytes) -> str:
        return hashlib.md5(text).hexdigest()

    ha1 = md5(b"Mufasa:r:Circle of Life")
    ha2 = md5(f"POST:/axis-cgi/basicdeviceinfo.cgi:{md5(body)}".encode())
    assert params.params["response"] == md5(f"{ha1}:n1:{nc}:{cnonce}:auth-int:{ha2}".encode())
