"""The API benchmark's baseline: the same HTTP server stack as the emulator, serving nothing.

A raw ASGI callable that answers every request with one fixed JSON success envelope, served by
uvicorn on a loopback socket bound the way the emulator binds its own (TCP_NODELAY, no delayed
ACK), in a thread of this process like the embedded emulator. What the emulator's figures lose
against it is what its authentication, routing and device model cost.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any

import uvicorn

from paircert.threadhost import ThreadHost

__all__ = ["BareApp"]

BODY = b'{"apiVersion":"1.0","status":"success","data":{"id":"bench","status":"NotPaired","description":"bare"}}'
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


async def _app(
    scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals stay with whoever runs the process."""
        yield


class BareApp(ThreadHost):
    """``with BareApp() as bare: bare.url`` serves on a free loopback port."""

    thread_name = "paircert-bench-bare"

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__()
        self.host = host
        self.url = ""

    async def serve(self, ready: Callable[[], None], stop: asyncio.Event) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(128)
        sock.setblocking(False)
        self.url = f"http://{self.host}:{sock.getsockname()[1]}"
        server = _Server(uvicorn.Config(_app, lifespan="off", log_config=None, access_log=False))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            while not server.started and not task.done():
                await asyncio.sleep(0.01)
            ready()
            await stop.wait()
        finally:
            server.should_exit = True
            await asyncio.wait([task], timeout=5.0)
            sock.close()
