"""Laws of the sans-I/O core: any split gives the same events, bad input is the peer's error,
bad output is ours, and client and server walk RFC 2326 Appendix A in step."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paircert.rtsp.connection import NEED_DATA, Connection, ConnectionClosed, Event, InterleavedFrame, Role
from paircert.rtsp.errors import LocalProtocolError, RemoteProtocolError
from paircert.rtsp.message import Headers, Request, Response
from paircert.rtsp.state import SessionState


def drain(conn: Connection) -> list[Event]:
    events: list[Event] = []
    while (event := conn.next_event()) is not NEED_DATA:
        events.append(event)
        if isinstance(event, ConnectionClosed):
            break
    return events


def feed(conn: Connection, chunks: list[bytes]) -> list[Event]:
    events: list[Event] = []
    for chunk in [*(c for c in chunks if c), b""]:  # b"" is end of stream, only at the end
        conn.receive_data(chunk)
        events += drain(conn)
    return events


def client_awaiting(*cseqs: int) -> Connection:
    client = Connection(Role.CLIENT)
    for cseq in cseqs:
        client.send(Request("OPTIONS", "rtsp://h/", Headers([("CSeq", str(cseq))])))
    return client


SERVER_STREAM = (
    b"$\x00\x00\x03abc"  # interleaved data before the first response
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS\r\n\r\n"
    b"$\x01\x00\x00"  # empty RTCP frame between responses
    b"\r\n"  # a stray line end between messages
    b"RTSP/1.0 200 OK\r\ncseq: 2\r\nContent-Length: 5\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n"
    b"$\x02\x00\x04\x00$\r\n"  # interleaved payload that looks like framing
    b"RTSP/1.0 404 Not Found\nCSeq: 3\n\n"  # bare LF line ends
)


def expected_events() -> list[Event]:
    return feed(client_awaiting(1, 2, 3), [SERVER_STREAM])


def test_the_reference_stream_yields_the_expected_events() -> None:
    events = expected_events()
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        *["InterleavedFrame", "Response"] * 3,
        "ConnectionClosed",
    ]
    assert events[0] == InterleavedFrame(0, b"abc")
    assert isinstance(events[3], Response) and events[3].body == b"v=0\r\n" and events[3].cseq == 2
    assert events[4] == InterleavedFrame(2, b"\x00$\r\n")
    assert isinstance(events[5], Response) and events[5].status == 404


def test_every_two_and_three_piece_split_gives_the_same_events() -> None:
    expected = expected_events()
    n = len(SERVER_STREAM)
    for i, j in itertools.combinations_with_replacement(range(n + 1), 2):
        chunks = [SERVER_STREAM[:i], SERVER_STREAM[i:j], SERVER_STREAM[j:]]
        assert feed(client_awaiting(1, 2, 3), [c for c in chunks if c]) == expected, (i, j)


@given(st.lists(st.integers(0, len(SERVER_STREAM)), max_size=30))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(SERVER_STREAM)]
    chunks = [SERVER_STREAM[a:b] for a, b in itertools.pairwise(points) if b > a]
    assert feed(client_awaiting(1, 2, 3), chunks) == expected_events()


def test_byte_at_a_time_pipelined_requests_with_bodies() -> None:
    stream = (
        b"SET_PARAMETER rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 4\r\n\r\nab\r\n"
        b"GET_PARAMETER rtsp://h/ RTSP/1.0\r\nCSeq: 2\r\n\r\n"
        b"OPTIONS * RTSP/1.0\r\nCSeq: 3\r\n\r\n"
    )
    events = feed(Connection(Role.SERVER), [bytes([b]) for b in stream])
    assert [(e.method, e.cseq, e.body) for e in events if isinstance(e, Request)] == [
        ("SET_PARAMETER", 1, b"ab\r\n"),
        ("GET_PARAMETER", 2, b""),
        ("OPTIONS", 3, b""),
    ]


def test_headers_ignore_case_and_keep_order() -> None:
    headers = Headers([("CSeq", "1"), ("X-A", "1"), ("x-a", "2")])
    assert headers.get("cseq") == "1" and headers.get_all("X-A") == ["1", "2"]
    headers.set("X-a", "3")
    assert list(headers) == [("CSeq", "1"), ("X-a", "3")]
    assert "CSEQ" in headers and "Session" not in headers


MALFORMED = [
    b"HELLO\r\n\r\n",
    b"RTSP/1.0 2000 OK\r\nCSeq: 1\r\n\r\n",
    b"RTSP/2.0 200 OK\r\nCSeq: 1\r\n\r\n",
    b"RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\n",
    b"RTSP/1.0 200 OK\r\n folded-first\r\n\r\n",
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n",
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"RTSP/1.0 200 OK\r\nCSeq: 9\r\n\r\n",  # answers nothing we asked
    b"RTSP/1.0 200 OK\r\n\r\n",  # no CSeq
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nX: \xff\r\n\r\n",  # not UTF-8
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 10\r\n\r\nshort",  # EOF inside the body
    b"$\x00\x00\x10abc",  # EOF inside an interleaved frame
    b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n",  # EOF inside the head
]


@pytest.mark.parametrize("stream", MALFORMED)
def test_malformed_input_is_the_remote_sides_error_and_stays_an_error(stream: bytes) -> None:
    client = client_awaiting(1)
    with pytest.raises(RemoteProtocolError):
        feed(client, [stream])
    with pytest.raises(RemoteProtocolError):
        client.next_event()


def test_version_error_hints_505_and_oversize_body_hints_413() -> None:
    server = Connection(Role.SERVER, max_body_bytes=10)
    server.receive_data(b"OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n")
    with pytest.raises(RemoteProtocolError) as info:
        server.next_event()
    assert info.value.error_status_hint == 505
    server = Connection(Role.SERVER, max_body_bytes=10)
    server.receive_data(b"ANNOUNCE * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 11\r\n\r\n")
    with pytest.raises(RemoteProtocolError) as info:
        server.next_event()
    assert info.value.error_status_hint == 413


def test_head_limit_is_enforced_before_the_head_ends_and_independent_of_splits() -> None:
    head = b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: " + b"a" * 100
    fits = head + b"\r\n\r\n"
    limit = len(head) + 2
    for i in range(len(fits) + 1):
        assert len(feed(Connection(Role.SERVER, max_header_bytes=limit), [fits[:i], fits[i:]])) == 2
    endless = Connection(Role.SERVER, max_header_bytes=limit)
    endless.receive_data(head + b"b" * 10)
    with pytest.raises(RemoteProtocolError):
        endless.next_event()


def test_too_many_pipelined_requests_is_a_remote_error() -> None:
    server = Connection(Role.SERVER, max_pending=2)
    server.receive_data(b"".join(b"OPTIONS * RTSP/1.0\r\nCSeq: %d\r\n\r\n" % i for i in range(3)))
    with pytest.raises(RemoteProtocolError):
        drain(server)


def test_reused_cseq_and_missing_cseq_are_remote_errors() -> None:
    for stream in (b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n" * 2, b"OPTIONS * RTSP/1.0\r\n\r\n"):
        with pytest.raises(RemoteProtocolError):
            feed(Connection(Role.SERVER), [stream])


@given(st.binary(max_size=300))
@settings(max_examples=300)
def test_random_bytes_end_in_events_or_a_remote_error_never_a_hang(data: bytes) -> None:
    for role in Role:
        try:
            events = feed(Connection(role, max_header_bytes=64, max_body_bytes=64), [data])
        except RemoteProtocolError:
            continue
        assert isinstance(events[-1], ConnectionClosed)


# -- sending: our mistakes ---------------------------------------------------------------------


def test_local_errors() -> None:
    client = Connection(Role.CLIENT)
    with pytest.raises(LocalProtocolError):
        client.send(Request("PLAY", "rtsp://h/"))  # not valid in Init
    with pytest.raises(LocalProtocolError):
        client.send(Request("OPTIONS", "rtsp://h/", body=b"x", headers=Headers([("Content-Length", "2")])))
    with pytest.raises(LocalProtocolError):
        Headers([("X", "a\r\nInjected: 1")])
    with pytest.raises(LocalProtocolError):
        client.send(InterleavedFrame(0, b"x" * 70000))
    server = Connection(Role.SERVER)
    with pytest.raises(LocalProtocolError):
        server.send(Response(200, headers=Headers([("CSeq", "1")])))  # answers nothing
    server.receive_data(b"SETUP rtsp://h/t RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP/TCP\r\n\r\n")
    request = drain(server)[0]
    assert isinstance(request, Request)
    with pytest.raises(LocalProtocolError):
        server.send(request.respond(200))  # a SETUP answer must name the session
    client.send(ConnectionClosed())
    with pytest.raises(LocalProtocolError):
        client.send(Request("OPTIONS", "*"))


def test_send_assigns_rising_cseqs_and_content_length() -> None:
    client = Connection(Role.CLIENT)
    first, second = Request("OPTIONS", "*"), Request("ANNOUNCE", "rtsp://h/", body=b"v=0\r\n")
    client.send(first)
    wire = client.send(second)
    assert (first.cseq, second.cseq) == (1, 2)
    assert b"Content-Length: 5\r\n\r\nv=0\r\n" in wire
    assert client.awaiting == {1: "OPTIONS", 2: "ANNOUNCE"}


# -- both roles in step ------------------------------------------------------------------------


def exchange(client: Connection, server: Connection, request: Request, status: int = 200, **headers: str) -> Response:
    server.receive_data(client.send(request))
    (received,) = drain(server)
    assert isinstance(received, Request)
    refusal = server.session.refusal(received.method, received.headers.get("Session"))
    reply = received.respond(refusal or status, list(headers.items()))
    client.receive_data(server.send(reply))
    (answer,) = drain(client)
    assert isinstance(answer, Response)
    return answer


def test_client_and_server_walk_appendix_a_together() -> None:
    client, server = Connection(Role.CLIENT), Connection(Role.SERVER)
    assert exchange(client, server, Request("DESCRIBE", "rtsp://h/s")).ok
    setup = exchange(client, server, Request("SETUP", "rtsp://h/s/trackID=1"), Session="abcdef12;timeout=30")
    assert setup.ok
    for side in (client, server):
        assert side.session.state is SessionState.READY and side.session.session_id == "abcdef12"
    assert client.session.timeout == 30
    play = Request("PLAY", "rtsp://h/s")
    assert exchange(client, server, play).ok
    assert play.headers.get("Session") == "abcdef12"  # filled in by the client core
    assert client.session.state is server.session.state is SessionState.PLAYING
    assert exchange(client, server, Request("GET_PARAMETER", "rtsp://h/s")).ok
    assert exchange(client, server, Request("TEARDOWN", "rtsp://h/s")).ok
    for side in (client, server):
        assert side.session.state is SessionState.INIT and side.session.session_id is None


def test_server_refuses_with_454_and_455() -> None:
    client, server = Connection(Role.CLIENT), Connection(Role.SERVER)
    exchange(client, server, Request("SETUP", "rtsp://h/s/t"), Session="s1")
    wrong = Request("PLAY", "rtsp://h/s", Headers([("Session", "other")]))
    assert exchange(client, server, wrong).status == 454
    assert server.session.refusal("PAUSE", "s1") == 455
    assert server.session.refusal("PLAY", None) == 454
    assert server.session.refusal("PLAY", "s1") is None
    assert server.session.state is SessionState.READY


def test_a_2xx_naming_another_session_is_a_remote_error() -> None:
    client = Connection(Role.CLIENT)
    client.send(Request("SETUP", "rtsp://h/s/t"))
    client.receive_data(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nSession: one\r\n\r\n")
    drain(client)
    client.send(Request("PLAY", "rtsp://h/s"))
    client.receive_data(b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nSession: two\r\n\r\n")
    with pytest.raises(RemoteProtocolError):
        drain(client)
