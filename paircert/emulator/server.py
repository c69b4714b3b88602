"""Runs the emulator: one device, one app, an HTTP and an HTTPS uvicorn server in one event loop,
and the RTSP and RTSPS servers that re-serve the paired peers' media.

Listening sockets are bound here (port 0 picks a free port) and handed to uvicorn, so the real
ports are known before ``on_ready`` is called (``on_rtsp`` gets the RTSP base URLs just before).
``serve`` returns after ``stop`` is set, or raises CancelledError when cancelled; either way the
servers and the links are shut down first.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from ..rtsp.server import RtspServer
from .app import build_app
from .certs import prepare_tls
from .config import EmulatorConfig
from .device import Device
from .restream import start_rtsp_servers

__all__ = ["OnReady", "OnRtsp", "serve"]

log = logging.getLogger("paircert.emulator")

OnReady = Callable[[str, str, Path], None]
OnRtsp = Callable[[str, str], None]

_STARTUP_TIMEOUT = 15.0


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to whoever runs ``serve`` (two servers share a loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    # proto must be IPPROTO_TCP (not 0): asyncio only sets TCP_NODELAY on accepted sockets that say so,
    # and without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _url(scheme: str, sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def _uvicorn_config(app: ASGIApp, *, certfile: Path | None = None, keyfile: Path | None = None) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=5,
        ssl_certfile=str(certfile) if certfile else None,
        ssl_keyfile=str(keyfile) if keyfile else None,
    )


async def serve(
    config: EmulatorConfig,
    on_ready: OnReady | None = None,
    *,
    stop: asyncio.Event | None = None,
    on_rtsp: OnRtsp | None = None,
) -> None:
    """Serve until ``stop`` is set (or forever when it is None) or the task is cancelled."""
    tls = prepare_tls(config)
    device = Device(config)
    app = build_app(device)
    sockets: list[socket.socket] = []
    servers: list[_Server] = []
    tasks: list[asyncio.Task[None]] = []
    rtsp: list[RtspServer] = []
    try:
        rtsp = await start_rtsp_servers(config, device.relay, tls)
        sockets = [_bind(config.host, config.http_port), _bind(config.host, config.https_port)]
        servers = [
            _Server(_uvicorn_config(app)),
            _Server(_uvicorn_config(app, certfile=tls.certfile, keyfile=tls.keyfile)),
        ]
        await device.start()
        tasks = [
            asyncio.create_task(server.serve(sockets=[sock])) for server, sock in zip(servers, sockets, strict=False)
        ]
        await _wait_started(servers, tasks)
        http_url, https_url = _url("http", sockets[0]), _url("https", sockets[1])
        rtsp_url, rtsps_url = (server.url("") for server in rtsp)
        log.info("emulator ready on %s, %s, %s and %s", http_url, https_url, rtsp_url, rtsps_url)
        if on_rtsp is not None:
            on_rtsp(rtsp_url, rtsps_url)
        if on_ready is not None:
            on_ready(http_url, https_url, tls.ca_file)
        waiter = asyncio.ensure_future(stop.wait() if stop is not None else asyncio.Event().wait())
        try:
            await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
        for task in tasks:
            if task.done() and task.exception() is not None:
                raise RuntimeError("an emulator server stopped unexpectedly") from task.exception()
    finally:
        await _shutdown(servers, tasks, device, sockets, rtsp)


async def _wait_started(servers: list[_Server], tasks: list[asyncio.Task[None]]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _STARTUP_TIMEOUT
    while not all(server.started for server in servers):
        for task in tasks:
            if task.done():
                task.result()
                raise RuntimeError("an emulator server stopped during startup")
        if loop.time() > deadline:
            raise TimeoutError("the emulator servers did not start in time")
        await asyncio.sleep(0.01)


async def _shutdown(
    servers: list[_Server],
    tasks: list[asyncio.Task[None]],
    device: Device,
    sockets: list[socket.socket],
    rtsp: list[RtspServer],
) -> None:
    for server in servers:
        server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*tasks, return_exceptions=True)
    for rtsp_server in rtsp:
        await rtsp_server.close()
    await device.stop()
    for sock in sockets:
        sock.close()
