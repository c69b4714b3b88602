"""The one listener shell: refuse before any byte, TLS after accept, SNI noted once, certain close."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import trustme

from paircert.listener import Listener

NAME = "camera.paircert.test"


@dataclass
class _Note:
    peer: str
    tls_version: str | None = None
    server_name: str | None = None
    closed_reason: str | None = None


def _run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(body(), 20))


async def _echo_line(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, note: _Note) -> None:
    writer.write(await reader.readline())
    await writer.drain()


def _listener(serve: Any = _echo_line, **kwargs: Any) -> tuple[Listener[_Note], list[_Note], list[_Note]]:
    notes: list[_Note] = []
    unserved: list[_Note] = []

    def note(peer: str) -> _Note:
        notes.append(_Note(peer))
        return notes[-1]

    listener = Listener(serve, note=note, host="127.0.0.1", unserved=unserved.append, **kwargs)
    return listener, notes, unserved


def _tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(NAME).configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def test_a_refused_connection_is_reset_before_any_byte_and_reported_unserved() -> None:
    async def body() -> None:
        listener, notes, unserved = _listener(refuse=lambda: True)
        await listener.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
            with pytest.raises(ConnectionResetError):
                await reader.read(1)
            writer.close()
        finally:
            await listener.close()
        assert unserved == notes and notes[0].closed_reason == "refused (fault)"

    _run(body)


def test_tls_after_accept_notes_version_and_sni_and_a_failed_handshake_is_noted_not_lost() -> None:
    seen_by_earlier_callback: list[str | None] = []
    server_context, client_context = _tls()
    server_context.sni_callback = lambda ssl_object, name, ctx: seen_by_earlier_callback.append(name)

    async def body() -> None:
        listener, notes, unserved = _listener(ssl_context=server_context, handshake_timeout=5)
        await listener.start()
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", listener.port, ssl=client_context, server_hostname=NAME
            )
            writer.write(b"hello\n")
            assert await reader.readline() == b"hello\n"
            writer.close()
            _, plain = await asyncio.open_connection("127.0.0.1", listener.port)
            plain.write(b"GET / HTTP/1.1\r\n\r\n")  # not a TLS ClientHello
            await plain.drain()
            plain.close()
            for _ in range(100):
                if len(notes) == 2 and notes[1].closed_reason:
                    break
                await asyncio.sleep(0.02)
        finally:
            await listener.close()
        assert (notes[0].tls_version, notes[0].server_name) == ("TLSv1.3", NAME)
        assert seen_by_earlier_callback == [NAME]  # chained, not replaced
        assert unserved == [notes[1]] and str(notes[1].closed_reason).startswith("TLS handshake failed: ")

    _run(body)


def test_close_ends_a_handler_that_would_wait_forever() -> None:
    async def body() -> None:
        entered = asyncio.Event()

        async def forever(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, note: _Note) -> None:
            entered.set()
            await asyncio.Event().wait()

        listener, notes, _ = _listener(forever)
        await listener.start()
        _, writer = await asyncio.open_connection("127.0.0.1", listener.port)
        await asyncio.wait_for(entered.wait(), 5)
        await listener.close()
        writer.close()
        assert notes[0].closed_reason == "server closed"

    _run(body)
