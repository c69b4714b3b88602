"""A hostile device on loopback: the suite's clients fail the one exchange, typed and in time.

The device here answers every request with one pathology: JSON nested 100,000 levels deep, a
300 MiB body (declared or chunked, produced lazily so the test itself stays small), gzip that
inflates to 64 MiB, a byte every quarter second in the body or in the headers, or a chunked body
that never ends. Both HTTP stacks the suite uses (httpx via ``open_client``, requests via
``open_requests_session`` for schemathesis) must raise the matching :mod:`paircert.clients.guard`
error with a sentence saying what the device did. Every device loop is bounded in count and
stops when the client goes away; each call runs under a 30 s hang guard.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import requests
from serving import read_head, serving

from paircert.clients import Credentials, DcaClient, Transcript, open_client
from paircert.clients.guard import (
    AnswerLimits,
    AnswerTooDeep,
    AnswerTooLarge,
    AnswerTooSlow,
    DeviceAnswerError,
    check_nesting,
)
from paircert.clients.preflight import PreflightError, preflight
from paircert.clients.requests_session import open_requests_session
from paircert.clients.response import perform

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
HUGE = 300 * MIB
CHUNK = 64 * 1024
LIMITS = AnswerLimits(max_bytes=16 * MIB, max_depth=128, deadline=1.0)
READ_TIMEOUT = 5.0  # per read, longer than the deadline: only the deadline can end a trickle
HANG_GUARD = 30.0
TRICKLE_GAP = 0.25
DEEP = b"[" * 100_000 + b"]" * 100_000
T = TypeVar("T")


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
    block = bytes(MIB)
    return b"".join(packer.compress(block) for _ in range(size // MIB)) + packer.flush()


GZIP_BOMB = _gzip_of_zeros(64 * MIB)


class _Device(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.sent = 0
        self.lock = threading.Lock()

    def count(self, n: int) -> None:
        with self.lock:
            self.sent += n


class _Handler(socketserver.BaseRequestHandler):
    server: _Device

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(HANG_GUARD)
        if read_head(sock) is None:
            return
        try:
            getattr(self, "_" + self.server.mode.replace("-", "_"))(sock)
        except OSError:
            pass  # the client hung up: what a client that stops early does

    def _send(self, sock: socket.socket, data: bytes) -> None:
        sock.sendall(data)
        self.server.count(len(data))

    def _head(self, sock: socket.socket, *headers: str) -> None:
        lines = ["HTTP/1.1 200 OK", "Content-Type: application/json", "Connection: close", *headers]
        self._send(sock, ("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))

    def _fine(self, sock: socket.socket) -> None:
        body = json.dumps({"status": "success", "data": {"ok": True}}).encode()
        self._head(sock, f"Content-Length: {len(body)}")
        self._send(sock, body)

    def _deep(self, sock: socket.socket) -> None:
        self._head(sock, f"Content-Length: {len(DEEP)}")
        self._send(sock, DEEP)

    def _declared_huge(self, sock: socket.socket) -> None:
        self._head(sock, f"Content-Length: {HUGE}")
        for _ in range(HUGE // CHUNK):
            self._send(sock, bytes(CHUNK))

    def _chunked_huge(self, sock: socket.socket) -> None:
        self._head(sock, "Transfer-Encoding: chunked")
        frame = f"{CHUNK:x}\r\n".encode() + bytes(CHUNK) + b"\r\n"
        for _ in range(HUGE // CHUNK):
            self._send(sock, frame)
        self._send(sock, b"0\r\n\r\n")

    def _gzip_bomb(self, sock: socket.socket) -> None:
        self._head(sock, "Content-Encoding: gzip", f"Content-Length: {len(GZIP_BOMB)}")
        self._send(sock, GZIP_BOMB)

    def _trickle_body(self, sock: socket.socket) -> None:
        self._head(sock, "Content-Length: 100")
        for _ in range(100):
            self._send(sock, b" ")
            time.sleep(TRICKLE_GAP)

    def _trickle_head(self, sock: socket.socket) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}":
            self._send(sock, bytes([byte]))
            time.sleep(TRICKLE_GAP)

    def _never_ends(self, sock: socket.socket) -> None:
        self._head(sock, "Transfer-Encoding: chunked")
        for _ in range(500):
            self._send(sock, b"1\r\n \r\n")
            time.sleep(0.2)


@pytest.fixture
def device(request: pytest.FixtureRequest) -> Iterator[_Device]:
    with serving(_Device(request.param), poll_interval=0.1) as server:
        yield server


def _url(device: _Device) -> str:
    host, port = device.socket.getsockname()[:2]
    return f"http://{host}:{port}"


def _within_hang_guard(call: Callable[[], T]) -> T:
    """Run ``call`` in a worker and fail (instead of hanging the project suite) if it never ends."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # handed back to the test thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(HANG_GUARD)
    assert not worker.is_alive(), f"the client was still busy after {HANG_GUARD:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


