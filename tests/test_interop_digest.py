"""Digest that every common client speaks: independent clients log in to every server side of paircert.

PROTOCOL-NOTES §2: Python's urllib acts on the first Digest challenge and knows only MD5 (and
SHA-1); live555-based clients answer without qop (RFC 2069). So the emulator's HTTP and RTSP
re-serve and the peers' HTTP and RTSP offer MD5 first by default and accept both answer styles.
Each client runs with its default options; only the credentials are given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import av
import httpx
import pytest
import requests
from emulator_process import running_emulator

from paircert.auth import HttpAuth, parse_challenges
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.media.sources import MEDIA_PATH
from paircert.peers import cli as peers_cli
from paircert.peers.config import PeerConfig
from paircert.peers.embedded import EmbeddedPeers
from paircert.vapix.paths import CAMERA_API_ROOT, DEVICEINFO_PATH

REPO = Path(__file__).resolve().parents[1]
USER, PASSWORD = "interop", "interop-digest-secret"
ALL_PROPERTIES = {"apiVersion": "1.0", "method": "getAllProperties"}
CLIENTS = ["urllib", "requests", "curl"]


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, object]


def _urllib(method: str, url: str, body: Mapping[str, object] | None, password: str) -> Answer:
    manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    manager.add_password(None, url, USER, password)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPDigestAuthHandler(manager))
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with opener.open(request, timeout=10) as response:
            return Answer(response.status, json.load(response))
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, {})


def _requests(method: str, url: str, body: Mapping[str, object] | None, password: str) -> Answer:
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment for loopback
        response = session.request(
            method, url, json=body, auth=requests.auth.HTTPDigestAuth(USER, password), timeout=10
        )
    return Answer(response.status_code, response.json() if response.status_code == 200 else {})


def _curl(method: str, url: str, body: Mapping[str, object] | None, password: str) -> Answer:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    command = [curl, "--digest", "-u", f"{USER}:{password}", "-sS", "--noproxy", "*", "--max-time", "10"]
    command += ["-X", method, "-o", "-", "-w", "\n%{http_code}"]
    if body is not None:
        command += ["-H", "Content-Type: application/json", "--data", json.dumps(body)]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=20, check=True)
    text, _, status = result.stdout.rpartition("\n")
    return Answer(int(status), json.loads(text) if status == "200" else {})


LOGIN: dict[str, Callable[[str, str, Mapping[str, object] | None, str], Answer]] = {
    "urllib": _urllib,
    "requests": _requests,
    "curl": _curl,
}


def deviceinfo_properties(client: str, base: str, password: str = PASSWORD) -> Answer:
    return LOGIN[client]("POST", base + DEVICEINFO_PATH, ALL_PROPERTIES, password)


def with_credentials(url: str, password: str = PASSWORD) -> str:
    return url.replace("://", f"://{USER}:{password}@", 1)


def pyav_frames(url: str, frames: int = 3) -> int:
    """Decode a few pictures with FFmpeg's RTSP client as it comes (TCP interleaving is all we serve)."""
    decoded = 0
    with av.open(url, options={"rtsp_transport": "tcp"}, timeout=(5.0, 5.0)) as container:
        for _ in container.decode(video=0):
            decoded += 1
            if decoded == frames:
                break
    return decoded


# --- in-process hosts ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEmulator]:
    config = EmulatorConfig(
        state_dir=tmp_path_factory.mktemp("digest-state"),
        users=[User(USER, PASSWORD, "admin")],
        peer_link="tcp",
    )
    with EmbeddedEmulator(config) as running:
        yield running


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPeers]:
    camera = PeerConfig(
        kind="camera",
        address="127.0.0.2",
        user=USER,
        password=PASSWORD,
        rtsp_port=0,
        rtsps_port=None,
        http_port=0,
        https_port=None,
        ca_dir=tmp_path_factory.mktemp("ca"),
    )
    with EmbeddedPeers([camera]) as running:
        yield running


