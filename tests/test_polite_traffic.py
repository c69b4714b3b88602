"""Polite traffic: one request rate per run, the request timeout, and retries on transport errors only.

A loopback device answers every request with a small JSON document, except for the first
connections it is told to drop (it reads the request, then closes without a byte of answer), or
an answer it breaks off after its first bytes, or a 503. Both HTTP stacks the suite uses (httpx
through ``open_client``, requests through ``open_requests_session``) are checked against it.
Every device loop is bounded; each client call has its own timeout.
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
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import requests
from serving import read_head, serving

from paircert.clients import Transcript, open_client
from paircert.clients.guard import AnswerTooSlow
from paircert.clients.pacing import Pacer, PacingTimeout
from paircert.clients.requests_session import open_requests_session
from paircert.clients.traffic import Phase, Traffic
from paircert.plugin.options import RunConfigError, read_run_config
from paircert.report import records
from paircert.report.html import render
from paircert.report.page import build_page

REPO = Path(__file__).resolve().parents[1]
COLLECTION = "/config/rest/camera-pairing/v1beta/camerapairings"
RADAR = "/axis-cgi/networkradarpairing.cgi"
BODY = json.dumps({"status": "success", "data": []}).encode()


class _Device(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, drop: int = 0, mode: str = "fine") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.drop = drop
        self.mode = mode
        self.requests: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}"

    def arrived(self, line: str) -> int:
        with self.lock:
            self.requests.append((time.monotonic(), line))
            return len(self.requests)


class _Handler(socketserver.BaseRequestHandler):
    server: _Device

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.settimeout(10)
        for _ in range(1000):  # keep-alive: at most this many requests per connection
            head = read_head(sock)
            if head is None:
                return
            lines = head.split(b"\r\n")
            length = next((int(h.split(b":")[1]) for h in lines if h.lower().startswith(b"content-length:")), 0)
            body = head.split(b"\r\n\r\n", 1)[1]
            while len(body) < length:
                body += sock.recv(4096)
            number = self.server.arrived(lines[0].decode())
            if number <= self.server.drop:
                if self.server.mode == "partial":
                    sock.sendall(b"HTTP/1.1 2")
                return  # close: the client heard nothing (or half a status line)
            status = b"503 Service Unavailable" if self.server.mode == "busy" else b"200 OK"
            sock.sendall(
                b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
            )


@contextmanager
def device(drop: int = 0, mode: str = "fine") -> Iterator[_Device]:
    with serving(_Device(drop, mode)) as server:
        yield server


def closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


Send = Callable[[str, str, bytes], int]


@contextmanager
def httpx_send(base: str, traffic: Traffic, transcript: Transcript) -> Iterator[Send]:
    with open_client(base, None, transcript=transcript, traffic=traffic) as client:
        yield lambda method, path, body: client.request(method, path, content=body or None).status_code


@contextmanager
def requests_send(base: str, traffic: Traffic, transcript: Transcript) -> Iterator[Send]:
    with open_requests_session(None, transcript=transcript, traffic=traffic) as session:
        yield lambda method, path, body: session.request(method, base + path, data=body or None, timeout=5).status_code


def send_once(
    stack: str, base: str, traffic: Traffic, transcript: Transcript, method: str, path: str, body: bytes
) -> int:
    with STACKS[stack](base, traffic, transcript) as send:
        return send(method, path, body)


STACKS = {"httpx": httpx_send, "requests": requests_send}
TRANSPORT_ERRORS = (httpx.TransportError, requests.RequestException)


# --- the rate ----------------------------------------------------------------------------------


def test_one_pacer_holds_the_rate_across_both_http_stacks_and_threads_at_once() -> None:
    """N requests at R per second from any number of clients cannot finish in less than (N - burst) / R
    seconds: only a broken limiter ever makes this fail (a slow machine only makes it slower)."""
    rate, per_sender = 10.0, 9
    traffic = Traffic(retries=0, pacer=Pacer(rate))
    with device() as dev:
        stack = ExitStack()
        senders = [
            stack.enter_context(make(dev.url, traffic, Transcript()))
            for make in (httpx_send, requests_send, httpx_send)
        ]
        started = time.monotonic()
        workers = [
            threading.Thread(target=lambda s=s: [s("GET", COLLECTION, b"") for _ in range(per_sender)]) for s in senders
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        elapsed = time.monotonic() - started
        stack.close()
    total = per_sender * len(senders)
    assert len(dev.requests) == total
    assert elapsed >= (total - traffic.pacer.burst) / rate  # type: ignore[union-attr]


def test_a_whole_run_with_max_rps_sends_no_faster_than_it_allows(tmp_path: Path) -> None:
    """The plugin gives preflight and every client the run's one pacer: a read-only run against the
    embedded emulator (some 80 requests) cannot finish sooner than (requests - burst) / rate."""
    rate = 20
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-m", "paircert", "run", "--profile", "read-only", "--max-rps", str(rate)]
    started = time.monotonic()
    result = subprocess.run(
        [*command, "--report-dir", str(tmp_path)], env=environment, capture_output=True, text=True, timeout=300
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (results,) = tmp_path.rglob("results.json")
    traffic = json.loads(results.read_text(encoding="utf-8"))["traffic"]
    assert traffic["max_rps"] == rate and traffic["requests"] > 3 * rate
    assert elapsed >= (traffic["requests"] - rate) / rate


def test_a_wait_for_a_send_slot_is_bounded_and_says_so() -> None:
    pacer = Pacer(0.5)  # one request per two seconds
    pacer.wait(1.0)
    with pytest.raises(PacingTimeout, match=r"no send slot within 0\.05 s at --max-rps 0\.5"):
        pacer.wait(0.05)


@pytest.mark.parametrize("rate", [0.0, -1.0, float("inf"), float("nan")])
def test_a_rate_must_be_a_positive_number(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(rate)


def test_a_fractional_rate_keeps_its_average_with_a_burst_of_one() -> None:
    pacer = Pacer(2.5)
    assert (pacer.burst, pacer.window_ms) == (2, 800)
    assert (Pacer(0.5).burst, Pacer(0.5).window_ms) == (1, 2000)


# --- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_a_read_is_tried_again_after_dropped_connections_and_each_attempt_is_recorded(stack: str) -> None:
    transcript = Transcript()
    with device(drop=2) as dev:
        assert send_once(stack, dev.url, Traffic(retries=2), transcript, "GET", COLLECTION, b"") == 200
    assert len(dev.requests) == 3
    assert [(a.attempt, a.retried, a.phase) for a in transcript.attempts] == [
        (1, True, Phase.SENT.value),
        (2, True, Phase.SENT.value),
    ]
    assert len(transcript.exchanges) == 1 and transcript.exchanges[0].status_code == 200
    assert "--- failed attempt 2 ---" in transcript.render()


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_a_radar_read_sent_as_post_is_tried_again_but_a_radar_set_is_not(stack: str) -> None:
    reads, sets = Transcript(), Transcript()
    get = json.dumps({"apiVersion": "1.0", "method": "getActive"}).encode()
    put = json.dumps({"apiVersion": "1.0", "method": "setActive", "params": {"active": True}}).encode()
    with device(drop=1) as dev:
        assert send_once(stack, dev.url, Traffic(retries=2), reads, "POST", RADAR, get) == 200
    with device(drop=1) as dev, pytest.raises(TRANSPORT_ERRORS):
        send_once(stack, dev.url, Traffic(retries=2), sets, "POST", RADAR, put)
    assert len(dev.requests) == 1
    assert [a.retried for a in reads.attempts] == [True]
    assert [(a.retried, a.phase) for a in sets.attempts] == [(False, Phase.SENT.value)]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_a_state_changing_request_that_may_have_arrived_is_never_sent_twice(stack: str) -> None:
    transcript = Transcript()
    with device(drop=1) as dev, pytest.raises(TRANSPORT_ERRORS):
        send_once(stack, dev.url, Traffic(retries=2), transcript, "POST", COLLECTION, b'{"data": {}}')
    assert len(dev.requests) == 1
    assert [a.retried for a in transcript.attempts] == [False]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_a_state_changing_request_is_tried_again_when_it_was_never_sent(stack: str) -> None:
    transcript = Transcript()
    with pytest.raises(TRANSPORT_ERRORS):
        send_once(stack, closed_url(), Traffic(retries=2), transcript, "POST", COLLECTION, b'{"data": {}}')
    assert [(a.attempt, a.retried, a.phase) for a in transcript.attempts] == [
        (1, True, Phase.UNSENT.value),
        (2, True, Phase.UNSENT.value),
        (3, False, Phase.UNSENT.value),
    ]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_an_answer_broken_off_after_its_first_byte_is_never_tried_again(stack: str) -> None:
    transcript = Transcript()
    with device(drop=1, mode="partial") as dev, pytest.raises(TRANSPORT_ERRORS):
        send_once(stack, dev.url, Traffic(retries=2), transcript, "GET", COLLECTION, b"")
    assert len(dev.requests) == 1
    assert [(a.retried, a.phase) for a in transcript.attempts] == [(False, Phase.ANSWERED.value)]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_an_http_status_is_an_answer_and_never_tried_again(stack: str) -> None:
    transcript = Transcript()
    with device(drop=0, mode="busy") as dev:
        assert send_once(stack, dev.url, Traffic(retries=2), transcript, "GET", COLLECTION, b"") == 503
    assert len(dev.requests) == 1 and transcript.attempts == []


def test_without_the_runs_traffic_a_client_sends_each_request_once() -> None:
    transcript = Transcript()
    with device(drop=1) as dev, open_client(dev.url, None, transcript=transcript) as http:
        with pytest.raises(httpx.TransportError):
            http.get(COLLECTION)
    assert len(dev.requests) == 1 and [a.retried for a in transcript.attempts] == [False]


# --- the request timeout -----------------------------------------------------------------------


class _Silent(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Hold)


class _Hold(socketserver.BaseRequestHandler):
    server: _Silent

    def handle(self) -> None:
        self.request.settimeout(5)
        try:
            self.request.recv(65536)
            self.request.recv(1)  # holds until the client gives up (or 5 s)
        except OSError:
            pass


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_the_request_timeout_ends_an_exchange_with_a_silent_device_and_names_itself(stack: str) -> None:
    transcript = Transcript()
    with serving(_Silent()) as server:
        host, port = server.socket.getsockname()[:2]
        with pytest.raises(AnswerTooSlow, match=r"device answer not complete after 0\.5 s \(GET "):
            send_once(
                stack,
                f"http://{host}:{port}",
                Traffic(request_timeout=0.5, retries=1),
                transcript,
                "GET",
                COLLECTION,
                b"",
            )
    # nothing was heard, so the read was tried once more, then given up
    assert [(a.retried, a.phase) for a in transcript.attempts] == [
        (True, Phase.SENT.value),
        (False, Phase.SENT.value),
    ]


def _config(**values: Any) -> Any:
    return read_run_config(values, {})


def test_the_traffic_options_have_polite_defaults_and_refuse_nonsense() -> None:
    run = _config()
    assert (run.max_rps, run.request_timeout, run.retries) == (None, 10.0, 2)
    run = _config(paircert_max_rps=2.5, paircert_request_timeout=3.0, paircert_retries=0)
    assert (run.max_rps, run.request_timeout, run.retries) == (2.5, 3.0, 0)
    wrong: list[tuple[dict[str, Any], str]] = [
        ({"paircert_max_rps": 0.0}, "--max-rps: expected a positive number"),
        ({"paircert_request_timeout": -1.0}, "--request-timeout: expected a positive number"),
        ({"paircert_retries": 11}, "--retries: expected 0 to 10"),
    ]
    for values, message in wrong:
        with pytest.raises(RunConfigError, match=message):
            _config(**values)


# --- the report --------------------------------------------------------------------------------


ATTEMPTS_RECORDED = """
import httpx
from paircert.clients import open_client
from paircert.clients.traffic import Traffic