def _httpx_get(device: _Device) -> httpx.Response:
    with open_client(_url(device), None, timeout=READ_TIMEOUT, limits=LIMITS) as http:
        return http.get("/config/discover")


def _requests_get(device: _Device) -> requests.Response:
    with open_requests_session(None, limits=LIMITS) as session:
        return session.get(f"{_url(device)}/config/discover", stream=True)


CLIENTS = {"httpx": _httpx_get, "requests": _requests_get}
PATHOLOGIES = [
    ("deep", AnswerTooDeep, r"device answer nested deeper than 128 levels \(GET /config/discover\)"),
    (
        "declared-huge",
        AnswerTooLarge,
        r"device answer exceeded 16 MiB: Content-Length says 314572800 \(GET /config/discover\)$",
    ),
    ("chunked-huge", AnswerTooLarge, r"device answer exceeded 16 MiB \(GET /config/discover\)"),
    ("trickle-body", AnswerTooSlow, r"device answer not complete after 1 s \(GET /config/discover\)"),
    ("trickle-head", AnswerTooSlow, r"device answer not complete after 1 s"),
    ("never-ends", AnswerTooSlow, r"device answer not complete after 1 s"),
]


@pytest.mark.parametrize("client", sorted(CLIENTS))
@pytest.mark.parametrize(
    ("device", "error", "message"), PATHOLOGIES, indirect=["device"], ids=[p[0] for p in PATHOLOGIES]
)
def test_a_hostile_answer_fails_the_exchange_with_a_typed_error_that_says_what_the_device_did(
    client: str, device: _Device, error: type[DeviceAnswerError], message: str
) -> None:
    with pytest.raises(error, match=message):
        _within_hang_guard(lambda: CLIENTS[client](device))
    # the 300 MiB bodies were produced lazily, and the client stopped long before their end
    assert device.sent < 64 * MIB


@pytest.mark.parametrize("device", ["gzip-bomb"], indirect=True)
def test_a_compressed_answer_is_held_to_the_byte_limit_once_decoded(device: _Device) -> None:
    with pytest.raises(AnswerTooLarge, match=r"exceeded 16 MiB once decoded"):
        _within_hang_guard(lambda: _httpx_get(device))
    with pytest.raises(AnswerTooLarge, match=r"exceeded 16 MiB"):
        _within_hang_guard(lambda: _requests_get(device))


@pytest.mark.parametrize("device", ["fine"], indirect=True)
def test_a_well_behaved_answer_passes_the_guard_unchanged(device: _Device) -> None:
    assert _within_hang_guard(lambda: _httpx_get(device)).json() == {"status": "success", "data": {"ok": True}}
    assert _within_hang_guard(lambda: _requests_get(device)).json() == {"status": "success", "data": {"ok": True}}


@pytest.mark.parametrize("device", ["deep"], indirect=True)
def test_deep_json_never_reaches_the_transcript_or_a_parser(device: _Device) -> None:
    transcript = Transcript()
    with open_client(_url(device), None, timeout=READ_TIMEOUT, transcript=transcript, limits=LIMITS) as http:
        with pytest.raises(AnswerTooDeep):
            _within_hang_guard(lambda: DcaClient(http, transcript).get("/config/discover"))
    assert transcript.exchanges == []
    with httpx.Client(base_url=_url(device), timeout=READ_TIMEOUT) as bare:  # no guard: perform checks
        with pytest.raises(AnswerTooDeep):
            _within_hang_guard(lambda: perform(bare, Transcript(), "dca", "GET", "/config/discover"))


@pytest.mark.parametrize("device", ["trickle-head"], indirect=True)
def test_preflight_says_in_one_line_that_a_trickling_target_did_not_answer_in_time(device: _Device) -> None:
    call = lambda: preflight(_url(device), Credentials("root", "unused-secret"), timeout=1.0)  # noqa: E731
    with pytest.raises(PreflightError, match=r"^the target at http://127\.0\.0\.1:\d+ did not answer in time$"):
        _within_hang_guard(call)


def test_check_nesting_refuses_before_json_loads_would_recurse() -> None:
    with pytest.raises(RecursionError):  # what CPython's parser does at this depth
        json.loads(DEEP)
    with pytest.raises(AnswerTooDeep, match="nested deeper than 128 levels"):
        check_nesting(DEEP, LIMITS, "GET /x")
    limit = b"[" * 128 + b"]" * 128
    check_nesting(limit, LIMITS, "GET /x")
    check_nesting(b'{"a": "' + b"[" * 1000 + b'"}', LIMITS, "GET /x")  # brackets inside a string
    check_nesting(b"<html>" + b"[" * 1000, LIMITS, "GET /x")  # not JSON: left to the caller
    with pytest.raises(AnswerTooDeep):
        check_nesting(b" \n" + limit[:1] + limit, LIMITS, "GET /x")


