"""Clients over httpx.MockTransport: Digest through paircert.auth, redacted repr and transcript."""

from __future__ import annotations

import httpx
import pytest

from paircert.auth import ServerAuth
from paircert.clients import Credentials, DcaClient, Transcript, open_client
from paircert.clients.guard import AnswerLimits, AnswerTooDeep, AnswerTooLarge

PASSWORD = "Adm1n-Pa55word-xyz"


def digest_device() -> httpx.MockTransport:
    verifier = ServerAuth("AXIS_TEST", {"root": PASSWORD})

    def handler(request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode("ascii")
        result = verifier.check(request.method, target, request.headers.get("authorization"))
        if not result.ok:
            return httpx.Response(
                401, headers=[("WWW-Authenticate", c) for c in verifier.challenges(stale=result.stale)]
            )
        return httpx.Response(200, json={"status": "success", "data": {"user": result.username}})

    return httpx.MockTransport(handler)


def test_credentials_repr_hides_the_password() -> None:
    creds = Credentials("root", PASSWORD)
    assert PASSWORD not in repr(creds) and PASSWORD not in str(creds)
    assert Credentials.parse("op:with:colon") == Credentials("op", "with:colon")
    with pytest.raises(ValueError):
        Credentials.parse("nocolon")


def test_digest_round_trip_records_both_legs_redacted() -> None:
    transcript = Transcript()
    with open_client(
        "http://device.test",
        Credentials("root", PASSWORD),
        transcript=transcript,
        transport=digest_device(),
    ) as http:
        dca = DcaClient(http, transcript)
        first = dca.get("/config/rest/camera-pairing/v1beta")
        second = dca.get("/config/rest/camera-pairing/v1beta")
    assert first.ok and first.data == {"user": "root"} and second.ok
    # challenge, answer, then the kept nonce authenticates straight away
    assert [x.status_code for x in transcript.exchanges] == [401, 200, 200]
    assert first.exchange is transcript.exchanges[1]
    assert transcript.exchanges[1].request_headers["authorization"] == "Digest <redacted>"
    everything = transcript.render() + "".join(x.to_curl() for x in transcript.exchanges)
    assert PASSWORD not in everything and 'response="' not in everything
    assert '--digest -u "$PAIRCERT_USER:$PAIRCERT_PASSWORD"' in first.exchange.to_curl()


def test_wrong_password_stays_401_after_one_retry() -> None:
    transcript = Transcript()
    with open_client(
        "http://device.test",
        Credentials("root", "wrong-one"),
        transcript=transcript,
        transport=digest_device(),
    ) as http:
        resp = DcaClient(http, transcript).get("/config/discover")
    assert resp.status_code == 401 and not resp.ok
    assert len(transcript.exchanges) == 2


def test_insecure_becomes_a_curl_option_and_anonymous_sends_no_user() -> None:
    transcript = Transcript()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"status": "success"}))
    with open_client("https://device.test", None, verify=False, transcript=transcript, transport=transport) as http:
        DcaClient(http, transcript).get("/x")
    assert "--insecure" in transcript.exchanges[0].to_curl()
    assert "-u " not in transcript.exchanges[0].to_curl()


def test_a_bare_httpx_client_still_gets_an_exchange() -> None:
    transcript = Transcript()
    transport = httpx.MockTransport(
        lambda request: httpx.Response(404, json={"status": "error", "error": {"code": 404, "message": "no"}})
    )
    with httpx.Client(base_url="http://device.test", transport=transport) as http:
        resp = DcaClient(http, transcript, set_method="PUT").set("/a/b", {"password": "peer-secret-1"})
    assert resp.exchange.method == "PUT" and resp.error_code == 404 and resp.error_message == "no"
    assert "peer-secret-1" not in transcript.render()


def test_a_mock_device_is_held_to_the_answer_limits_too() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b"[" * 200 + b"]" * 200))
    limits = AnswerLimits(max_bytes=300, max_depth=100)
    with open_client("http://device.test", None, transport=transport, limits=limits) as http:
        with pytest.raises(
            AnswerTooLarge, match=r"^device answer exceeded 300 bytes: Content-Length says 400 \(GET /a\)$"
        ):
            http.get("/a")
    with open_client("http://device.test", None, transport=transport, limits=AnswerLimits(max_depth=100)) as http:
        with pytest.raises(AnswerTooDeep, match=r"^device answer nested deeper than 100 levels \(GET /b\)$"):
            http.get("/b")
