"""The transcript redacts before it stores: no secret survives into any rendering."""

from __future__ import annotations

import json

import httpx

from paircert.clients.transcript import REDACTED, Transcript, redact_json, redact_text

SECRET = "s3cret-Peer-Password"


def _exchange(transcript: Transcript, request: httpx.Request, response: httpx.Response) -> None:
    response.request = request
    response.elapsed = __import__("datetime").timedelta(milliseconds=3)
    transcript.record(response)


def test_password_fields_are_redacted_at_any_depth() -> None:
    value = {"data": {"password": SECRET, "nested": [{"Password": 1, "x": {"password": None}}]}, "user": "u"}
    redacted = redact_json(value)
    assert redacted == {
        "data": {"password": REDACTED, "nested": [{"Password": REDACTED, "x": {"password": REDACTED}}]},
        "user": "u",
    }
    assert value["data"]["password"] == SECRET  # the original is untouched


def test_malformed_json_bodies_lose_their_password_too() -> None:
    text = '{"data": {"password": "' + SECRET + '", "address": '
    assert SECRET not in redact_text(text)
    assert "address" in redact_text(text)


def test_recorded_exchange_redacts_headers_bodies_radar_params_and_query() -> None:
    transcript = Transcript()
    body = {
        "apiVersion": "1.0",
        "method": "setRadarConnection",
        "params": {"address": "a", "user": "u", "password": SECRET},
    }
    request = httpx.Request(
        "POST",
        f"http://127.0.0.1:1/axis-cgi/networkradarpairing.cgi?password={SECRET}&x=1",
        json=body,
        headers={"Authorization": 'Digest username="root", response="abc"', "Proxy-Authorization": f"Basic {SECRET}"},
    )
    response = httpx.Response(200, json={"data": {"echo": {"password": SECRET}}})
    _exchange(transcript, request, response)
    exchange = transcript.exchanges[0]
    assert exchange.request_headers["authorization"] == f"Digest {REDACTED}"
    assert exchange.request_headers["proxy-authorization"] == f"Basic {REDACTED}"
    assert json.loads(exchange.request_body)["params"]["password"] == REDACTED
    assert json.loads(exchange.response_body)["data"]["echo"]["password"] == REDACTED
    rendered = transcript.render()
    assert SECRET not in rendered and SECRET not in exchange.to_curl() and SECRET not in exchange.url
    assert "x=1" in exchange.url


def test_a_known_secret_is_scrubbed_wherever_it_appears_whole() -> None:
    transcript = Transcript()
    transcript.add_secret(SECRET)
    request = httpx.Request("GET", "http://127.0.0.1:1/x")
    _exchange(transcript, request, httpx.Response(500, text=f"internal error: bad password {SECRET}"))
    assert SECRET not in transcript.render()
    assert transcript.scrub(f"a {SECRET}, b") == f"a {REDACTED}, b"
    assert transcript.scrub(f"a{SECRET}b") == f"a{SECRET}b", "inside a longer word it is not the secret"


def test_a_device_that_echoes_the_password_in_a_body_value_or_header_loses_only_the_value() -> None:
    transcript = Transcript()
    transcript.add_secret("pass")
    request = httpx.Request("GET", "http://127.0.0.1:1/x", headers={"Authorization": "Basic cm9vdDpwYXNz"})
    answer = {"status": "passed", "pass": "you sent pass", "echo": "Basic cm9vdDpwYXNz", "password": "x"}
    _exchange(transcript, request, httpx.Response(200, json=answer, headers={"X-Echo": "pass"}))
    exchange = transcript.exchanges[0]
    assert json.loads(exchange.response_body) == {
        "status": "passed",
        "pass": f"you sent {REDACTED}",
        "echo": f"Basic {REDACTED}",
        "password": REDACTED,
    }
    assert exchange.response_headers["x-echo"] == REDACTED


def test_url_userinfo_loses_its_password_and_keeps_the_user() -> None:
    transcript = Transcript()
    request = httpx.Request("GET", "http://root:pw%40x@127.0.0.1:1/path?password=p&q=1")
    _exchange(transcript, request, httpx.Response(200))
    url = transcript.exchanges[0].url
    assert "pw" not in url and url.startswith(f"http://root:{REDACTED}@127.0.0.1:1/path?") and "q=1" in url


def test_curl_line_uses_placeholders_and_repeats_the_request() -> None:
    transcript = Transcript()
    request = httpx.Request(
        "PATCH",
        "http://127.0.0.1:1/config/rest/camera-pairing/v1beta/camerapairings/x/description",
        json={"data": "it's"},
        headers={"Authorization": "Basic cm9vdDpwYXNz"},
    )
    _exchange(transcript, request, httpx.Response(200, json={"status": "success"}))
    curl = transcript.exchanges[0].to_curl()
    assert curl.startswith("curl ") and "\n" not in curl
    assert '--basic -u "$PAIRCERT_USER:$PAIRCERT_PASSWORD"' in curl
    assert "-X PATCH" in curl and "cm9vdDpwYXNz" not in curl
    assert "-H 'content-type: application/json'" in curl
    assert """--data-raw '{"data":"it'"'"'s"}'""" in curl


def test_transcript_is_bounded_and_clears() -> None:
    transcript = Transcript(limit=3)
    for i in range(5):
        _exchange(transcript, httpx.Request("GET", f"http://127.0.0.1:1/{i}"), httpx.Response(200))
    assert [x.url[-1] for x in transcript.exchanges] == ["2", "3", "4"]
    assert "2 earlier exchanges omitted" in transcript.render()
    transcript.clear()
    assert transcript.exchanges == [] and transcript.render() == "(no HTTP exchanges)"
