"""A small, controllable peer for the emulator's link tests, and tests of the peer itself.

The full peers (paircert.peers) are built elsewhere; the link tests need only an honest stand-in:
``basicdeviceinfo.cgi`` over HTTP and HTTPS with Digest (paircert.auth's verifier), and RTSP and
RTSPS through the project's one RtspServer with a fake source whose payload bytes mean nothing
(the emulator does not decode) but whose capture times are recorded, so a test can check that the
emulator's re-served stream carries them unchanged. Everything runs in one event loop in a thread
of its own, beside the emulator's, and binds to one loopback address with free ports.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import ssl
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest
import trustme

from paircert.auth import HttpAuth, ServerAuth
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.embedded import EmbeddedEmulator
from paircert.rtsp.client import RtspClient
from paircert.rtsp.faults import Faults
from paircert.rtsp.record import ClientRecord
from paircert.rtsp.rtp import OnvifReplay, RtpPacket, unix_to_ntp
from paircert.rtsp.sdp import SessionDescription, h264_media, metadata_media
from paircert.rtsp.server import RtspServer

T = TypeVar("T")

PEER_HOST = "127.0.0.2"
SILENT_HOST = "127.0.0.4"  # nothing listens here
MEDIA_PATH = "/axis-media/media.amp"
DEVICEINFO = "/axis-cgi/basicdeviceinfo.cgi"
PEER_USER, PEER_PASSWORD = "peer-viewer", "peer-secret-1"
ADMIN_PASSWORD = "emulator-admin-secret"
PRODUCT = {
    "Architecture": "armv7hf",
    "Brand": "AXIS",
    "BuildDate": "Nov 01 2026 10:00",
    "HardwareID": "99F",
    "ProdFullName": "AXIS I7010-VE Network Intercom",
    "ProdNbr": "I7010-VE",
    "ProdShortName": "AXIS I7010-VE",
    "ProdType": "Network Intercom",
    "ProdVariant": "",
    "SerialNumber": "B8A44F123456",
    "Soc": "Axis Artpec-7",
    "SocSerialNumber": "00000000-00000000-12345678",
    "Version": "12.2.0",
    "WebURL": "http://www.axis.com",
}
SPS = bytes.fromhex("6764001facd9405005bb011000000300100000030320f1831960")
PPS = bytes.fromhex("68ebe3cb22c0")
CERT_NAMES = (PEER_HOST, "camera.paircert.test", "radar.paircert.test")
LIST = "/config/rest/camera-pairing/v1beta/camerapairings"
RADAR_CGI = "/axis-cgi/networkradarpairing.cgi"


class PeerLoop:
    """An event loop in a daemon thread; ``run`` executes a coroutine there, bounded in time."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-peer", daemon=True)
        self.thread.start()

    def run(self, coro: Awaitable[T], timeout: float = 15.0) -> T:
        async def wrapped() -> T:
            return await coro

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class FakeSource:
    """Endless H.264-ish video and metadata frames; every frame's capture time is remembered.

    Each payload starts with an 8-byte frame number that is unique across sessions, so a test
    can look up the capture time the peer stamped on a frame it later receives elsewhere.
    """

    def __init__(self, interval: float = 0.04) -> None:
        self.interval = interval
        self.capture: OrderedDict[int, int] = OrderedDict()
        self._numbers = itertools.count(1)

    def describe(self, url: str) -> str | None:
        if urlsplit(url).path != MEDIA_PATH:
            return None
        return SessionDescription(media=[h264_media("trackID=1", SPS, PPS), metadata_media("trackID=2")]).serialize()

    def _stamp(self, number: int, ntp: int) -> None:
        self.capture[number] = ntp
        while len(self.capture) > 20_000:
            self.capture.popitem(last=False)

    async def packets(self, url: str, control: str) -> AsyncIterator[RtpPacket]:
        video = control == "trackID=1"
        ssrc, payload_type = (0x1111, 96) if video else (0x2222, 107)
        for index in itertools.count():
            number = next(self._numbers)
            ntp = unix_to_ntp(time.time())
            self._stamp(number, ntp)
            extension = OnvifReplay(ntp, clean_point=index % 25 == 0).to_extension()
            head = number.to_bytes(8, "big")
            if video:  # two packets per frame: FU-A-ish bytes, the marker ends the frame
                yield RtpPacket(
                    payload_type, 2 * index, 3600 * index, ssrc, b"\x7c\x85" + head + bytes(600), False, (), extension
                )
                yield RtpPacket(
                    payload_type,
                    2 * index + 1,
                    3600 * index,
                    ssrc,
                    b"\x7c\x45" + head + bytes(300),
                    True,
                    (),
                    extension,
                )
            else:
                body = head + b"<tt:MetadataStream><tt:Frame/></tt:MetadataStream>"
                yield RtpPacket(payload_type, index, 3600 * index, ssrc, body, True, (), extension)
            await asyncio.sleep(self.interval)


