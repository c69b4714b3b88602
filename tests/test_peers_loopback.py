"""Peer camera and radar over loopback: Digest, TLS verification per certificate kind, faults, records, VAPIX."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from paircert.auth import HttpAuth
from paircert.media.metadata import parse_metadata
from paircert.peers.certs import CERT_KINDS, load_test_ca
from paircert.peers.config import PeerConfig
from paircert.peers.embedded import EmbeddedPeers, PeerHandle
from paircert.peers.peer import PeerCamera
from paircert.rtsp.client import RequestFailed, RtspClient

T = TypeVar("T")
USER, PASSWORD = "peeruser", "peer-secret"
CAMERA_NAME = "camera.paircert.test"
DEVICEINFO = "/axis-cgi/basicdeviceinfo.cgi"
ALL_PROPERTIES = {"apiVersion": "1.0", "method": "getAllProperties"}


def run(test: Callable[[], Awaitable[T]], timeout: float = 15.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(test(), timeout)

    return asyncio.run(bounded())


def config(kind: str, address: str, **overrides: object) -> PeerConfig:
    values: dict[str, object] = dict(
        kind=kind, address=address, user=USER, password=PASSWORD, rtsp_port=0, rtsps_port=0, http_port=0, https_port=0
    )
    values.update(overrides)
    return PeerConfig(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPeers]:
    ca_dir = tmp_path_factory.mktemp("ca")
    camera = config("camera", "127.0.0.2", hostnames=(CAMERA_NAME,), ca_dir=ca_dir)
    radar = config("radar", "127.0.0.3", ca_dir=ca_dir)
    with EmbeddedPeers([camera, radar], control_port=0) as running:
        yield running


@pytest.fixture
def camera(peers: EmbeddedPeers) -> Iterator[PeerHandle]:
    handle = peers.camera
    handle.clear_faults()
    handle.set_certificate("trusted")
    handle.clear_records()
    yield handle
    handle.clear_faults()


@pytest.fixture
def ca_file(peers: EmbeddedPeers, tmp_path: Path) -> Path:
    return peers.camera.write_ca(tmp_path / "ca.pem")


async def play(client: RtspClient) -> None:
    await client.describe()
    await client.setup("trackID=1")
    await client.play()


async def count_frames(client: RtspClient, limit: int, idle: float = 3.0) -> int:
    frames = 0
    async for received in client.packets(0, idle_timeout=idle):
        frames += received.rtp().marker
        if frames >= limit:
            break
    return frames


def test_rtsp_with_digest_plays_and_the_record_shows_scheme_methods_and_transport(camera: PeerHandle) -> None:
    async def body() -> None:
        assert camera.urls.rtsp is not None
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as client:
            await client.options()
            await play(client)
            assert await count_frames(client, 3) == 3
            await client.teardown()

    run(body)
    record = camera.records().rtsp[-1]
    assert record.auth_scheme == "digest" and record.authenticated
    assert record.methods == ["OPTIONS", "DESCRIBE", "DESCRIBE", "SETUP", "PLAY", "TEARDOWN"]
    assert record.transport == "RTP/AVP/TCP;unicast;interleaved=0-1"
    assert record.tls_version is None and record.frames_sent >= 3


def test_rtsps_verifies_with_the_test_ca_and_records_tls_version_and_sni(camera: PeerHandle, ca_file: Path) -> None:
    async def body() -> str | None:
        assert camera.urls.rtsps is not None
        async with RtspClient(
            camera.urls.rtsps, username=USER, password=PASSWORD, ca_file=str(ca_file), server_hostname=CAMERA_NAME
        ) as client:
            await play(client)
            assert await count_frames(client, 2) == 2
            return client.tls_version

    assert run(body) == "TLSv1.3"
    record = camera.records().rtsps[-1]
    assert (record.tls_version, record.server_name, record.auth_scheme) == ("TLSv1.3", CAMERA_NAME, "digest")


def test_the_peer_address_itself_verifies_too(camera: PeerHandle, ca_file: Path) -> None:
    async def body() -> None:
        assert camera.urls.rtsps is not None
        async with RtspClient(camera.urls.rtsps, username=USER, password=PASSWORD, ca_file=str(ca_file)) as client:
            assert (await client.describe()).media

    run(body)
    assert camera.records().rtsps[-1].server_name is None  # no SNI for an IP address (RFC 6066 §3)


FAILURES = {
    "untrusted": "unable to get local issuer certificate",
    "self-signed": "self-signed certificate",
    "wrong-host": "Hostname mismatch",
    "expired": "certificate has expired",
}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_every_bad_certificate_kind_fails_verification_on_rtsps_and_https(
    camera: PeerHandle, ca_file: Path, kind: str
) -> None:
    camera.set_certificate(kind)

    async def body() -> None:
        assert camera.urls.rtsps is not None and camera.urls.https is not None
        client = RtspClient(camera.urls.rtsps, ca_file=str(ca_file), server_hostname=CAMERA_NAME, timeout=5)
        with pytest.raises(ssl.SSLCertVerificationError) as info:
            await client.connect()
        assert FAILURES[kind] in info.value.verify_message
        context = ssl.create_default_context(cafile=str(ca_file))
        async with httpx.AsyncClient(verify=context, timeout=5) as http:
            with pytest.raises(httpx.ConnectError):
                await http.post(camera.urls.https + DEVICEINFO, json=ALL_PROPERTIES)
        async with RtspClient(camera.urls.rtsps, username=USER, password=PASSWORD, verify=False) as insecure:
            assert (await insecure.describe()).media  # the certificate is the only fault

    run(body)
    assert CERT_KINDS == ("trusted", "untrusted", "self-signed", "wrong-host", "expired")


def test_a_peer_configured_with_an_expired_certificate_presents_it(tmp_path: Path) -> None:
    async def body() -> None:
        async with PeerCamera(config("camera", "127.0.0.2", cert="expired", http_port=None, https_port=None)) as peer:
            ca = peer.write_ca(tmp_path / "ca.pem")
            assert peer.urls.rtsps is not None and peer.urls.http is None
            with pytest.raises(ssl.SSLCertVerificationError, match="expired"):
                await RtspClient(peer.urls.rtsps, ca_file=str(ca)).connect()
            await asyncio.sleep(0.05)  # let the server see the alert before it closes

    run(body)


def test_reject_credentials_answers_401_to_the_right_password_on_each_side(camera: PeerHandle) -> None:
    async def rtsp_status() -> int:
        assert camera.urls.rtsp is not None
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as client:
            try:
                await client.describe()
            except RequestFailed as failed:
                return failed.response.status
            return 200

    async def http_status() -> int:
        assert camera.urls.http is not None
        async with httpx.AsyncClient(auth=HttpAuth(USER, PASSWORD), timeout=5) as http:
            return (await http.post(camera.urls.http + DEVICEINFO, json=ALL_PROPERTIES)).status_code

    camera.set_faults(reject_credentials=True)
    assert (run(rtsp_status), run(http_status)) == (401, 401)
    camera.set_faults("http", reject_credentials=False)
    assert (run(rtsp_status), run(http_status)) == (401, 200)
    camera.clear_faults()
    assert (run(rtsp_status), run(http_status)) == (200, 200)
    records = camera.records()
    assert [r.authenticated for r in records.rtsp if r.methods] == [False, False, True]
    assert all(r.auth_scheme == "digest" for r in records.http if r.authenticated)


def test_refuse_resets_new_connections_on_rtsp_and_http(camera: PeerHandle) -> None:
    camera.set_faults(refuse=True)

    async def body() -> None:
        assert camera.urls.rtsp is not None and camera.urls.http is not None
        client = RtspClient(camera.urls.rtsp, timeout=3)
        try:
            with pytest.raises(OSError):  # the reset may beat the end of connect() or come after it
                await client.connect()
                await client.options()
        finally:
            await client.close()
        async with httpx.AsyncClient(timeout=3) as http:
            with pytest.raises(httpx.TransportError):
                await http.post(camera.urls.http + DEVICEINFO, json=ALL_PROPERTIES)

    run(body)
    records = camera.records()
    assert records.rtsp[-1].closed_reason == "refused (fault)"
    assert records.http[-1].closed_reason == "refused (fault)"


def test_drop_after_n_frames_closes_the_stream(camera: PeerHandle) -> None:
    camera.set_faults(drop_after_frames=3)

    async def body() -> int:
        assert camera.urls.rtsp is not None
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as client:
            await play(client)
            return await count_frames(client, 100)  # ends when the peer drops the connection

    assert run(body) == 3
    assert camera.records().rtsp[-1].closed_reason == "dropped after frames (fault)"


def test_stall_after_n_frames_keeps_the_session_but_sends_nothing(camera: PeerHandle) -> None:
    camera.set_faults(stall_after_frames=2)

    async def body() -> None:
        assert camera.urls.rtsp is not None
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as client:
            await play(client)
            assert await count_frames(client, 2) == 2
            with pytest.raises(TimeoutError):
                await count_frames(client, 1, idle=0.5)
            assert (await client.options()).ok

    run(body)
    assert camera.records().rtsp[-1].frames_sent == 2


def test_delay_holds_every_frame_back(camera: PeerHandle) -> None:
    camera.set_faults(frame_delay_ms=150)

    async def body() -> float:
        assert camera.urls.rtsp is not None
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as client:
            await play(client)
            started = time.monotonic()
            await count_frames(client, 4)
            return time.monotonic() - started

    assert run(body) >= 4 * 0.15 - 0.05  # 40 ms frames, each held 150 ms


def test_faults_switch_while_a_stream_plays(camera: PeerHandle) -> None:
    async def body() -> None:
        assert camera.urls.rtsp is not None
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as client:
            await play(client)
            assert await count_frames(client, 2) == 2
            await asyncio.to_thread(camera.set_faults, stall_after_frames=0)
            await asyncio.sleep(0.2)
            with pytest.raises(TimeoutError):
                await count_frames(client, 10, idle=0.5)  # at most what was in flight
        await asyncio.to_thread(camera.clear_faults)
        async with RtspClient(camera.urls.rtsp, username=USER, password=PASSWORD) as again:
            await play(again)  # a stalled session stays stalled; a new one plays
            assert await count_frames(again, 2) == 2

    run(body)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_basicdeviceinfo_with_digest_names_the_peer(peers: EmbeddedPeers, ca_file: Path, scheme: str) -> None:
    async def body(handle: PeerHandle) -> tuple[dict[str, str], int, dict[str, str]]:
        base = handle.urls.http if scheme == "http" else handle.urls.https
        assert base is not None
        verify = ssl.create_default_context(cafile=str(ca_file))
        async with httpx.AsyncClient(verify=verify, timeout=5) as anonymous:
            denied = await anonymous.post(base + DEVICEINFO, json=ALL_PROPERTIES)
            open_call = {"apiVersion": "1.0", "method": "getAllUnrestrictedProperties"}
            unrestricted = (await anonymous.post(base + DEVICEINFO, json=open_call)).json()["data"]["propertyList"]
        assert "Digest" in denied.headers["www-authenticate"]
        async with httpx.AsyncClient(verify=verify, auth=HttpAuth(USER, PASSWORD), timeout=5) as http:
            answer = await http.post(base + DEVICEINFO, json={**ALL_PROPERTIES, "context": "x"})
        assert answer.json()["context"] == "x"
        return answer.json()["data"]["propertyList"], denied.status_code, unrestricted

    for handle, model, name in (
        (peers.camera, "I7010-VE", "AXIS I7010-VE Network Intercom"),
        (peers.radar, "D2110-VE", "AXIS D2110-VE Security Radar"),
    ):
        handle.clear_records()
        props, denied, unrestricted = run(lambda handle=handle: body(handle))
        assert denied == 401
        assert (props["ProdNbr"], props["ProdFullName"]) == (model, name)
        assert "Soc" in props and "Soc" not in unrestricted and unrestricted["ProdNbr"] == model
        calls = [r for r in handle.records().deviceinfo_calls if r.authenticated]
        assert [(c.cgi_method, c.auth_scheme, c.scheme) for c in calls] == [("getAllProperties", "digest", scheme)]
        assert (calls[0].tls_version is not None) == (scheme == "https")


def test_the_radar_streams_numbered_metadata_frames_over_rtsps(peers: EmbeddedPeers, ca_file: Path) -> None:
    radar = peers.radar
    assert radar.urls.rtsps is not None and radar.urls.rtsps.endswith("?video=0&audio=0&analytics=polygon")

    async def body() -> list[int]:
        assert radar.urls.rtsps is not None
        numbers: list[int] = []
        async with RtspClient(radar.urls.rtsps, username=USER, password=PASSWORD, ca_file=str(ca_file)) as client:
            sdp = await client.describe()
            assert sdp.media[0].rtpmap(107) == ("vnd.onvif.metadata", 90000)
            await client.setup("trackID=1")
            await client.play()
            parts: list[bytes] = []
            async for received in client.packets(0, idle_timeout=3):
                packet = received.rtp()
                parts.append(packet.payload)
                if packet.marker:
                    frame = parse_metadata(b"".join(parts))
                    assert len(frame.objects) == 3
                    numbers.append(frame.number)
                    parts = []
                    if len(numbers) == 3:
                        return numbers
        return numbers

    numbers = run(body)
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    assert radar.records().rtsps[-1].url == radar.urls.rtsps


def test_the_control_endpoint_reads_state_and_switches_faults(peers: EmbeddedPeers) -> None:
    assert peers.control_url is not None
    with httpx.Client(base_url=peers.control_url, timeout=5) as control:
        assert control.get("/peers").json() == ["camera", "radar"]
        changed = control.post("/peers/radar/faults", json={"scope": "rtsp", "drop_after_frames": 5})
        assert changed.status_code == 200 and changed.json()["faults"]["rtsp"]["drop_after_frames"] == 5
        assert control.post("/peers/radar/faults", json={"bogus": 1}).status_code == 400
        assert control.post("/peers/radar/certificate", json={"kind": "expired"}).json()["cert"] == "expired"
        state = control.get("/peers/radar").json()
        assert state["product"]["ProdNbr"] == "D2110-VE" and state["cert"] == "expired"
        json.dumps(state)
        assert (
            control.post("/peers/radar/faults", json={"clear": True}).json()["faults"]["rtsp"]["drop_after_frames"]
            is None
        )
        control.post("/peers/radar/certificate", json={"kind": "trusted"})
        assert control.get("/peers/nobody").status_code == 404


def test_the_test_ca_persists_in_its_directory_and_can_be_brought(tmp_path: Path) -> None:
    first = load_test_ca(tmp_path / "ca")
    again = load_test_ca(tmp_path / "ca")
    assert first.cert_pem.bytes() == again.cert_pem.bytes()
    key = tmp_path / "ca" / "paircert-test-ca.key"
    assert key.stat().st_mode & 0o077 == 0
    brought = load_test_ca(ca_cert=tmp_path / "ca" / "paircert-test-ca.pem", ca_key=key)
    assert brought.cert_pem.bytes() == first.cert_pem.bytes()
    assert load_test_ca().cert_pem.bytes() != first.cert_pem.bytes()
    with pytest.raises(ValueError):
        load_test_ca(ca_cert=key)
