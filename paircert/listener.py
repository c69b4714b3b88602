"""The one asyncio listener shell every paircert server stands on (RTSP, the peers' HTTP).

A server hands it a connection handler; the shell accepts, applies the ``refuse`` fault (a reset
before any byte), does TLS *after* accept (so a failed handshake is noted on the connection's
record instead of vanishing inside ``start_server``), notes the TLS version and the SNI name
once, hands the streams over, and always closes them. Every wait is bounded: the handshake by
``handshake_timeout``, the close by a second, shutting down by a few rounds of cancellation.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from paircert.tasks import cancel_and_wait

__all__ = ["Listener", "Note"]

_SNI_ATTRIBUTE = "paircert_server_name"
_CLOSE_TIMEOUT = 1.0
_CANCEL_ROUNDS = 3


class Note(Protocol):
    """What the shell fills in on a server's per-connection record."""

    tls_version: str | None
    server_name: str | None
    closed_reason: str | None


N = TypeVar("N", bound=Note)
Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter, N], Awaitable[None]]


def _note_server_name(context: ssl.SSLContext) -> None:
    """Make ``context`` keep each handshake's SNI name on its SSL object (once per context).

    One context may serve several listeners (a peer's RTSPS and HTTPS share their certificate);
    an SNI callback the context already had still runs after ours.
    """
    previous = context.sni_callback
    if getattr(previous, "_paircert", False):
        return

    def callback(ssl_object: Any, name: str | None, ctx: ssl.SSLContext) -> int | None:
        setattr(ssl_object, _SNI_ATTRIBUTE, name)
        if previous is None:
            return None
        return previous(ssl_object, name, ctx)  # type: ignore[arg-type]  # name is None without SNI, per the ssl docs

    callback._paircert = True  # type: ignore[attr-defined]
    context.sni_callback = callback


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), as a device that refuses a connection is seen to do."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), _CLOSE_TIMEOUT)
    except (OSError, ssl.SSLError, TimeoutError):
        writer.transport.abort()


class Listener(Generic[N]):
    """Accepts on ``host:port`` (TLS with ``ssl_context``) and runs ``serve`` once per connection.

    ``note(peer)`` makes the server's record of a new connection; the shell writes the TLS facts
    and, when it ends the connection itself, the ``closed_reason`` into it. ``unserved(note)`` is
    told about connections that never reached ``serve`` (refused, failed handshake).
    ``refuse()`` is asked at every accept, so a fault switch flipped mid-run takes effect.
    """

    def __init__(
        self,
        serve: Serve[N],
        *,
        note: Callable[[str], N],
        host: str,
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        refuse: Callable[[], bool] = lambda: False,
        unserved: Callable[[N], None] = lambda note: None,
        handshake_timeout: float = 10.0,
    ) -> None:
        self.serve = serve
        self.note = note
        self.host = host
        self.ssl_context = ssl_context
        self.refuse = refuse
        self.unserved = unserved
        self.handshake_timeout = handshake_timeout
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}
        if ssl_context is not None:
            _note_server_name(ssl_context)

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._on_client, self.host, self._port)
        self._port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening, end every connection, and wait (bounded) for their handlers.

        Aborting each transport ends a read loop even when a cancellation is lost, which on
        Python 3.11 ``asyncio.wait_for`` can do; cancelling again a few rounds bounds the rest.
        """
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in self._connections.values():
            writer.transport.abort()
        await cancel_and_wait(self._connections, timeout=_CLOSE_TIMEOUT, rounds=_CANCEL_ROUNDS)

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections[task] = writer
        peer = writer.get_extra_info("peername")
        note = self.note(f"{peer[0]}:{peer[1]}" if peer else "?")
        try:
            if self.refuse():
                note.closed_reason = "refused (fault)"
                _reset(writer)
                self.unserved(note)
                return
            if self.ssl_context is not None and not await self._handshake(writer, note, self.ssl_context):
                self.unserved(note)
                return
            await self.serve(reader, writer, note)
        except ConnectionError as exc:
            note.closed_reason = note.closed_reason or f"connection lost: {type(exc).__name__}"
        except asyncio.CancelledError:
            # close() cancels handlers; ending quietly keeps asyncio's stream callback from logging it.
            note.closed_reason = note.closed_reason or "server closed"
        finally:
            await _close(writer)
            if task is not None:
                self._connections.pop(task, None)

    async def _handshake(self, writer: asyncio.StreamWriter, note: N, context: ssl.SSLContext) -> bool:
        try:
            await writer.start_tls(context, ssl_handshake_timeout=self.handshake_timeout)
        except (OSError, ssl.SSLError, TimeoutError) as exc:
            note.closed_reason = f"TLS handshake failed: {type(exc).__name__}"
            return False
        ssl_object = writer.get_extra_info("ssl_object")
        note.tls_version = ssl_object.version()
        note.server_name = getattr(ssl_object, _SNI_ATTRIBUTE, None)
        return True
