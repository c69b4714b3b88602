"""The RTSP client's challenge handling on top of paircert.auth, and the layering of the package."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil

from paircert.auth import ClientAuth, ServerAuth, parse_authorization
from paircert.rtsp.message import Headers, Response

URI = "rtsp://127.0.0.1/axis-media/media.amp"


def unauthorized(*challenges: str) -> Response:
    return Response(401, "Unauthorized", Headers([("WWW-Authenticate", c) for c in challenges]))


def _answer(response: Response) -> tuple[int, list[str]]:
    """What the RTSP client hands to ClientAuth.retry from a response."""
    return response.status, response.headers.get_all("WWW-Authenticate")


def test_answers_the_servers_md5_challenge_with_qop_and_a_rising_nc() -> None:
    server = ServerAuth("paircert", {"root": "secret"})
    auth = ClientAuth("root", "secret")
    assert auth.authorization("DESCRIBE", URI) is None
    assert auth.retry(*_answer(unauthorized(*server.challenges())), 0)
    for method, nc in (("DESCRIBE", "00000001"), ("SETUP", "00000002"), ("PLAY", "00000003")):
        header = auth.authorization(method, URI)
        assert header is not None
        assert server.check(method, URI, header).ok
        parsed = parse_authorization(header)
        assert parsed is not None and parsed.params["nc"] == nc and parsed.params["qop"] == "auth"
    assert auth.scheme == "digest"


def test_answers_a_digest_challenge_without_qop_rfc_2069_style() -> None:
    auth = ClientAuth("Mufasa", "Circle Of Life")
    assert auth.retry(
        *_answer(unauthorized('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"')), 0
    )
    header = auth.authorization("DESCRIBE", URI)
    assert header is not None
    params = parse_authorization(header).params  # type: ignore[union-attr]
    assert "qop" not in params and "nc" not in params and "cnonce" not in params

    def md5(text: str) -> str:  # RFC 2069's formula, to pin the answer, not a second implementation
        return hashlib.md5(text.encode()).hexdigest()

    ha1, ha2 = md5("Mufasa:testrealm@host.com:Circle Of Life"), md5(f"DESCRIBE:{URI}")
    assert params["response"] == md5(f"{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:{ha2}")


def test_prefers_sha256_then_md5_then_basic() -> None:
    md5 = 'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"'
    sha = 'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"'
    basic = 'Basic realm="r"'
    auth = ClientAuth("u", "p")
    auth.retry(*_answer(unauthorized(basic, md5, sha)), 0)
    assert "algorithm=SHA-256" in (auth.authorization("OPTIONS", URI) or "")
    auth = ClientAuth("u", "p")
    auth.retry(*_answer(unauthorized(basic)), 0)
    assert auth.authorization("OPTIONS", URI) == "Basic dTpw"


def test_wrong_credentials_cost_one_retry_and_stale_nonces_one_more() -> None:
    auth = ClientAuth("u", "p")
    challenge = 'Digest realm="r", nonce="n1", qop="auth"'
    assert auth.retry(*_answer(unauthorized(challenge)), 0)
    assert not auth.retry(*_answer(unauthorized('Digest realm="r", nonce="n2", qop="auth"')), 1)
    assert auth.retry(*_answer(unauthorized('Digest realm="r", nonce="n3", qop="auth", stale=true')), 1)
    assert not auth.retry(*_answer(unauthorized('Digest realm="r", nonce="n4", qop="auth", stale=true')), 2)
    assert not ClientAuth("u", "p").retry(*_answer(unauthorized('Bearer realm="r"')), 0)
    assert not ClientAuth("u", "p").retry(*_answer(Response(404)), 0)


def test_credentials_stay_out_of_repr() -> None:
    assert "hunter2" not in repr(ClientAuth("u", "hunter2"))


def _isort_style(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in (RUF022): CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_every_module_exports_a_sorted_all_of_names_it_defines() -> None:
    package = importlib.import_module("paircert.rtsp")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"paircert.rtsp.{info.name}")
        exported = getattr(module, "__all__", [])
        assert exported == sorted(exported, key=_isort_style), info.name
        assert all(hasattr(module, name) for name in exported), info.name
