"""What a client call returns: the raw answer plus its redacted exchange."""

from __future__ import annotations

import json as _json
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from paircert.clients.guard import AnswerLimits, check_nesting
from paircert.clients.transcript import EXCHANGE_KEY, Exchange, Transcript

__all__ = ["ApiResponse", "ApiStyle", "perform"]

# "dca": the Device Configuration framework envelope; "cgi": a VAPIX JSON CGI envelope.
ApiStyle = Literal["dca", "cgi"]


@dataclass
class ApiResponse:
    """An API answer. ``text``/``json`` are what the wire carried; ``exchange`` is redacted."""

    status_code: int
    headers: httpx.Headers
    text: str
    json: Any | None
    exchange: Exchange
    style: ApiStyle = "dca"

    @classmethod
    def from_httpx(cls, response: httpx.Response, exchange: Exchange, style: ApiStyle = "dca") -> ApiResponse:
        try:
            body = response.json()
        except ValueError:
            body = None
        return cls(response.status_code, response.headers, response.text, body, exchange, style)

    def __repr__(self) -> str:
        # The body stays out: it is unredacted, and reprs end up in assertion messages.
        return f"ApiResponse({self.exchange.method} {self.exchange.url} -> {self.status_code})"

    @property
    def ok(self) -> bool:
        """DCA: 2xx and ``status == "success"``; CGI: HTTP 200 and a ``data`` member."""
        if not isinstance(self.json, dict):
            return False
        if self.style == "cgi":
            return self.status_code == 200 and "data" in self.json
        return 200 <= self.status_code < 300 and self.json.get("status") == "success"

    @property
    def data(self) -> Any:
        return self.json.get("data") if isinstance(self.json, dict) else None

    @property
    def _error(self) -> dict[str, Any]:
        error = self.json.get("error") if isinstance(self.json, dict) else None
        return error if isinstance(error, dict) else {}

    @property
    def error_code(self) -> int | None:
        code = self._error.get("code")
        return code if isinstance(code, int) and not isinstance(code, bool) else None

    @property
    def error_message(self) -> str | None:
        message = self._error.get("message")
        return message if isinstance(message, str) else None

    def pretty(self) -> str:
        """The body as indented JSON when it is JSON (for messages); redaction is the caller's."""
        return _json.dumps(self.json, indent=2, ensure_ascii=False) if self.json is not None else self.text


def perform(
    http: httpx.Client, transcript: Transcript, style: ApiStyle, method: str, url: str, **kwargs: Any
) -> ApiResponse:
    """Send one request and pair the answer with its redacted exchange.

    A client opened by :func:`paircert.clients.http.open_client` recorded the exchange in its
    hook already, its answer held to the limits by its transport; a bare httpx client did
    neither, so the answer's nesting is checked (before any parser recurses) and it is recorded here.
    """
    response = http.request(method, url, **kwargs)
    exchange = response.extensions.get(EXCHANGE_KEY)
    if not isinstance(exchange, Exchange):
        check_nesting(response.read(), AnswerLimits(), f"{method} {response.request.url.path}")
        exchange = transcript.record(response)
    return ApiResponse.from_httpx(response, exchange, style)