def test_reads_a_device_that_is_not_there(transcript) -> None:
    with open_client("{url}", None, transcript=transcript, traffic=Traffic(retries=1)) as http:
        try:
            http.get("/config/discover")
        except httpx.ConnectError:
            pass

def test_sends_nothing() -> None:
    pass
"""


def test_the_attempts_a_test_made_reach_its_record_in_results_json(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(ATTEMPTS_RECORDED.format(url=closed_url()))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "paircert.plugin", "-p", "no:cacheprovider", "-q", "test_sample.py"]
        + ["--report-dir", "out"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tests = {t["nodeid"]: t for t in json.loads((tmp_path / "out" / "results.json").read_text())["tests"]}
    attempts = tests["test_sample.py::test_reads_a_device_that_is_not_there"]["failed_attempts"]
    assert [(a["attempt"], a["retried"], a["phase"]) for a in attempts] == [
        (1, True, Phase.UNSENT.value),
        (2, False, Phase.UNSENT.value),
    ]
    assert all(a["request"].endswith("/config/discover") and "ConnectError" in a["error"] for a in attempts)
    assert tests["test_sample.py::test_sends_nothing"]["failed_attempts"] == []


def _run_with(attempts: list[dict[str, Any]], traffic: dict[str, Any]) -> records.RunRecord:
    metadata = records.RunMetadata("r1", "http://192.0.2.10", False, "read-only", 1, "0", "1", {}, None, "", "", 0)
    test = records.TestRecord("suites/x.py::test_read", "passed", "pass", [], {}, 0.1, None, [], attempts)
    return records.RunRecord(metadata, [test], [], traffic=traffic)


ATTEMPT = {
    "request": f"GET http://192.0.2.10{COLLECTION}",
    "attempt": 1,
    "phase": Phase.SENT.value,
    "error": "RemoteProtocolError: Server disconnected without sending a response.",
    "retried": True,
}


def test_a_retried_request_is_on_its_tests_record_in_results_json_and_on_the_page() -> None:
    traffic = {
        "max_rps": 5.0,
        "request_timeout": 10.0,
        "retries": 2,
        "requests": 12,
        "state_changing": 0,
        "read_only": {"holds": True, "statement": "read-only: 12 requests, none changes state", "changing": []},
    }
    run = _run_with([ATTEMPT], traffic)
    document = json.loads(run.to_json())
    schema = json.loads((REPO / "schemas" / "results" / "results.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["tests"][0]["failed_attempts"] == [ATTEMPT]
    assert document["traffic"]["max_rps"] == 5.0
    assert document["profile"]["read_only"]["statement"] == "read-only: 12 requests, none changes state"
    assert run.overall() == "PASS"
    html = render(build_page(run, {}, {}, []))
    assert 'id="failed-attempts"' in html and "Server disconnected without sending a response." in html
    assert "read-only: 12 requests, none changes state" in html
    assert "at most 5 per second" in html


def test_a_read_only_run_whose_transcript_holds_a_state_changing_request_fails() -> None:
    offending = f"POST {COLLECTION} in suites/x.py::test_read"
    traffic = {
        "max_rps": None,
        "request_timeout": 10.0,
        "retries": 2,
        "requests": 3,
        "state_changing": 1,
        "read_only": {"holds": False, "statement": f"read-only run sent 1 ...: {offending}", "changing": [offending]},
    }
    run = _run_with([], traffic)
    assert run.overall() == "FAIL"
    assert "a suite bug" in build_page(run, {}, {}, []).headline