def frame_number(packet: RtpPacket) -> int:
    """The frame number a FakeSource packet carries (video packets have a 2-byte FU-A header)."""
    offset = 2 if packet.payload[:1] == b"\x7c" else 0
    return int.from_bytes(packet.payload[offset : offset + 8], "big")


@dataclass
class InfoRequest:
    path: str
    method: str
    auth_scheme: str | None
    authenticated: bool


class InfoResponder:
    """``basicdeviceinfo.cgi`` on HTTP/1.1 with Digest; keep-alive, bounded reads and records."""

    def __init__(self, host: str, users: dict[str, str], *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.ssl_context = ssl_context
        self.verifier = ServerAuth("AXIS_test-peer", users)
        self.reject_credentials = False
        self.requests: deque[InfoRequest] = deque(maxlen=1000)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(
            self._client, self.host, port, ssl=self.ssl_context, ssl_handshake_timeout=5 if self.ssl_context else None
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, OSError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {
                    k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
                }
                length = int(headers.get("content-length", "0"))
                body = await asyncio.wait_for(reader.readexactly(min(length, 65536)), 10)
                writer.write(self._answer(method, path, headers, body))
                await asyncio.wait_for(writer.drain(), 10)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
            return
        finally:
            self._writers.discard(writer)
            writer.close()

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
        authorization = headers.get("authorization")
        result = None
        if authorization and not self.reject_credentials:
            result = self.verifier.check(method, path, authorization)
        ok = result is not None and result.ok
        scheme = authorization.partition(" ")[0].lower() if authorization else None
        self.requests.append(InfoRequest(path, method, scheme, ok))
        if path != DEVICEINFO:
            return _http(404, b"{}")
        if not ok:
            extra = [("WWW-Authenticate", value) for value in self.verifier.challenges()]
            return _http(401, b'{"error": {"code": 2106}}', extra)
        request = json.loads(body or b"{}")
        answer = {"apiVersion": "1.3", "method": request.get("method"), "data": {"propertyList": PRODUCT}}
        return _http(200, json.dumps(answer).encode())


def _http(status: int, body: bytes, extra: list[tuple[str, str]] = ()) -> bytes:  # type: ignore[assignment]
    reason = {200: "OK", 401: "Unauthorized", 404: "Not Found"}[status]
    head = [f"HTTP/1.1 {status} {reason}", "Content-Type: application/json", f"Content-Length: {len(body)}"]
    head += [f"{k}: {v}" for k, v in extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


class FakePeer:
    """One peer device on ``host``: HTTP, HTTPS, RTSP and RTSPS with the same credentials, faults
    switchable while it runs (``faults`` for RTSP, ``reject_info_credentials`` for HTTP)."""

    def __init__(self, loop: PeerLoop, host: str, cert_ca: trustme.CA, *, interval: float = 0.04) -> None:
        self.loop = loop
        self.host = host
        self.source = FakeSource(interval)
        self.faults = Faults()
        users = {PEER_USER: PEER_PASSWORD}
        context = server_context(cert_ca, *CERT_NAMES)
        self.http = InfoResponder(host, users)
        self.https = InfoResponder(host, users, ssl_context=context)
        self.rtsp = RtspServer(self.source, host=host, users=users, faults=self.faults, session_timeout=30)
        self.rtsps = RtspServer(
            self.source, host=host, users=users, faults=self.faults, session_timeout=30, ssl_context=context
        )
        loop.run(self._start())

    async def _start(self) -> None:
        for server in (self.http, self.https, self.rtsp, self.rtsps):
            await server.start()

    def stop_rtsp(self) -> None:
        self.loop.run(self.rtsp.close())

    def restart_rtsp(self) -> None:
        async def restart() -> None:
            server = RtspServer(
                self.source, host=self.host, port=self.rtsp.port, users={PEER_USER: PEER_PASSWORD}, faults=self.faults
            )
            await server.start()
            self.rtsp = server

        self.loop.run(restart())

    def set_info_rejects(self, reject: bool) -> None:
        self.http.reject_credentials = self.https.reject_credentials = reject

    def ports(self) -> dict[str, int]:
        return {
            "peer_http_port": self.http.port,
            "peer_https_port": self.https.port,
            "peer_rtsp_port": self.rtsp.port,
            "peer_rtsps_port": self.rtsps.port,
        }

    def records(self) -> list[ClientRecord]:
        return [*self.rtsp.records, *self.rtsps.records]

    def close(self) -> None:
        async def close() -> None:
            for server in (self.rtsp, self.rtsps):
                await server.close()
            for info in (self.http, self.https):
                await info.close()

        self.loop.run(close())


# -- fixtures shared by the link and stream tests ---------------------------------------------


@pytest.fixture(scope="session")
def peer_loop() -> Iterator[PeerLoop]:
    loop = PeerLoop()
    try:
        yield loop
    finally:
        loop.close()


@pytest.fixture(scope="session")
def trusted_ca() -> trustme.CA:
    return trustme.CA(organization_name="paircert test peers")


@pytest.fixture(scope="session")
def trusted_ca_file(trusted_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trust") / "peers-ca.pem"
    trusted_ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture()
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries at 0.2 s, capped at 1 s, so recovery tests stay short (the emulator runs in-process)."""
    from paircert.emulator import links

    monkeypatch.setattr(links, "BACKOFF_FIRST", 0.2)
    monkeypatch.setattr(links, "BACKOFF_MAX", 1.0)


def make_peer(loop: PeerLoop, ca: trustme.CA, host: str = PEER_HOST) -> FakePeer:
    return FakePeer(loop, host, ca)


def emulator_config(state_dir: Path, peer: FakePeer, trust: Path, **overrides: Any) -> EmulatorConfig:
    settings: dict[str, Any] = {
        "state_dir": state_dir,
        "users": [User("admin", ADMIN_PASSWORD, "admin")],
        "name_table": {
            "localhost": ["127.0.0.1", "::1"],
            "camera.paircert.test": [PEER_HOST],
            "radar.paircert.test": [PEER_HOST],
            **overrides.pop("extra_names", {}),
        },
        "trust_ca_file": trust,
        **peer.ports(),
    }
    return EmulatorConfig(**{**settings, **overrides})


@dataclass
class Transition:
    at: float
    state: str

    def __str__(self) -> str:
        return f"{self.state} {self.at:.2f}s"


class Watch:
    """Polls a state every 20 ms and keeps each change with its time since the last ``mark``."""

    def __init__(self, read: Callable[[], str], label: str = "start") -> None:
        self.read = read
        self.start = time.monotonic()
        self.seen: list[Transition] = []
        self.log: list[str] = [f"[{label}]"]

    def mark(self, label: str) -> None:
        """Restart the clock at the moment a test changes something, and say what it changed."""
        self.start = time.monotonic()
        self.log.append(f"| [{label}]")

    def _note(self) -> str:
        state = self.read()
        if not self.seen or self.seen[-1].state != state:
            transition = Transition(time.monotonic() - self.start, state)
            self.seen.append(transition)
            self.log.append(str(transition))
        return state

    def until(self, wanted: str, timeout: float = 10.0) -> float:
        """Seconds from the last mark until ``wanted`` was seen; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._note() == wanted:
                return time.monotonic() - self.start
            time.sleep(0.02)
        raise AssertionError(f"never saw {wanted!r} within {timeout} s; saw {' '.join(self.log)}")

    def holds(self, wanted: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            state = self._note()
            assert state == wanted, f"{wanted!r} did not hold: {' '.join(self.log)}"
            time.sleep(0.05)

    def report(self, case: str) -> str:
        line = f"[transitions] {case}: " + " ".join(self.log)
        print(line)
        return line


@dataclass
class Rig:
    """A fake peer and an emulator pointed at it, with an admin client for both APIs."""

    peer: FakePeer
    emulator: EmbeddedEmulator
    api: httpx.Client

    def add(self, **overrides: Any) -> str:
        data = {
            "address": PEER_HOST,
            "username": PEER_USER,
            "password": PEER_PASSWORD,
            "streamingprotocol": "RTSP",
            "verifycertificate": False,
            "description": "link test",
            **overrides,
        }
        response = self.api.post(LIST, json={"data": data})
        assert response.status_code == 201, response.text
        entity = response.json()["data"]
        assert entity["status"] == "Connecting"  # nothing has happened on the wire yet
        return str(entity["id"])

    def status(self, pairing_id: str) -> str:
        """``Paired``/``Connecting``/... or ``Error/<code>`` from the item GET's envelope."""
        body = self.api.get(f"{LIST}/{pairing_id}").json()
        if body["status"] == "error":
            return f"Error/{body['error']['code']}"
        return str(body["data"]["status"])

    def watch(self, pairing_id: str, label: str = "POST") -> Watch:
        return Watch(lambda: self.status(pairing_id), label)

    def patch(self, pairing_id: str, name: str, value: Any) -> None:
        response = self.api.patch(f"{LIST}/{pairing_id}/{name}", json={"data": value})
        assert response.status_code == 200, response.text

    def played(self) -> list[ClientRecord]:
        return [r for r in self.peer.records() if "PLAY" in r.methods]

    def radar(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"apiVersion": "1.0", "method": method}
        if params is not None:
            body["params"] = params
        response = self.api.post(RADAR_CGI, json=body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        assert "error" not in answer, answer
        return answer

    def radar_state(self) -> str:
        return str(self.radar("getRadarConnection")["data"]["state"])

    def radar_watch(self, label: str = "setActive(true)") -> Watch:
        return Watch(self.radar_state, label)


@pytest.fixture(scope="session")
def stranger_ca() -> trustme.CA:
    """A CA the emulator does not trust."""
    return trustme.CA(organization_name="nobody the emulator knows")


@pytest.fixture()
def rigs(
    peer_loop: PeerLoop, trusted_ca: trustme.CA, trusted_ca_file: Path, tmp_path: Path
) -> Iterator[Callable[..., Rig]]:
    """Makes rigs (a fresh peer and emulator each); ``ca`` signs the peer's certificate."""
    made: list[Rig] = []

    def make(ca: trustme.CA | None = None, **overrides: Any) -> Rig:
        peer = make_peer(peer_loop, ca or trusted_ca)
        emulator = EmbeddedEmulator(
            emulator_config(tmp_path / f"state-{len(made)}", peer, trusted_ca_file, **overrides)
        )
        try:
            emulator.start()
        except BaseException:
            peer.close()
            raise
        api = httpx.Client(base_url=emulator.http_url, auth=HttpAuth("admin", ADMIN_PASSWORD), timeout=20)
        rig = Rig(peer, emulator, api)
        made.append(rig)
        return rig

    yield make
    for rig in made:
        rig.api.close()
        rig.emulator.stop()
        rig.peer.close()


# -- the fake peer's own tests ----------------------------------------------------------------


def test_the_fake_peer_answers_deviceinfo_with_digest_only(
    peer_loop: PeerLoop, trusted_ca: trustme.CA, trusted_ca_file: Path
) -> None:
    peer = make_peer(peer_loop, trusted_ca)
    try:
        body = {"apiVersion": "1.0", "method": "getAllProperties"}
        url = f"http://{PEER_HOST}:{peer.http.port}{DEVICEINFO}"
        with httpx.Client(trust_env=False, timeout=5) as client:
            assert client.post(url, json=body).status_code == 401
            answer = client.post(url, json=body, auth=HttpAuth(PEER_USER, PEER_PASSWORD))
            assert answer.status_code == 200 and answer.json()["data"]["propertyList"]["ProdNbr"] == "I7010-VE"
            assert client.post(url, json=body, auth=HttpAuth(PEER_USER, "wrong")).status_code == 401
        context = ssl.create_default_context(cafile=str(trusted_ca_file))
        with httpx.Client(trust_env=False, timeout=5, verify=context) as client:
            answer = client.post(
                f"https://{PEER_HOST}:{peer.https.port}{DEVICEINFO}", json=body, auth=HttpAuth(PEER_USER, PEER_PASSWORD)
            )
            assert answer.status_code == 200
        assert [r.authenticated for r in peer.http.requests] == [False, False, True, False, False]
    finally:
        peer.close()


def test_the_fake_peer_streams_frames_with_recorded_capture_times(peer_loop: PeerLoop, trusted_ca: trustme.CA) -> None:
    peer = make_peer(peer_loop, trusted_ca)

    async def pull() -> list[RtpPacket]:
        async with RtspClient(peer.rtsp.url(), username=PEER_USER, password=PEER_PASSWORD, timeout=5) as client:
            await client.describe()
            await client.setup("trackID=1")
            await client.play()
            got: list[RtpPacket] = []
            async for received in client.packets(0, idle_timeout=3):
                got.append(received.rtp())
                if len(got) >= 6:
                    return got
        return got

    try:
        packets = peer_loop.run(pull())
        assert len(packets) == 6
        for packet in packets:
            assert packet.onvif_replay is not None
            assert peer.source.capture[frame_number(packet)] == packet.onvif_replay.ntp
    finally:
        peer.close()
