"""A fake device's server, served from a thread for the length of a ``with`` block.

Every loopback server the project tests start is stopped the same way however the test ends: its
serve loop shut down, its socket closed and its thread joined (bounded), so none outlives its test.

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as server:
        httpx.get(f"http://127.0.0.1:{server.server_address[1]}/")
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["read_head", "serving"]

_Server = TypeVar("_Server", bound=socketserver.BaseServer)

JOIN_TIMEOUT = 5.0
HEAD_LIMIT = 64 * 1024


@contextmanager
def serving(server: _Server, poll_interval: float = 0.05) -> Iterator[_Server]:
    """``server`` answering from a daemon thread until the block ends, then closed."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(JOIN_TIMEOUT)


def read_head(sock: socket.socket) -> bytes | None:
    """A request's bytes up to its blank line, with any of its body that came along (at most about
    ``HEAD_LIMIT``); None when the client hung up first."""
    head = b""
    while b"\r\n\r\n" not in head and len(head) < HEAD_LIMIT:
        data = sock.recv(4096)
        if not data:
            return None
        head += data
    return head