@pytest.mark.parametrize("client", CLIENTS)
def test_independent_clients_read_the_emulators_device_info_with_digest(
    client: str, emulator: EmbeddedEmulator
) -> None:
    answer = deviceinfo_properties(client, emulator.http_url)
    assert answer.status == 200
    assert "ProdNbr" in answer.body["data"]["propertyList"]  # type: ignore[index]
    assert deviceinfo_properties(client, emulator.http_url, "wrong-password").status == 401


@pytest.mark.parametrize("client", CLIENTS)
def test_independent_clients_read_the_camera_pairing_api_root_with_digest(
    client: str, emulator: EmbeddedEmulator
) -> None:
    answer = LOGIN[client]("GET", emulator.http_url + CAMERA_API_ROOT, None, PASSWORD)
    assert answer.status == 200 and answer.body["status"] == "success"
    assert LOGIN[client]("GET", emulator.http_url + CAMERA_API_ROOT, None, "wrong-password").status == 401


@pytest.mark.parametrize("client", CLIENTS)
def test_independent_clients_read_the_peers_device_info_with_digest(client: str, peers: EmbeddedPeers) -> None:
    camera = peers.camera
    camera.clear_records()
    http = camera.urls.http
    assert http is not None
    answer = deviceinfo_properties(client, http)
    assert answer.status == 200
    assert answer.body["data"]["propertyList"]["ProdNbr"] == "I7010-VE"  # type: ignore[index]
    calls = camera.records().deviceinfo_calls
    assert calls[-1].auth_scheme == "digest" and calls[-1].authenticated
    assert deviceinfo_properties(client, http, "wrong-password").status == 401


def test_pyav_decodes_the_peers_rtsp_with_digest(peers: EmbeddedPeers) -> None:
    camera = peers.camera
    camera.clear_records()
    assert camera.urls.rtsp is not None
    assert pyav_frames(with_credentials(camera.urls.rtsp)) == 3
    record = camera.records().rtsp[-1]
    assert record.auth_scheme == "digest" and record.authenticated
    with pytest.raises(av.HTTPUnauthorizedError):
        pyav_frames(with_credentials(camera.urls.rtsp, "wrong-password"), frames=1)


def test_pyav_logs_in_to_the_emulators_rtsp_reserve(emulator: EmbeddedEmulator) -> None:
    # Nothing is paired, so a logged-in DESCRIBE finds no stream (404); wrong credentials get 401.
    url = emulator.rtsp_url + MEDIA_PATH + "?camera=2"
    with pytest.raises(av.HTTPNotFoundError):
        pyav_frames(with_credentials(url), frames=1)
    with pytest.raises(av.HTTPUnauthorizedError):
        pyav_frames(with_credentials(url, "wrong-password"), frames=1)


# --- RFC 2069 answers (no qop), built here from the RFC's formula --------------------------------


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def rfc2069_authorization(challenges: list[str], method: str, uri: str, password: str = PASSWORD) -> str:
    """The answer live555 sends: response = MD5(HA1:nonce:HA2), no qop, nc or cnonce."""
    md5 = next(c for c in parse_challenges(challenges) if c.scheme == "digest" and c.algorithm == "MD5")
    realm, nonce = md5.params["realm"], md5.params["nonce"]
    response = _md5(f"{_md5(f'{USER}:{realm}:{password}')}:{nonce}:{_md5(f'{method}:{uri}')}")
    return f'Digest username="{USER}", realm="{realm}", nonce="{nonce}", uri="{uri}", response="{response}"'


def http_rfc2069(method: str, url: str, body: Mapping[str, object] | None, password: str = PASSWORD) -> int:
    target = urlsplit(url).path
    with httpx.Client(timeout=10, trust_env=False) as client:
        first = client.request(method, url, json=body)
        assert first.status_code == 401
        authorization = rfc2069_authorization(first.headers.get_list("www-authenticate"), method, target, password)
        return client.request(method, url, json=body, headers={"Authorization": authorization}).status_code


