"""A seeded, bounded stream of malformed requests against the emulator and the peers.

Every server a device or a client can reach must answer garbage with a 4xx or by closing the
connection: never a 5xx (a crash the suite would blame on the device), never a dead server, and
never a change to state that a well-formed request made. The stream covers random bytes, JSON
nested thousands of levels deep, huge and empty bodies, wrong content types, bad UTF-8, broken
Digest headers and raw garbage on the socket, over HTTP to every JSON endpoint of the emulator
(with valid credentials for most requests, so they reach the handlers) and the peers'
``basicdeviceinfo.cgi``, and over RTSP to the peer camera.

RTSP is the one place a 5xx can be the right answer to a malformed request: RFC 2326 §11.3.1 and
§11.3.5 name 501 for a method the server does not know and 505 for an RTSP version it does not
speak. Those two are checked to answer exactly that cause; every other 5xx fails the test.
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import socket
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.peers.config import PeerConfig
from paircert.peers.embedded import EmbeddedPeers

SEED = 20261201
ROOT = "/config/rest/camera-pairing/v1beta"
LIST = f"{ROOT}/camerapairings"
RADAR_PATHS = ("/axis-cgi/networkradarpairing.cgi", "/networkradarpairing.cgi")
APIDISCOVERY = "/axis-cgi/apidiscovery.cgi"
DEVICEINFO = "/axis-cgi/basicdeviceinfo.cgi"
PASSWORD = secrets.token_urlsafe(12)
PEER_USER, PEER_PASSWORD = "peeruser", secrets.token_urlsafe(12)
PEER_HOST = "127.0.0.2"
SETTABLE = ("address", "username", "password", "description", "streamingprotocol", "verifycertificate")
READ_ONLY = ("id", "status", "productmodel", "productname")
LINK_STATE = ("status", "productmodel", "productname")  # the device's link, not the pairing's settings
RTSP_STATUS_CAUSE = {501: "unknown method", 505: "RTSP version"}

# How many of each kind the stream sends: over 10,000 in all.
EMULATOR_WITH_CREDENTIALS = 5200
EMULATOR_WITHOUT_CREDENTIALS = 900
EMULATOR_RAW = 400
PEER_WITH_CREDENTIALS = 1600
PEER_WITHOUT_CREDENTIALS = 400
PEER_RAW = 300
RTSP_PAYLOADS = 1500
SOCKET_TIMEOUT = 5.0


@dataclass
class Tally:
    """What came back, per server: statuses, closed connections, and every 5xx with what caused it."""

    statuses: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    sent: int = 0

    def answer(self, server: str, what: str, status: int | None) -> None:
        self.statuses[f"{server} {status if status is not None else 'closed'}"] += 1
        if status is not None and status >= 500:
            self.server_errors.append(f"{server} {status} for {what}")


# ---------------------------------------------------------------- malformed bodies


def _random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice((1, 7, 64, 512, 4096)))


def _deep(rng: random.Random) -> bytes:
    depth = rng.choice((65, 100, 1000, 2000, 5000, 20000))
    shapes = (
        b"[" * depth + b"]" * depth,
        b'{"a":' * depth + b"1" + b"}" * depth,
        b'{"data":' + b"[" * depth + b"]" * depth + b"}",
        b"[" * depth,
        b'{"apiVersion":"1.0","method":"getSupportedVersions","context":' + b"[" * depth + b"]" * depth + b"}",
        b'{"apiVersion":"1.0","method":"getApiList","params":' + b'{"x":' * depth + b"0" + b"}" * depth + b"}",
    )
    return rng.choice(shapes)


def _huge(rng: random.Random) -> bytes:
    size = rng.choice((64 * 1024 + 1, 100_000, 300_000))
    return b'{"data":"' + b"a" * size + b'"}'


def _bad_encoding(rng: random.Random) -> bytes:
    return rng.choice(
        (
            b'{"data":"\xff\xfe"}',
            b'{"data":"\xc0\xaf"}',
            b'{"apiVersion":"1.0","method":"getApiList","context":"\xed\xa0\x80"}',
            json.dumps({"data": "x"}).encode("utf-16"),
            b"\xef\xbb\xbf\xef\xbb\xbf{}",
            b'{"data":"\x00"}',
        )
    )


def _odd_json(rng: random.Random) -> bytes:
    return rng.choice(
        (
            b'{"data":NaN}',
            b'{"data":Infinity}',
            b'{"data":' + b"9" * 5000 + b"}",
            b'{"data":1e999999}',
            b'{"data":"\\ud800"}',
            b'{"data":1,"data":2}',
            b"[]",
            b'"data"',
            b"null",
            b"{",
            b'{"data":}',
            b"{'data': 1}",
        )
    )


def _envelope(rng: random.Random) -> bytes:
    """A JSON-CGI envelope with odd members; never a method that changes the device's state."""
    version: object = rng.choice(("1.0", "1.3", "9.0", "1", "1.0\n", "١.٠", "9" * 5000 + ".0", None, 1.0, [], ""))
    method = rng.choice(
        ("getSupportedVersions", "getApiList", "getAllProperties", "getProperties", "getActive", "", None, 7, "x" * 900)
    )
    context: object = rng.choice(("ctx", None, {"a": [1, 2]}, "\ud800", [[[[]]]], 2**70))
    params: object = rng.choice(({}, [], "p", {"propertyList": ["ProdNbr", 3]}, {"propertyList": "x"}, None))
    body: dict[str, object] = {}
    for name, value in (("apiVersion", version), ("method", method), ("context", context), ("params", params)):
        if rng.random() < 0.8:
            body[name] = value
    return json.dumps(body).encode("utf-8")


