"""First contact: preflight tells a web server that is no Axis device, wrong credentials and a device
that breaks the authentication protocol apart, and ``paircert run`` says each in its own way.

Unit laws run preflight over ``httpx.MockTransport``; the end-to-end laws point ``paircert run`` at
small stdlib servers on loopback.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from serving import serving

from paircert.auth import ServerAuth
from paircert.clients.http import Credentials
from paircert.clients.preflight import NotAnAxisDevice, PreflightError, preflight

REPO = Path(__file__).resolve().parents[1]
ADMIN = Credentials("root", "first-contact-secret-4417")
DIGEST = ServerAuth("AXIS_TEST", {}).challenges()[0]
DISCOVER = {"status": "success", "data": {"framework_version": "1.0.0", "apis": {}}}
PROPERTIES = {"ProdNbr": "P1", "ProdFullName": "AXIS P1 Test Camera", "Version": "12.0.0", "SerialNumber": "S1"}


def _device(answer: Callable[[httpx.Request], httpx.Response]) -> httpx.MockTransport:
    return httpx.MockTransport(answer)


def _unauthorized(*challenges: str) -> Callable[[httpx.Request], httpx.Response]:
    headers = [("WWW-Authenticate", value) for value in challenges]
    return lambda request: httpx.Response(401, headers=headers)


def _contact(answer: Callable[[httpx.Request], httpx.Response]) -> Any:
    return preflight("http://device.test", ADMIN, transport=_device(answer))


def test_a_401_without_a_challenge_is_a_breach_of_the_device_not_a_configuration_error() -> None:
    contact = _contact(_unauthorized())
    assert contact.auth_problem is not None and contact.auth_problem.breach
    assert contact.auth_problem.sentence == "GET /config/discover answered 401 without a WWW-Authenticate challenge"


def test_a_digest_challenge_without_nonce_is_malformed_and_a_breach() -> None:
    contact = _contact(_unauthorized('Digest realm="AXIS_TEST", algorithm=MD5'))
    assert contact.auth_problem is not None and contact.auth_problem.breach
    assert "malformed challenge" in contact.auth_problem.sentence


def test_a_challenge_only_in_a_scheme_paircert_does_not_speak_blocks_without_failing_the_device() -> None:
    contact = _contact(_unauthorized("Negotiate"))
    assert contact.auth_problem is not None and not contact.auth_problem.breach
    assert "offers only Negotiate" in contact.auth_problem.sentence


def test_a_401_after_answering_a_well_formed_challenge_means_wrong_credentials() -> None:
    answered: list[bool] = []

    def device(request: httpx.Request) -> httpx.Response:
        answered.append("Authorization" in request.headers)
        return httpx.Response(401, headers={"WWW-Authenticate": DIGEST})

    with pytest.raises(PreflightError, match=r"rejected the admin credentials for user 'root' \(HTTP 401\)$") as caught:
        _contact(device)
    assert answered == [False, True]  # the challenge was answered once before the verdict
    assert caught.value.exit_code == 3 and ADMIN.password not in str(caught.value)


def test_a_web_server_that_speaks_neither_api_is_not_an_axis_device() -> None:
    with pytest.raises(NotAnAxisDevice) as caught:
        _contact(lambda request: httpx.Response(404 if request.method == "GET" else 501, text="<html></html>"))
    assert str(caught.value) == (
        "http://device.test is not an Axis device: /config/discover answered 404, "
        "/axis-cgi/apidiscovery.cgi answered 501 and the radar CGI answered 501"
    )
    assert caught.value.exit_code == 4


def test_a_web_server_that_answers_every_path_with_a_page_is_not_an_axis_device() -> None:
    with pytest.raises(NotAnAxisDevice, match=r"/config/discover answered 200 but not like the API, "):
        _contact(lambda request: httpx.Response(200, html="<html>welcome</html>"))


def test_a_device_that_answers_discovery_gives_its_identity_and_no_problem() -> None:
    def device(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/config/discover":
            return httpx.Response(200, json=DISCOVER)
        body = json.loads(request.content)
        if request.url.path.endswith("basicdeviceinfo.cgi"):
            return httpx.Response(200, json={"apiVersion": "1.3", "data": {"propertyList": PROPERTIES}})
        return httpx.Response(200, json={"apiVersion": "1.0", "method": body["method"], "data": {"apiList": []}})

    contact = _contact(device)
    assert contact.auth_problem is None and contact.device == PROPERTIES


# --------------------------------------------------------------------------- end to end


@contextmanager
def loopback_server(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


class ChallengelessDevice(http.server.BaseHTTPRequestHandler):
    """Answers every request 401 and never says how to authenticate."""

    def _refuse(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PATCH = do_DELETE = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def paircert_run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), PAIRCERT_PASSWORD=ADMIN.password)
    return subprocess.run(
        [sys.executable, "-m", "paircert", "run", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_paircert_run_at_a_plain_web_server_says_so_in_one_line_and_exits_4(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<html><body>not a camera</body></html>")
    reports = tmp_path / "reports"
    with loopback_server(functools.partial(QuietFiles, directory=str(tmp_path))) as url:  # type: ignore[arg-type]
        result = paircert_run("--target", url, "--report-dir", str(reports), cwd=tmp_path)
    assert result.returncode == 4
    assert result.stderr.splitlines() == [
        f"paircert: error: {url} is not an Axis device: /config/discover answered 404, "
        "/axis-cgi/apidiscovery.cgi answered 501 and the radar CGI answered 501"
    ]
    assert len(result.stdout.strip().splitlines()) <= 2, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert not reports.exists() or list(reports.iterdir()) == []


def test_a_device_without_a_challenge_gets_a_report_with_a_failure_against_dca_auth_required(tmp_path: Path) -> None:
    with loopback_server(ChallengelessDevice) as url:
        result = paircert_run("--target", url, "--report-dir", "out", "-k", "test_cp_auth", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    (run_dir,) = (tmp_path / "out").iterdir()
    tests = {t["nodeid"]: t for t in json.loads((run_dir / "results.json").read_text())["tests"]}
    first = tests.pop("first-contact::authentication")
    assert first["verdict"] == "fail" and first["requirements"] == ["DCA-AUTH-REQUIRED"]
    assert first["message"].endswith("GET /config/discover answered 401 without a WWW-Authenticate challenge")
    assert tests and all(t["verdict"] == "blocked" for t in tests.values())
    assert all("see the failure of DCA-AUTH-REQUIRED at first contact" in t["message"] for t in tests.values())