def rtsp_describe(url: str, authorization: str | None = None) -> tuple[int, list[str]]:
    """One DESCRIBE on a fresh connection: the status and the ``WWW-Authenticate`` values."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    lines = [f"DESCRIBE {url} RTSP/1.0", "CSeq: 1", "Accept: application/sdp"]
    if authorization is not None:
        lines.append(f"Authorization: {authorization}")
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    status_line, *header_lines = head.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    challenges = [v.strip() for k, _, v in (h.partition(":") for h in header_lines) if k.lower() == "www-authenticate"]
    return int(status_line.split()[1]), challenges


def rtsp_rfc2069(url: str, password: str = PASSWORD) -> int:
    status, challenges = rtsp_describe(url)
    assert status == 401
    return rtsp_describe(url, rfc2069_authorization(challenges, "DESCRIBE", url, password))[0]


def test_the_emulators_http_accepts_an_rfc_2069_answer(emulator: EmbeddedEmulator) -> None:
    assert http_rfc2069("POST", emulator.http_url + DEVICEINFO_PATH, ALL_PROPERTIES) == 200
    assert http_rfc2069("GET", emulator.http_url + CAMERA_API_ROOT, None) == 200
    assert http_rfc2069("GET", emulator.http_url + CAMERA_API_ROOT, None, "wrong-password") == 401


def test_the_emulators_rtsp_reserve_accepts_an_rfc_2069_answer(emulator: EmbeddedEmulator) -> None:
    url = emulator.rtsp_url + MEDIA_PATH + "?camera=2"
    assert rtsp_rfc2069(url) == 404  # logged in; nothing paired to re-serve
    assert rtsp_rfc2069(url, "wrong-password") == 401


def test_the_peers_http_accepts_an_rfc_2069_answer(peers: EmbeddedPeers) -> None:
    http = peers.camera.urls.http
    assert http is not None
    assert http_rfc2069("POST", http + DEVICEINFO_PATH, ALL_PROPERTIES) == 200
    assert http_rfc2069("POST", http + DEVICEINFO_PATH, ALL_PROPERTIES, "wrong-password") == 401


def test_the_peers_rtsp_accepts_an_rfc_2069_answer(peers: EmbeddedPeers) -> None:
    rtsp = peers.camera.urls.rtsp
    assert rtsp is not None
    assert rtsp_rfc2069(rtsp) == 200
    assert rtsp_rfc2069(rtsp, "wrong-password") == 401


def test_every_server_side_offers_md5_alone_by_default(emulator: EmbeddedEmulator, peers: EmbeddedPeers) -> None:
    camera = peers.camera.urls
    assert camera.http is not None and camera.rtsp is not None
    with httpx.Client(timeout=10, trust_env=False) as client:
        offers = [
            client.get(emulator.http_url + CAMERA_API_ROOT).headers.get_list("www-authenticate"),
            client.post(camera.http + DEVICEINFO_PATH, json=ALL_PROPERTIES).headers.get_list("www-authenticate"),
        ]
    offers += [rtsp_describe(emulator.rtsp_url + MEDIA_PATH)[1], rtsp_describe(camera.rtsp)[1]]
    for offer in offers:
        assert [(c.scheme, c.params.get("algorithm")) for c in parse_challenges(offer)] == [("digest", "MD5")]


# --- the real command lines ------------------------------------------------------------------------


def _start(arguments: list[str], ready: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], list[str]]:
    """``paircert peers``; the emulator is started by :func:`emulator_process.running_emulator`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment.update(PYTHONPATH=str(REPO), **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "paircert", *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    for _ in range(40):  # bounded: the banner is a few lines
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.strip())
        if line.strip().startswith(ready):
            break
    return process, lines


def _stop(process: subprocess.Popen[str]) -> str:
    try:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return stderr


def _url(lines: list[str], label: str) -> str:
    return next(line.split()[-1] for line in lines if line.split()[:1] == [label])


