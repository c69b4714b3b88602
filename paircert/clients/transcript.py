"""A redacted record of every HTTP exchange a client makes, for failure messages and reports.

Redaction happens when an exchange is recorded, not when it is shown, so no later consumer
(report writer, failure message, JUnit) can leak what the wire carried: ``Authorization`` and
``Proxy-Authorization`` values, URL userinfo and password query parameters, every JSON field
named ``password`` at any depth, and every whole occurrence of a secret the transcript knows in a
URL, a header value or a body value (a device answer that echoes a request) are replaced before
the exchange is stored. The rule for secrets is :class:`paircert.vapix.passwords.Redactor`'s:
it removes secrets and nothing else, so a JSON body keeps its keys and shape.
"""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import httpx

from paircert.vapix.passwords import REDACTED, Redactor, redact_url, replace_passwords
from paircert.vapix.passwords import password_values as _password_values

__all__ = ["REDACTED", "Exchange", "FailedAttempt", "Transcript", "redact_json", "redact_text"]

EXCHANGE_KEY = "paircert.exchange"
_STARTED_KEY = "paircert.started"
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
_CURL_SKIP_HEADERS = _SECRET_HEADERS | {"host", "content-length", "accept-encoding", "connection", "user-agent"}
# A password field in a body that is not valid JSON (the suite sends malformed bodies on purpose).
_PASSWORD_TEXT = re.compile(r'("password"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s]+)', re.IGNORECASE)
_MAX_BODY = 8000


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with every field named ``password`` (any depth) replaced."""
    return replace_passwords(value, lambda _secret: REDACTED)


def redact_text(text: str) -> str:
    """Redact password fields in a body that may or may not be JSON."""
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser recurses
        return _PASSWORD_TEXT.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)
    redacted = redact_json(parsed)
    return text if redacted == parsed else json.dumps(redacted, ensure_ascii=False)


def _body_text(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    if len(text) > _MAX_BODY:
        return f"{text[:_MAX_BODY]}... <{len(text) - _MAX_BODY} more characters>"
    return text


def _elapsed_ms(response: httpx.Response) -> float:
    """httpx knows the time once the stream closed; a hook may run before that."""
    try:
        return response.elapsed.total_seconds() * 1000
    except RuntimeError:
        started = response.request.extensions.get(_STARTED_KEY)
        return (time.perf_counter() - started) * 1000 if isinstance(started, float) else 0.0


@dataclass
class Exchange:
    """One request and its response, already redacted."""

    method: str
    url: str
    request_headers: httpx.Headers
    request_body: str
    status_code: int
    response_headers: httpx.Headers
    response_body: str
    elapsed_ms: float
    auth_scheme: str | None = None
    curl_tls: tuple[str, ...] = ()

    def to_curl(self) -> str:
        """A one-line curl that repeats this request, credentials taken from the environment."""
        parts = ["curl", "-sS", "-i"]
        parts += ["-I"] if self.method == "HEAD" else ["-X", self.method]
        if self.auth_scheme in ("digest", "basic"):
            parts += [f"--{self.auth_scheme}", '-u "$PAIRCERT_USER:$PAIRCERT_PASSWORD"']
        parts += [shlex.quote(arg) for arg in self.curl_tls]
        for name, value in self.request_headers.multi_items():
            if name.lower() not in _CURL_SKIP_HEADERS and not (name.lower() == "accept" and value == "*/*"):
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body:
            parts += ["--data-raw", shlex.quote(self.request_body)]
        parts.append(shlex.quote(self.url))
        return " ".join(parts)

    def render(self) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"> {k}: {v}" for k, v in self.request_headers.multi_items()]
        if self.request_body:
            lines += [">", *(f"> {line}" for line in self.request_body.splitlines())]
        lines.append(f"< HTTP {self.status_code} ({self.elapsed_ms:.0f} ms)")
        lines += [f"< {k}: {v}" for k, v in self.response_headers.multi_items()]
        if self.response_body:
            lines += ["<", *(f"< {line}" for line in self.response_body.splitlines())]
        return "\n".join(lines)


@dataclass(frozen=True)
class FailedAttempt:
    """One try of a request that ended in a transport error (no HTTP answer), already redacted."""

    method: str
    url: str
    request_body: str
    attempt: int
    phase: str
    error: str
    retried: bool

    def render(self) -> str:
        then = "tried again" if self.retried else "not tried again"
        return f"{self.method} {self.url}\n! attempt {self.attempt} failed {self.phase}: {self.error} ({then})"

    def to_dict(self) -> dict[str, object]:
        return {
            "request": f"{self.method} {self.url}",
            "attempt": self.attempt,
            "phase": self.phase,
            "error": self.error,
            "retried": self.retried,
        }


Watcher = Callable[[str, str, bytes], None]
"""Told ``(method, redacted url, request body as sent)`` of every request recorded, answered or not:
the body whole, so a watcher that classifies requests never meets a truncated one. A watcher keeps
no body; whatever it reports passes :meth:`Transcript.scrub` first."""


@dataclass
class Transcript:
    """The exchanges of one test (the plugin clears it between tests), bounded in size.

    ``attempts`` holds the tries that ended without an answer (a connection refused or reset, a
    timeout); ``watch`` callbacks see every request, across tests.
    """

    limit: int = 200
    exchanges: list[Exchange] = field(default_factory=list)
    dropped: int = 0
    attempts: list[FailedAttempt] = field(default_factory=list)
    _redactor: Redactor = field(default_factory=Redactor, repr=False)
    _watchers: list[Watcher] = field(default_factory=list, repr=False)

    def watch(self, watcher: Watcher) -> None:
        """Tell ``watcher`` about every request recorded from now on (not cleared between tests)."""
        self._watchers.append(watcher)

    def add_secret(self, secret: str) -> None:
        """Remove this value from every exchange recorded from now on (and from :meth:`scrub`)."""
        self._redactor.add(secret)

    def learn_secret(self, secret: str) -> None:
        """A password value seen on the wire: a secret from now on (a subclass may decline)."""
        self.add_secret(secret)

    def scrub(self, text: str, *, keep: Collection[str] = ()) -> str:
        """Free text without whole occurrences of a known secret (``keep``: public names to leave)."""
        return self._redactor.text(text, keep=keep)

    def scrub_json(self, value: Any, *, keep: Collection[str] = ()) -> Any:
        """A JSON value without password fields' values and without secrets in its string values."""
        return self._redactor.json(value, keep=keep)

    def _body(self, raw: bytes) -> str:
        text = _body_text(raw)
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):  # not JSON, truncated, or deeper than the parser recurses
            return self.scrub(redact_text(text))
        redacted = self.scrub_json(parsed)
        return text if redacted == parsed else json.dumps(redacted, ensure_ascii=False)

    def clear(self) -> None:
        self.exchanges.clear()
        self.attempts.clear()
        self.dropped = 0

    def record(self, response: httpx.Response, *, curl_tls: tuple[str, ...] = ()) -> Exchange:
        """Redact and store one finished exchange; the response body is read if it was not."""
        request = response.request
        response.read()
        try:
            request_raw = request.content
        except httpx.RequestNotRead:
            request_raw = b"<streamed body>"
        for raw in (request_raw, response.content):
            try:
                for value in _password_values(json.loads(raw)):
                    self.learn_secret(value)
            except (ValueError, RecursionError):
                pass
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "basic" and token.strip():
            self.add_secret(token.strip())  # a device that echoes the header echoes the password
        exchange = Exchange(
            method=request.method,
            url=self.scrub(redact_url(str(request.url))),
            request_headers=self._headers(request.headers),
            request_body=self._body(request_raw),
            status_code=response.status_code,
            response_headers=self._headers(response.headers),
            response_body=self._body(response.content),
            elapsed_ms=_elapsed_ms(response),
            auth_scheme=scheme.lower() or None,
            curl_tls=curl_tls,
        )
        self.exchanges.append(exchange)
        if len(self.exchanges) > self.limit:
            del self.exchanges[0]
            self.dropped += 1
        response.extensions[EXCHANGE_KEY] = exchange
        self._tell(exchange.method, exchange.url, request_raw)
        return exchange

    def record_failure(
        self, request: httpx.Request, error: BaseException, *, attempt: int, phase: str, retried: bool
    ) -> FailedAttempt:
        """Redact and store one try that got no answer; the error text is scrubbed of secrets."""
        try:
            request_raw = request.content
        except httpx.RequestNotRead:
            request_raw = b"<streamed body>"
        failed = FailedAttempt(
            method=request.method,
            url=self.scrub(redact_url(str(request.url))),
            request_body=self._body(request_raw),
            attempt=attempt,
            phase=phase,
            error=self.scrub(f"{type(error).__name__}: {error}".splitlines()[0]),
            retried=retried,
        )
        if len(self.attempts) < self.limit:
            self.attempts.append(failed)
        self._tell(failed.method, failed.url, request_raw)
        return failed

    def _tell(self, method: str, url: str, body: bytes) -> None:
        for watcher in self._watchers:
            watcher(method, url, body)

    def _headers(self, headers: httpx.Headers) -> httpx.Headers:
        items = []
        for name, value in headers.multi_items():
            if name.lower() in _SECRET_HEADERS:
                scheme = value.split(" ", 1)[0] if " " in value.strip() else ""
                value = f"{scheme} {REDACTED}".strip()
            items.append((name, self.scrub(value)))
        return httpx.Headers(items)

    def hooks(self, *, curl_tls: tuple[str, ...] = ()) -> dict[str, list[Callable[[Any], None]]]:
        """httpx ``event_hooks`` that record every response (401 challenges included)."""

        def on_request(request: httpx.Request) -> None:
            request.extensions[_STARTED_KEY] = time.perf_counter()

        def on_response(response: httpx.Response) -> None:
            self.record(response, curl_tls=curl_tls)

        return {"request": [on_request], "response": [on_response]}

    def render(self) -> str:
        head = [f"({self.dropped} earlier exchanges omitted)"] if self.dropped else []
        blocks = [f"--- exchange {i} ---\n{x.render()}" for i, x in enumerate(self.exchanges, 1)]
        blocks += [f"--- failed attempt {i} ---\n{a.render()}" for i, a in enumerate(self.attempts, 1)]
        return "\n\n".join(head + blocks) if blocks else "(no HTTP exchanges)"
