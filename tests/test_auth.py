"""The one Digest/Basic implementation: RFC 7616 vectors, both directions, and the httpx flow."""

from __future__ import annotations

import httpx
import pytest

from paircert.auth import (
    BasicVerifier,
    Challenge,
    DigestVerifier,
    HttpAuth,
    basic_authorization,
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


def _answer(verifier: DigestVerifier, algorithm: str, password: str, nc: int = 1, method: str = "GET") -> str:
    offered = {c.algorithm: c for c in parse_challenges(verifier.challenges())}
    return digest_authorization(offered[algorithm], username="admin", password=password, method=method, uri="/x", nc=nc)


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_verifier_accepts_right_password_and_rejects_wrong_one(algorithm: str) -> None:
    verifier = DigestVerifier("device")
    lookup = {"admin": "s3cret"}.get
    assert verifier.verify("GET", _answer(verifier, algorithm, "s3cret"), lookup).username == "admin"
    wrong = verifier.verify("GET", _answer(verifier, algorithm, "nope"), lookup)
    assert not wrong.ok and not wrong.stale


def test_verifier_rejects_replayed_nonce_count_and_other_method() -> None:
    verifier = DigestVerifier("device")
    lookup = {"admin": "s3cret"}.get
    header = _answer(verifier, "MD5", "s3cret")
    assert verifier.verify("GET", header, lookup).ok
    assert verifier.verify("GET", header, lookup).reason == "replayed nc"
    assert not verifier.verify("POST", _answer(verifier, "MD5", "s3cret", nc=2), lookup).ok


def test_verifier_marks_expired_nonce_stale_not_wrong() -> None:
    verifier = DigestVerifier("device", nonce_lifetime=-1)
    result = verifier.verify("GET", _answer(verifier, "MD5", "s3cret"), {"admin": "s3cret"}.get)
    assert result.stale and not result.ok
    assert all("stale=true" in c for c in verifier.challenges(stale=True))


def test_verifier_refuses_nonce_it_did_not_issue() -> None:
    verifier, other = DigestVerifier("device"), DigestVerifier("device")
    assert verifier.verify("GET", _answer(other, "MD5", "s3cret"), {"admin": "s3cret"}.get).reason == (
        "nonce not issued here"
    )


def test_basic_verifier_round_trip() -> None:
    verifier = BasicVerifier("device")
    lookup = {"admin": "pa:ss"}.get
    assert verifier.verify(basic_authorization("admin", "pa:ss"), lookup).username == "admin"
    assert not verifier.verify(basic_authorization("admin", "other"), lookup).ok
    assert not verifier.verify("Basic !!!", lookup).ok


def _server(scheme: str, seen: list[str]) -> httpx.MockTransport:
    digest = DigestVerifier("device")
    basic = BasicVerifier("device")
    lookup = {"admin": "s3cret"}.get

    def handle(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Authorization", "")
        seen.append(header.split(" ", 1)[0])
        verifier_ok = (
            digest.verify(request.method, header, lookup).ok if scheme == "digest" else basic.verify(header, lookup).ok
        )
        if verifier_ok:
            return httpx.Response(200, json={"ok": True})
        challenges = digest.challenges() if scheme == "digest" else basic.challenges()
        return httpx.Response(401, headers=[("WWW-Authenticate", c) for c in challenges])

    return httpx.MockTransport(handle)


@pytest.mark.parametrize("scheme", ["digest", "basic"])
def test_http_auth_answers_challenge_and_reuses_it(scheme: str) -> None:
    seen: list[str] = []
    with httpx.Client(transport=_server(scheme, seen), auth=HttpAuth("admin", "s3cret")) as client:
        assert client.get("http://device.invalid/a").status_code == 200
        assert client.post("http://device.invalid/b", json={"x": 1}).status_code == 200
    # One 401 round trip for the first request; the second is authorised straight away.
    assert seen == ["", scheme.capitalize(), scheme.capitalize()]


def test_http_auth_gives_up_on_wrong_password_without_looping() -> None:
    seen: list[str] = []
    with httpx.Client(transport=_server("digest", seen), auth=HttpAuth("admin", "wrong")) as client:
        assert client.get("http://device.invalid/a").status_code == 401
    assert len(seen) <= 3


def test_http_auth_repr_hides_password() -> None:
    assert "s3cret" not in repr(HttpAuth("admin", "s3cret"))