def _algorithms(challenges: list[str]) -> list[str | None]:
    return [c.params.get("algorithm") for c in parse_challenges(challenges)]


def _offers(http: str, rtsp_url: str) -> list[list[str | None]]:
    """The Digest algorithms the HTTP and the RTSP side offer, in order."""
    with httpx.Client(timeout=10, trust_env=False) as client:
        offered = client.post(http + DEVICEINFO_PATH, json=ALL_PROPERTIES).headers.get_list("www-authenticate")
    return [_algorithms(offered), _algorithms(rtsp_describe(rtsp_url)[1])]


@pytest.mark.slow
def test_clients_log_in_to_the_paircert_emulator_command_line(tmp_path: Path) -> None:
    arguments = ["--state-dir", str(tmp_path), "--user", f"{USER}:{PASSWORD}:admin"]
    with running_emulator(*arguments, "--digest-algorithms", "md5,sha-256") as emulator:
        lines = emulator.banner
        assert lines and lines[0] == "paircert emulator ready", lines
        http, rtsp = _url(lines, "http:"), _url(lines, "rtsp:")
        assert _offers(http, rtsp + MEDIA_PATH) == [["MD5", "SHA-256"]] * 2
        for client_name in CLIENTS:  # urllib takes the first challenge, MD5; the others may take SHA-256
            assert deviceinfo_properties(client_name, http).status == 200, client_name
            assert LOGIN[client_name]("GET", http + CAMERA_API_ROOT, None, PASSWORD).status == 200, client_name
        with httpx.Client(timeout=10, trust_env=False, auth=HttpAuth(USER, PASSWORD)) as ours:
            answer = ours.get(http + CAMERA_API_ROOT)
        assert answer.status_code == 200 and "algorithm=SHA-256" in answer.request.headers["authorization"]
        stderr = emulator.interrupt()
    assert emulator.process.returncode == 0 and "Traceback" not in stderr and PASSWORD not in stderr


@pytest.mark.slow
def test_clients_log_in_to_the_paircert_peers_command_line(tmp_path: Path) -> None:
    arguments = ["peers", "--address", "127.0.0.4", "--user", USER, "--ca-dir", str(tmp_path / "ca")]
    arguments += ["--rtsp-port", "0", "--rtsps-port", "0", "--http-port", "0", "--https-port", "0"]
    process, lines = _start(arguments, "ready", {"PAIRCERT_PEER_PASSWORD": PASSWORD})
    try:
        assert lines and lines[-1].startswith("ready"), lines
        http, rtsp = _url(lines, "http"), _url(lines, "rtsp")
        assert _offers(http, rtsp) == [["MD5"]] * 2
        for client_name in CLIENTS:
            assert deviceinfo_properties(client_name, http).status == 200, client_name
        assert pyav_frames(with_credentials(rtsp)) == 3
    finally:
        stderr = _stop(process)
    assert process.returncode == 0 and "Traceback" not in stderr and PASSWORD not in stderr


def test_the_peers_digest_algorithms_option_reaches_http_and_rtsp(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    peers_cli.add_arguments(parser)
    options = [
        "--address",
        "127.0.0.4",
        "--user",
        USER,
        "--ca-dir",
        str(tmp_path),
        "--digest-algorithms",
        "SHA-256,MD5",
    ]
    options += ["--rtsp-port", "0", "--rtsps-port", "0", "--http-port", "0", "--https-port", "0"]
    (config,) = peers_cli.peer_configs(parser.parse_args(options), PASSWORD)
    assert config.digest_algorithms == ("SHA-256", "MD5")
    with EmbeddedPeers([config]) as running:
        urls = running.camera.urls
        assert urls.http is not None and urls.rtsp is not None
        assert _offers(urls.http, urls.rtsp) == [["SHA-256", "MD5"]] * 2
        with httpx.Client(timeout=10, trust_env=False, auth=HttpAuth(USER, PASSWORD)) as ours:
            assert ours.post(urls.http + DEVICEINFO_PATH, json=ALL_PROPERTIES).status_code == 200