def test_answer_limits_refuse_non_positive_bounds() -> None:
    with pytest.raises(ValueError):
        AnswerLimits(deadline=0)
    with pytest.raises(ValueError):
        AnswerLimits(max_bytes=0)


@pytest.mark.parametrize("device", ["fine"], indirect=True)
def test_a_deep_request_body_the_suite_sends_is_recorded_without_recursion_error(device: _Device) -> None:
    transcript = Transcript()
    with open_client(_url(device), None, timeout=READ_TIMEOUT, transcript=transcript, limits=LIMITS) as http:
        answer = _within_hang_guard(lambda: DcaClient(http, transcript).request("POST", "/x", content=DEEP))
    assert answer.ok and transcript.exchanges[-1].request_body.startswith("[[[")


class _HostileProxy(socketserver.ThreadingTCPServer):
    """Forwards each request to the emulator, except that a path ending in ``hostile_suffix`` gets
    a 300 MiB chunked answer straight from here: a device that is fine but for one endpoint."""

    daemon_threads = True

    def __init__(self, upstream: tuple[str, int], hostile_suffix: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = upstream
        self.hostile_suffix = hostile_suffix
        self.mode = "chunked-huge"
        self.sent = 0
        self.hostile_requests = 0
        self.lock = threading.Lock()

    def count(self, n: int) -> None:
        with self.lock:
            self.sent += n


class _ProxyHandler(_Handler):
    server: _HostileProxy  # type: ignore[assignment]

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(HANG_GUARD)
        data = read_head(sock)
        if data is None:
            return
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1].partition("?")[0]
        length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length"), 0)
        while len(body) < length:
            part = sock.recv(65536)
            if not part:
                return
            body += part
        try:
            if path.endswith(self.server.hostile_suffix):
                self.server.hostile_requests += 1
                self._chunked_huge(sock)
                return
            kept = [h for h in lines[1:] if h.partition(":")[0].strip().lower() != "connection"]
            forwarded = "\r\n".join([lines[0], *kept, "Connection: close"]).encode("latin-1") + b"\r\n\r\n" + body
            with socket.create_connection(self.server.upstream, timeout=HANG_GUARD) as upstream:
                upstream.sendall(forwarded)
                for _ in range(100_000):  # an emulator answer is far smaller than 6 GiB
                    part = upstream.recv(65536)
                    if not part:
                        break
                    sock.sendall(part)
        except OSError:
            pass


def test_a_run_against_a_device_with_one_hostile_endpoint_fails_that_test_only(tmp_path: Path) -> None:
    """``paircert run --target``: the endpoint that answers 300 MiB fails its test with the
    guard's sentence; the test beside it, on the same device, passes; the run ends."""
    from paircert.emulator.config import EmulatorConfig, User
    from paircert.emulator.embedded import EmbeddedEmulator

    password = "Adm1n-hostile-Secret-4711"
    config = EmulatorConfig(state_dir=tmp_path / "state", users=[User("root", password, "admin")])
    with EmbeddedEmulator(config) as emulator:
        upstream = httpx.URL(emulator.http_url)
        with serving(_HostileProxy((upstream.host, upstream.port or 80), "/openapi.json"), poll_interval=0.1) as proxy:
            host, port = proxy.socket.getsockname()[:2]
            environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
            environment.update(PYTHONPATH=str(REPO), PAIRCERT_PASSWORD=password)
            result = subprocess.run(
                [sys.executable, "-m", "paircert", "run", "--target", f"http://{host}:{port}", "--user", "root"]
                + ["--report-dir", "out", "--profile", "gate", "-k", "test_linked_json_documents_answer_json"],
                cwd=tmp_path,
                env=environment,
                capture_output=True,
                text=True,
                timeout=300,
            )
    (run_dir,) = (tmp_path / "out").iterdir()
    tests = json.loads((run_dir / "results.json").read_text())["tests"]
    verdicts = {test["nodeid"].rpartition("[")[2].rstrip("]"): test for test in tests}
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert verdicts["model.json"]["verdict"] in ("pass", "observed")  # observed: passed, with notes
    assert verdicts["openapi.json"]["verdict"] == "fail"
    assert "device answer exceeded 16 MiB (GET /" in str(verdicts["openapi.json"].get("message"))
    assert proxy.hostile_requests >= 1 and proxy.sent < 64 * MIB