BODIES: tuple[Callable[[random.Random], bytes], ...] = (
    _random_bytes,
    _deep,
    _deep,
    _huge,
    _bad_encoding,
    _odd_json,
    _envelope,
    lambda rng: b"",
)
CONTENT_TYPES = (
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    None,
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/json; charset=utf-16",
    "a/b/c",
)
BROKEN_AUTHORIZATION = (
    b"Digest",
    b"Digest garbage",
    b'Digest username="admin", realm="x", nonce="abc", uri="/", response="00"',
    b'Digest username="admin", nonce="", uri="/", response="", qop=auth, nc=zz, cnonce=""',
    b'Digest username="' + b"a" * 5000 + b'"',
    b'Digest username="\xff\xfe", realm="\x80"',
    b"Basic !!!not-base64",
    b"Basic " + base64.b64encode(b"admin"),
    b"Basic " + base64.b64encode(b"\xff:\xfe"),
    b"Bearer token",
    b"Digest " + b"a=" * 3000,
)


def _body(rng: random.Random) -> bytes:
    return rng.choice(BODIES)(rng)


def _headers(rng: random.Random) -> dict[str, str | bytes]:
    content_type = rng.choice(CONTENT_TYPES)
    return {} if content_type is None else {"Content-Type": content_type}


def _content(rng: random.Random, body: bytes) -> bytes | Iterator[bytes]:
    """Mostly a plain body (Content-Length), sometimes chunked (no Content-Length: 411 where required)."""
    if rng.random() < 0.1:
        return iter([body[: len(body) // 2], body[len(body) // 2 :]])
    return body


# ---------------------------------------------------------------- raw sockets


def _exchange(host: str, port: int, payload: bytes) -> bytes:
    """Send ``payload``, end our side, and read until the server closes (bounded in time)."""
    with socket.create_connection((host, port), timeout=SOCKET_TIMEOUT) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may close first (a refused head); what it said still counts
        chunks: list[bytes] = []
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        else:
            raise AssertionError(f"server on port {port} kept the connection open after our end of stream")
    return b"".join(chunks)


def _statuses(answer: bytes, protocol: bytes) -> list[int]:
    """Every status line of ``protocol`` (``HTTP`` or ``RTSP``) in the answer."""
    found = []
    for line in answer.split(b"\r\n"):
        if line.startswith(protocol + b"/") and line[len(protocol) + 4 : len(protocol) + 5] == b" ":
            code = line[len(protocol) + 5 : len(protocol) + 8]
            if code.isdigit():
                found.append(int(code))
    return found


def _raw_http(rng: random.Random, host: str) -> bytes:
    target = rng.choice((DEVICEINFO, RADAR_PATHS[0], LIST, APIDISCOVERY, "/"))
    shapes = (
        rng.randbytes(rng.choice((1, 64, 2048))),
        b"\x00" * 64,
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"GET " + b"/" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n{}",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{}",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n{}GARBAGE\r\n\r\n",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: \xff\xfe\r\nContent-Length: 2\r\n\r\n{}",
        b"GET / HTTP/9.9\r\n\r\n",
        b"\r\n" * 1000,
        b"POST " + target.encode() + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: 20002\r\n\r\n" + b"[" * 10001 + b"]" * 10001,
    )
    return rng.choice(shapes)


def _rtsp_payload(rng: random.Random, url: str) -> bytes:
    uri = url.encode()
    head = rng.choice((b"OPTIONS", b"DESCRIBE", b"SETUP", b"PLAY", b"TEARDOWN", b"GET_PARAMETER"))
    shapes = (
        rng.randbytes(rng.choice((1, 64, 2048))),
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 99999999999\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: 1\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 2000000\r\n\r\n" + b"x" * 2_000_000,
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: \xc2\xb2\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: " + b"9" * 5000 + b"\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: 1\r\nBad Header\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: \xff\xfe\r\n\r\n",
        head + b" " + uri + b" RTSP/1.0\r\n\r\n",
        b"DESCRIBE "
        + uri
        + b" RTSP/1.0\r\nCSeq: 2\r\nAuthorization: "
        + rng.choice(BROKEN_AUTHORIZATION)
        + b"\r\n\r\n",
        b"SETUP "
        + uri
        + b"/trackID=1 RTSP/1.0\r\nCSeq: 3\r\nTransport: "
        + rng.randbytes(40).hex().encode()
        + b"\r\n\r\n",
        b"PLAY " + uri + b" RTSP/1.0\r\nCSeq: 4\r\nSession: " + b"z" * 300 + b"\r\n\r\n",
        b"$\x00\xff\xff" + b"\x00" * 10,
        b"$\x00\x00\x04abcd" * 100 + b"OPTIONS * RTSP/1.0\r\nCSeq: 9\r\n\r\n",
        b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
        b"".join(b"OPTIONS * RTSP/1.0\r\nCSeq: %d\r\n\r\n" % n for n in range(1, 100)),
        b"FROB " + uri + b" RTSP/1.0\r\nCSeq: 5\r\n\r\n",
        b"OPTIONS " + uri + b" RTSP/2.0\r\nCSeq: 6\r\n\r\n",
        b"OPTIONS " + uri + b" HTTP/1.1\r\nCSeq: 7\r\n\r\n",
        b"\r\n" * 5000,
    )
    return rng.choice(shapes)


# ---------------------------------------------------------------- the servers


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory, peer_port: int) -> Iterator[EmbeddedEmulator]:
    config = EmulatorConfig(
        state_dir=tmp_path_factory.mktemp("malformed-state"),
        users=[User("admin", PASSWORD, "admin")],
        own_addresses=["192.0.2.200"],
        name_table={"peer.test": [PEER_HOST]},
        peer_rtsp_port=peer_port,
        peer_rtsps_port=peer_port,
        peer_link="tcp",
    )
    with EmbeddedEmulator(config) as emu:
        yield emu


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPeers]:
    camera = PeerConfig(
        kind="camera",
        address="127.0.0.4",
        user=PEER_USER,
        password=PEER_PASSWORD,
        rtsp_port=0,
        rtsps_port=0,
        http_port=0,
        https_port=0,
        ca_dir=tmp_path_factory.mktemp("malformed-ca"),
    )
    with EmbeddedPeers([camera]) as running:
        yield running


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def _send(client: httpx.Client, tally: Tally, server: str, method: str, path: str, **kwargs: object) -> None:
    what = f"{method} {path}"
    tally.sent += 1
    try:
        response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.TransportError as exc:
        raise AssertionError(f"{server} dropped the connection on {what}: {type(exc).__name__}") from None
    tally.answer(server, what, response.status_code)


def _emulator_target(rng: random.Random, pairing_id: str) -> tuple[str, str]:
    """A method and path that reach a handler; never DELETE of the pairing, never a CGI that sets state."""
    choice = rng.random()
    if choice < 0.25:
        return "POST", LIST
    if choice < 0.5:
        return rng.choice(("PATCH", "PUT")), f"{LIST}/{pairing_id}/{rng.choice(SETTABLE + READ_ONLY)}"
    if choice < 0.65:
        return "POST", rng.choice(RADAR_PATHS)
    if choice < 0.75:
        return "POST", APIDISCOVERY
    if choice < 0.85:
        return "POST", DEVICEINFO
    method = rng.choice(("GET", "DELETE", "OPTIONS", "HEAD", "POST", "PATCH"))
    path = rng.choice((ROOT, f"{LIST}/CameraPairing-0-000000", "/config/discover", DEVICEINFO, "/x", f"{LIST}//"))
    return method, path


@dataclass(frozen=True)
class HttpStream:
    """One server's share of the stream: where, whose credentials, how many of each kind, what to call."""

    name: str
    url: str
    user: str
    password: str
    with_credentials: int
    without_credentials: int
    raw: int
    target: Callable[[random.Random], tuple[str, str]]


def _http_stream(stream: HttpStream, rng: random.Random, tally: Tally) -> None:
    with (
        httpx.Client(base_url=stream.url, auth=HttpAuth(stream.user, stream.password), timeout=10) as user,
        httpx.Client(base_url=stream.url, timeout=10) as anonymous,
    ):
        for count in range(stream.with_credentials + stream.without_credentials):
            client = user if count < stream.with_credentials else anonymous
            method, path = stream.target(rng)
            headers = _headers(rng)
            if client is anonymous and rng.random() < 0.6:
                headers["Authorization"] = rng.choice(BROKEN_AUTHORIZATION)
            content = _content(rng, _body(rng))
            _send(client, tally, stream.name, method, path, content=content, headers=headers)
    host, port = _host_port(stream.url)
    for _ in range(stream.raw):
        tally.sent += 1
        statuses = _statuses(_exchange(host, port, _raw_http(rng, host)), b"HTTP")
        tally.answer(f"{stream.name}-raw", "raw bytes", max(statuses) if statuses else None)


def _peer_target(rng: random.Random) -> tuple[str, str]:
    return ("POST", DEVICEINFO) if rng.random() < 0.85 else (rng.choice(("GET", "PUT")), "/x")


def _rtsp_stream(peers: EmbeddedPeers, rng: random.Random, tally: Tally) -> None:
    url = peers.camera.urls.rtsp
    assert url is not None
    host, port = _host_port(url)
    for _ in range(RTSP_PAYLOADS):
        tally.sent += 1
        payload = _rtsp_payload(rng, url)
        statuses = _statuses(_exchange(host, port, payload), b"RTSP")
        for status in statuses:
            cause = RTSP_STATUS_CAUSE.get(status)
            expected = (cause == "unknown method" and payload.startswith(b"FROB")) or (
                cause == "RTSP version" and b" RTSP/2.0\r\n" in payload.partition(b"\r\n\r\n")[0]
            )
            if expected:
                tally.statuses[f"rtsp {status}"] += 1
            else:
                tally.answer("rtsp", repr(payload[:40]), status)
        if not statuses:
            tally.answer("rtsp", repr(payload[:40]), None)


# ---------------------------------------------------------------- the test


def _pairing_settings(client: httpx.Client, pairing_id: str) -> dict[str, object]:
    response = client.get(f"{LIST}/{pairing_id}")
    assert response.status_code == 200, response.text
    entity = response.json().get("data", {})
    return {name: value for name, value in entity.items() if name not in LINK_STATE}


def _still_answers(emu: EmbeddedEmulator, peers: EmbeddedPeers) -> None:
    with httpx.Client(base_url=emu.http_url, auth=HttpAuth("admin", PASSWORD), timeout=10) as admin:
        versions = admin.post(RADAR_PATHS[0], json={"method": "getSupportedVersions"})
        assert versions.status_code == 200 and "apiVersions" in versions.json()["data"]
        info = admin.post(DEVICEINFO, json={"apiVersion": "1.0", "method": "getAllProperties"})
        assert info.status_code == 200 and "ProdNbr" in info.json()["data"]["propertyList"]
    peer_url = peers.camera.urls.http
    assert peer_url is not None
    with httpx.Client(base_url=peer_url, auth=HttpAuth(PEER_USER, PEER_PASSWORD), timeout=10) as user:
        info = user.post(DEVICEINFO, json={"apiVersion": "1.0", "method": "getAllProperties"})
        assert info.status_code == 200 and info.json()["data"]["propertyList"] == peers.camera.properties
    rtsp_url = peers.camera.urls.rtsp
    assert rtsp_url is not None
    answer = _exchange(*_host_port(rtsp_url), f"OPTIONS {rtsp_url} RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode())
    assert _statuses(answer, b"RTSP") == [200]


def test_ten_thousand_malformed_requests_get_no_5xx_and_leave_servers_and_pairing_intact(
    emulator: EmbeddedEmulator, peers: EmbeddedPeers
) -> None:
    rng = random.Random(SEED)
    tally = Tally()
    started = time.monotonic()
    with httpx.Client(base_url=emulator.http_url, auth=HttpAuth("admin", PASSWORD), timeout=10) as admin:
        added = admin.post(
            LIST,
            json={
                "data": {
                    "address": "peer.test",
                    "username": "viewer",
                    "password": "peer-password",
                    "streamingprotocol": "RTSP",
                    "verifycertificate": False,
                    "description": "kept through the storm",
                }
            },
        )
        assert added.status_code == 201, added.text
        pairing_id = added.json()["data"]["id"]
        before = _pairing_settings(admin, pairing_id)

    peer_url = peers.camera.urls.http
    assert peer_url is not None
    streams = (
        HttpStream(
            "emulator",
            emulator.http_url,
            "admin",
            PASSWORD,
            EMULATOR_WITH_CREDENTIALS,
            EMULATOR_WITHOUT_CREDENTIALS,
            EMULATOR_RAW,
            lambda rng: _emulator_target(rng, pairing_id),
        ),
        HttpStream(
            "peer-http",
            peer_url,
            PEER_USER,
            PEER_PASSWORD,
            PEER_WITH_CREDENTIALS,
            PEER_WITHOUT_CREDENTIALS,
            PEER_RAW,
            _peer_target,
        ),
    )
    for stream in streams:
        _http_stream(stream, rng, tally)
    _rtsp_stream(peers, rng, tally)

    seconds = time.monotonic() - started
    print(f"{tally.sent} malformed requests in {seconds:.1f} s: {dict(sorted(tally.statuses.items()))}")
    assert tally.sent >= 10_000
    assert tally.server_errors == [], f"{len(tally.server_errors)} answers of 5xx, e.g. {tally.server_errors[:5]}"
    _still_answers(emulator, peers)
    with httpx.Client(base_url=emulator.http_url, auth=HttpAuth("admin", PASSWORD), timeout=10) as admin:
        assert _pairing_settings(admin, pairing_id) == before
        assert [item["id"] for item in admin.get(LIST).json()["data"]] == [pairing_id]


def test_status_lines_are_read_from_every_answer_in_a_pipelined_stream() -> None:
    answer = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\nRTSP/1.0 400 Bad Request\r\n\r\n"
    assert _statuses(answer, b"RTSP") == [200, 400]
    assert _statuses(b"HTTP/1.1 413 Payload Too Large\r\n\r\n", b"HTTP") == [413]
    assert _statuses(b"garbage", b"HTTP") == []
