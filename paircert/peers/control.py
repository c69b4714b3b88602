"""The optional HTTP control endpoint: drive peers running in another process (``paircert peers``).

JSON over plain HTTP on a loopback address only, no credentials (anyone who can reach a loopback
port of the tester's machine can already do more than this):

- ``GET /peers`` → the names; ``GET /peers/<name>`` → :meth:`Peer.state` (with records)
- ``POST /peers/<name>/faults`` ``{"scope": "all"|"rtsp"|"http", "<fault>": value, ...}``;
  ``{"clear": true}`` switches every fault off
- ``POST /peers/<name>/certificate`` ``{"kind": "trusted"|...}``
- ``POST /peers/<name>/records/clear``
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from typing import Any

from .httpserver import HttpRequest, HttpResponse, HttpServer
from .peer import Peer

__all__ = ["ControlServer"]


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, separators=(",", ":")).encode())


class ControlServer(HttpServer):
    def __init__(self, peers: Mapping[str, Peer], *, host: str = "127.0.0.1", port: int = 0) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the control endpoint listens on loopback only, not {host}")
        super().__init__(self._handle, host=host, port=port, max_records=64)
        self.peers = dict(peers)

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        parts = [p for p in request.path.split("/") if p]
        if parts == ["peers"] and request.method == "GET":
            return _json(200, sorted(self.peers))
        if len(parts) < 2 or parts[0] != "peers" or parts[1] not in self.peers:
            return _json(404, {"error": "no such peer or path"})
        peer, action = self.peers[parts[1]], "/".join(parts[2:])
        if request.method == "GET" and action == "":
            return _json(200, peer.state())
        if request.method != "POST":
            return _json(405, {"error": "method not allowed"})
        try:
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            if action == "faults":
                if body.pop("clear", False):
                    peer.clear_faults()
                scope = body.pop("scope", "all")
                if body:
                    peer.set_faults(scope, **body)
            elif action == "certificate":
                peer.set_certificate(str(body.get("kind")))
            elif action == "records/clear":
                peer.clear_records()
            else:
                return _json(404, {"error": f"no action {action!r}"})
        except (ValueError, TypeError) as exc:
            return _json(400, {"error": str(exc)})
        state = peer.state()
        return _json(200, {"cert": state["cert"], "faults": state["faults"]})
