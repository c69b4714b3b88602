"""The Device Configuration API framework: GET reads, PATCH (or PUT) sets, POST adds, DELETE removes."""

from __future__ import annotations

from typing import Any

import httpx

from paircert.clients.response import ApiResponse, perform
from paircert.clients.transcript import Transcript

__all__ = ["DcaClient"]

_UNSET: Any = object()


class DcaClient:
    """Speaks the DCA envelope conventions over one authenticated keep-alive client.

    ``set_method`` is PATCH; AXIS OS 11.10 and older used PUT, which the suite's
    ``--set-method`` option selects.
    """

    def __init__(self, http: httpx.Client, transcript: Transcript, *, set_method: str = "PATCH") -> None:
        if set_method not in ("PATCH", "PUT"):
            raise ValueError(f"set_method must be PATCH or PUT, not {set_method!r}")
        self.http = http
        self.transcript = transcript
        self.set_method = set_method

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = _UNSET,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """Any request; ``json=None`` sends no body (send ``content=b"null"`` for a JSON null)."""
        kwargs: dict[str, Any] = {"headers": headers}
        if json is not _UNSET:
            kwargs["json"] = json
        if content is not None:
            kwargs["content"] = content
        return perform(self.http, self.transcript, "dca", method, path, **kwargs)

    def get(self, path: str) -> ApiResponse:
        return self.request("GET", path)

    def set(self, path: str, value: Any) -> ApiResponse:
        return self.request(self.set_method, path, json={"data": value})

    def add(self, path: str, data: Any) -> ApiResponse:
        return self.request("POST", path, json={"data": data})

    def remove(self, path: str) -> ApiResponse:
        return self.request("DELETE", path)
