"""The asyncio shells end to end over loopback: auth, TLS, PLAY/TEARDOWN, timeouts, faults, back-pressure."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import pytest
import trustme

from paircert.rtsp.client import RequestFailed, RtspClient
from paircert.rtsp.connection import NEED_DATA, Connection, Role
from paircert.rtsp.faults import Faults
from paircert.rtsp.h264 import AccessUnit, H264Depacketizer, H264Packetizer
from paircert.rtsp.message import Headers, Request, Response
from paircert.rtsp.rtcp import SenderReport
from paircert.rtsp.rtp import OnvifReplay, RtpPacket, unix_to_ntp
from paircert.rtsp.sdp import SessionDescription, h264_media, metadata_media
from paircert.rtsp.server import RtspServer

T = TypeVar("T")
PATH = "/axis-media/media.amp"
USERS = {"root": "secret"}
SPS = bytes.fromhex("6764001facd9405005bb011000000300100000030320f1831960")
PPS = bytes.fromhex("68ebe3cb22c0")


def run(test: Callable[[], Awaitable[T]], timeout: float = 20.0) -> T:
    """Run one async test body on a fresh loop, bounded in time."""

    async def bounded() -> T:
        return await asyncio.wait_for(test(), timeout)

    return asyncio.run(bounded())


def frame_nal(index: int, size: int) -> bytes:
    return bytes([0x65 if index == 0 else 0x41]) + bytes([index % 251]) * (size - 1)


class FakeSource:
    """A media source with one H.264 track and one metadata track, bounded in frames."""

    def __init__(self, frames: int = 20, nal_size: int = 3000, interval: float = 0.005) -> None:
        self.frames = frames
        self.nal_size = nal_size
        self.interval = interval

    def describe(self, url: str) -> str | None:
        if urlsplit(url).path != PATH:
            return None
        sdp = SessionDescription(media=[h264_media("trackID=1", SPS, PPS), metadata_media("trackID=2")])
        return sdp.serialize()

    async def packets(self, url: str, control: str) -> AsyncIterator[RtpPacket]:
        video = control == "trackID=1"
        packetizer = H264Packetizer(ssrc=0x1234 if video else 0x5678, payload_type=96 if video else 107)
        for index in range(self.frames):
            replay = OnvifReplay(unix_to_ntp(time.time()), clean_point=index == 0)
            timestamp = 3000 * index
            if video:
                packets = packetizer.packetize([frame_nal(index, self.nal_size)], timestamp, replay.to_extension())
            else:
                payload = b"<tt:MetadataStream frame='%d'/>" % index
                packets = [RtpPacket(107, index, timestamp, 0x5678, payload, True, (), replay.to_extension())]
            for packet in packets:
                yield packet
            await asyncio.sleep(self.interval)


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_tls(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


async def collect_units(client: RtspClient, channel: int, count: int) -> list[AccessUnit]:
    depacketizer = H264Depacketizer()
    units: list[AccessUnit] = []
    async for received in client.packets(channel, idle_timeout=5):
        units += depacketizer.push(received.rtp())
        if len(units) >= count:
            break
    return units


async def play(client: RtspClient, *controls: str) -> None:
    await client.options()
    sdp = await client.describe()
    for control in controls or [m.control for m in sdp.media if m.control]:
        await client.setup(control)
    await client.play()


# -- round trips -------------------------------------------------------------------------------


def test_digest_md5_over_tcp_plays_both_tracks_and_teardown_ends_the_session() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(frames=200), users=USERS) as server:
            async with RtspClient(server.url(PATH + "?onvifreplayext=1"), username="root", password="secret") as client:
                await play(client)
                assert client.channels == {"trackID=1": (0, 1), "trackID=2": (2, 3)}
                units = await collect_units(client, 0, 5)
                assert [u.nals for u in units] == [(frame_nal(i, 3000),) for i in range(5)]
                replays = [u.replay for u in units if u.complete]
                assert len(replays) == 5
                assert [r is not None and r.clean_point for r in replays] == [True, False, False, False, False]
                metadata = await anext(client.packets(2).__aiter__())
                assert metadata.rtp().payload.startswith(b"<tt:MetadataStream")
                await client.teardown()
                assert client.conn.session.session_id is None
                assert client.auth_scheme == "digest"
            record = server.records[-1]
            assert record.auth_scheme == "digest" and record.authenticated
            assert record.methods[:3] == ["OPTIONS", "DESCRIBE", "DESCRIBE"]  # one 401, one retry
            assert record.methods[-1] == "TEARDOWN"
            assert record.transport == "RTP/AVP/TCP;unicast;interleaved=2-3"
            assert record.user_agent and record.user_agent.startswith("paircert")
            assert record.frames_sent >= 5

    run(body)


def test_after_teardown_no_more_media_arrives() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(frames=500)) as server:
            async with RtspClient(server.url(PATH)) as client:
                await play(client, "trackID=1")
                await collect_units(client, 0, 2)
                await client.teardown()
                with pytest.raises(TimeoutError):  # drain what was in flight, then silence
                    async for _ in client.packets(0, idle_timeout=0.3):
                        pass
                assert (await client.options()).ok  # the connection outlives the session

    run(body)


def test_wrong_password_fails_after_exactly_one_retry() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(), users=USERS) as server:
            async with RtspClient(server.url(PATH), username="root", password="wrong") as client:
                with pytest.raises(RequestFailed) as info:
                    await client.describe()
                assert info.value.response.status == 401
                assert "Digest" in (info.value.response.headers.get("WWW-Authenticate") or "")
            record = server.records[-1]
            assert record.methods == ["DESCRIBE", "DESCRIBE"] and not record.authenticated

    run(body)


def test_reject_credentials_fault_refuses_the_right_password() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(), users=USERS, faults=Faults(reject_credentials=True)) as server:
            async with RtspClient(server.url(PATH), username="root", password="secret") as client:
                with pytest.raises(RequestFailed) as info:
                    await client.describe()
                assert info.value.response.status == 401
                server.faults.reject_credentials = False  # switches act while the server runs
                assert (await client.describe()).media

    run(body)


def test_basic_auth_when_the_server_offers_only_basic() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(), users=USERS, schemes=("basic",)) as server:
            async with RtspClient(server.url(PATH), username="root", password="secret") as client:
                await client.describe()
                assert client.auth_scheme == "basic"
            assert server.records[-1].auth_scheme == "basic"

    run(body)


def test_udp_transport_is_answered_461_and_unknown_paths_404() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource()) as server:
            async with RtspClient(server.url(PATH)) as client:
                await client.describe()
                udp = [("Transport", "RTP/AVP;unicast;client_port=5000-5001")]
                assert (await client.request("SETUP", server.url(PATH + "/trackID=1"), udp)).status == 461
                assert (await client.request("RECORD")).status == 501
                assert (await client.request("DESCRIBE", server.url("/nothing"))).status == 404
                assert (await client.request("GET_PARAMETER", headers=[("Session", "nope")])).status == 454

    run(body)


def test_ipv6_loopback_round_trip() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")

    async def body() -> None:
        try:
            server = RtspServer(FakeSource(), host="::1")
            await server.start()
        except OSError:
            pytest.skip("::1 is not configured")
        try:
            async with RtspClient(server.url(PATH)) as client:
                assert (await client.describe()).media
        finally:
            await server.close()

    run(body)


# -- TLS ---------------------------------------------------------------------------------------


def test_tls_with_verification_records_version_and_sni(ca: trustme.CA, tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    async def body() -> None:
        context = server_tls(ca, "camera.paircert.test")
        async with RtspServer(FakeSource(), ssl_context=context, users=USERS) as server:
            url = server.url(PATH)
            assert url.startswith("rtsps://")
            async with RtspClient(
                url, username="root", password="secret", ca_file=str(ca_file), server_hostname="camera.paircert.test"
            ) as client:
                await play(client, "trackID=1")
                assert (await collect_units(client, 0, 2))[1].complete
                assert client.tls_version == "TLSv1.3"
            record = server.records[-1]
            assert record.tls_version == "TLSv1.3"
            assert record.server_name == "camera.paircert.test"
            assert record.authenticated

    run(body)


def test_tls_verification_failures_and_verify_off(ca: trustme.CA, tmp_path: Path) -> None:
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    stranger = trustme.CA()

    def verifying_client(server: RtspServer) -> RtspClient:
        return RtspClient(server.url(PATH), ca_file=str(ca_file), server_hostname="camera.paircert.test")

    async def body() -> None:
        async with RtspServer(FakeSource(), ssl_context=server_tls(stranger, "camera.paircert.test")) as server:
            with pytest.raises(ssl.SSLCertVerificationError):
                await verifying_client(server).connect()
            async with RtspClient(server.url(PATH), verify=False) as client:
                assert (await client.options()).ok
        async with RtspServer(FakeSource(), ssl_context=server_tls(ca, "other.paircert.test")) as server:
            with pytest.raises(ssl.SSLCertVerificationError):
                await verifying_client(server).connect()
            await asyncio.sleep(0.05)
            assert all(r.closed_reason and "TLS handshake failed" in r.closed_reason for r in server.records)

    run(body)


# -- timeouts ----------------------------------------------------------------------------------


def test_idle_connection_is_closed_at_the_session_timeout() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(), session_timeout=0.4) as server:
            async with RtspClient(server.url(PATH)) as client:
                await client.options()
                async for _ in client.packets(0, idle_timeout=3):
                    pass  # ends when the server closes
            assert server.records[-1].closed_reason == "session timeout"

    run(body)


def test_keep_alive_holds_a_session_past_its_timeout() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(), session_timeout=1.0) as server:
            async with RtspClient(server.url(PATH)) as client:
                await client.describe()
                await client.setup("trackID=1")  # Session: ...;timeout=1 -> keep-alive every 0.5 s
                await asyncio.sleep(1.6)
                assert (await client.options()).ok
            assert "GET_PARAMETER" in server.records[-1].methods

    run(body)


# -- faults and back-pressure ------------------------------------------------------------------


def test_refuse_fault_resets_the_connection() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(), faults=Faults(refuse=True)) as server:
            client = RtspClient(server.url(PATH), timeout=2)
            try:
                await client.connect()
                with pytest.raises(OSError):
                    await client.options()
            finally:
                await client.close()
            assert server.records[-1].closed_reason == "refused (fault)"

    run(body)


def test_drop_after_n_frames_fault_closes_after_exactly_n_frames() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(frames=50), faults=Faults(drop_after_frames=3)) as server:
            async with RtspClient(server.url(PATH)) as client:
                await play(client, "trackID=1")
                markers = 0
                async for received in client.packets(0, idle_timeout=5):
                    markers += received.rtp().marker
            assert markers == 3
            assert server.records[-1].closed_reason == "dropped after frames (fault)"

    run(body)


def test_stall_and_delay_faults() -> None:
    async def body() -> None:
        faults = Faults(stall_after_frames=2, frame_delay_ms=50)
        async with RtspServer(FakeSource(frames=50, nal_size=100), faults=faults) as server:
            async with RtspClient(server.url(PATH)) as client:
                started = time.monotonic()
                await play(client, "trackID=1")
                units = await collect_units(client, 0, 2)
                assert time.monotonic() - started >= 0.1
                assert len(units) == 2
                with pytest.raises(TimeoutError):
                    await anext(client.packets(0, idle_timeout=0.4).__aiter__())
                assert (await client.options()).ok  # stalled, not gone
            assert server.records[-1].frames_sent == 2

    run(body)


def test_sender_reports_pair_rtp_time_with_the_capture_clock() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource(frames=50)) as server:
            async with RtspClient(server.url(PATH)) as client:
                await play(client, "trackID=1")
                video: dict[int, int] = {}
                async for received in client.packets(0, idle_timeout=5):
                    packet = received.rtp()
                    assert packet.onvif_replay is not None
                    video[packet.timestamp] = packet.onvif_replay.ntp
                    if packet.marker:
                        break
                report = (await anext(client.packets(1, idle_timeout=5).__aiter__())).rtcp()[0]
                assert isinstance(report, SenderReport) and report.ssrc == 0x1234
                assert video[report.rtp_timestamp] == report.ntp_timestamp

    run(body)


async def raw_request(
    conn: Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: Request
) -> Response:
    writer.write(conn.send(request))
    while True:
        event = conn.next_event()
        if event is NEED_DATA:
            conn.receive_data(await asyncio.wait_for(reader.read(65536), 5))
        elif isinstance(event, Response):
            return event


def test_a_stalled_reader_is_bounded_by_the_queue_and_then_disconnected() -> None:
    async def body() -> None:
        source = FakeSource(frames=2000, nal_size=20 * 1400, interval=0)
        async with RtspServer(source, queue_frames=8, stall_timeout=0.5) as server:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", server.port))
            reader, writer = await asyncio.open_connection(sock=sock)
            try:
                conn = Connection(Role.CLIENT)
                url = server.url(PATH)
                await raw_request(conn, reader, writer, Request("DESCRIBE", url))
                transport = Headers([("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")])
                assert (await raw_request(conn, reader, writer, Request("SETUP", url + "/trackID=1", transport))).ok
                assert (await raw_request(conn, reader, writer, Request("PLAY", url))).ok
                reader_transport = writer.transport
                assert isinstance(reader_transport, asyncio.ReadTransport)
                reader_transport.pause_reading()  # the reader stalls from here on
                record = server.records[-1]
                for _ in range(200):
                    if record.closed_reason:
                        break
                    await asyncio.sleep(0.05)
                assert record.closed_reason == "stalled reader"
                assert 0 < record.max_queue_depth <= 8
                assert record.frames_dropped > 0
                assert record.frames_sent < source.frames
            finally:
                writer.close()
                try:
                    await asyncio.wait_for(writer.wait_closed(), 1)
                except (OSError, TimeoutError):
                    writer.transport.abort()

    run(body)


def test_garbage_from_a_client_gets_400_and_a_closed_connection() -> None:
    async def body() -> None:
        async with RtspServer(FakeSource()) as server:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
            try:
                writer.write(b"HELLO THERE\r\n\r\n")
                answer = await asyncio.wait_for(reader.read(), 5)  # until the server closes
            finally:
                writer.close()
                await asyncio.wait_for(writer.wait_closed(), 1)
            assert answer.startswith(b"RTSP/1.0 400 Bad Request\r\n")
            assert server.records[-1].protocol_error

    run(body)
