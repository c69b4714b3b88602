"""The httpx transport every suite client sends through: it holds a device to :class:`AnswerLimits`.

:class:`GuardedTransport` reads each answer in full, chunk by chunk, under the byte limit and one
deadline for the whole exchange, decodes any content encoding under the same byte limit, and
refuses JSON nested too deep, all before httpx's event hooks (the transcript) or any parser see
the body. The deadline reaches the socket through an httpcore network backend that shortens
every read and write to the time left, so a device that trickles its *headers* is cut off too.

It is also where the run's :class:`~paircert.clients.traffic.Traffic` applies: each attempt waits
for the run's send slot (``--max-rps``), and a transport error is tried again only as that module
allows, every failed attempt reported to ``on_failure`` (the transcript) first. The network
backend notes the first answer byte, which is what tells "the device never answered" from "the
device's answer broke off".
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from paircert.clients.guard import (
    AnswerLimits,
    AnswerTooDeep,
    AnswerTooLarge,
    AnswerTooSlow,
    Deadline,
    check_nesting,
    read_answer,
)
from paircert.clients.traffic import Phase, StackErrors, Traffic

__all__ = ["FailureHook", "GuardedTransport", "open_transport", "phase_of", "transient"]

FailureHook = Callable[[httpx.Request, BaseException, int, Phase, bool], None]
"""Told ``(request, error, attempt, phase, tried again)`` of every attempt that got no answer."""

_CHUNK = 64 * 1024
_DEADLINE: ContextVar[Deadline | None] = ContextVar("paircert_answer_deadline", default=None)


def _bounded(timeout: float | None) -> float | None:
    """The socket timeout for the next operation: never past the current exchange's deadline."""
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline.remaining()
    if remaining <= 0:
        raise httpcore.ReadTimeout("the exchange's deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._inner.read(max_bytes, _bounded(timeout))
        deadline = _DEADLINE.get()
        if data and deadline is not None:
            deadline.heard = True
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.connect_tcp(host, port, _bounded(timeout), local_address, socket_options)
        return _DeadlineStream(inner)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Slices(httpx.SyncByteStream):
    """A read body handed back in bounded slices, so a decoder never inflates all of it at once."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self._body), _CHUNK):
            yield self._body[start : start + _CHUNK]


def _what(request: httpx.Request) -> str:
    return f"{request.method} {request.url.path}"


def _decoded(response: httpx.Response, body: bytes, limits: AnswerLimits, deadline: Deadline, what: str) -> bytes:
    """The body with its Content-Encoding undone, counted against the same byte limit."""
    probe = httpx.Response(response.status_code, headers=response.headers, stream=_Slices(body))
    try:
        return read_answer(probe.iter_bytes(), limits, deadline, what)
    except AnswerTooLarge:
        raise limits.too_large(what, " once decoded") from None


def transient(error: BaseException) -> bool:
    """Whether an error may go away on its own: not a bad URL, not a refused certificate, not an
    answer over a limit (each of those fails the same way every time)."""
    if isinstance(error, (httpx.UnsupportedProtocol, httpx.ProxyError, AnswerTooLarge, AnswerTooDeep)):
        return False
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return False
        cause = cause.__cause__ or cause.__context__
    return True


def phase_of(error: BaseException, heard: bool) -> Phase:
    """How far an httpx exchange got: connect errors come before anything was sent."""
    if heard:
        return Phase.ANSWERED
    if isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return Phase.UNSENT
    return Phase.SENT


_HTTPX_ERRORS = StackErrors(caught=(httpx.TransportError,), phase=phase_of, transient=transient)


def _content(request: httpx.Request) -> bytes | None:
    try:
        return request.content
    except httpx.RequestNotRead:
        return None  # a streamed body: unknown, so treated as changing state


class GuardedTransport(httpx.BaseTransport):
    """Wraps ``inner`` (any httpx transport) so every answer is complete, bounded and safe to parse.

    Without ``traffic`` a request is sent once, unpaced, and held to ``limits``.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        limits: AnswerLimits,
        traffic: Traffic | None = None,
        on_failure: FailureHook | None = None,
    ) -> None:
        self.inner = inner
        self.limits = limits
        self.traffic = traffic or Traffic(request_timeout=limits.deadline, retries=0)
        self.on_failure = on_failure

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        on_failure = self.on_failure

        def failed(error: BaseException, attempt: int, phase: Phase, again: bool) -> None:
            if on_failure is not None:
                on_failure(request, error, attempt, phase, again)

        return self.traffic.send(
            lambda deadline: self._exchange(request, deadline),
            self.limits.deadline,
            (request.method, str(request.url), _content(request)),
            _HTTPX_ERRORS,
            failed,
        )

    def _exchange(self, request: httpx.Request, deadline: Deadline) -> httpx.Response:
        limits = self.limits
        what = _what(request)
        token = _DEADLINE.set(deadline)
        try:
            response = self.inner.handle_request(request)
            try:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    raise limits.too_large(what, f": Content-Length says {declared}")
                stream = response.stream
                if not isinstance(stream, httpx.SyncByteStream):
                    raise TypeError("GuardedTransport wraps synchronous transports only")
                body = read_answer(stream, limits, deadline, what)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            if deadline.passed and not isinstance(exc, (AnswerTooSlow, httpx.ConnectTimeout, httpx.PoolTimeout)):
                raise deadline.error(what) from None
            raise
        finally:
            _DEADLINE.reset(token)
        headers = response.headers
        if headers.get("content-encoding", "identity").strip().lower() != "identity":
            body = _decoded(response, body, limits, deadline, what)
            headers = httpx.Headers([(k, v) for k, v in headers.multi_items() if k.lower() != "content-encoding"])
        check_nesting(body, limits, what)
        return httpx.Response(
            response.status_code, headers=headers, stream=httpx.ByteStream(body), extensions=response.extensions
        )

    def close(self) -> None:
        self.inner.close()


def open_transport(
    verify: ssl.SSLContext | bool,
    limits: AnswerLimits,
    traffic: Traffic | None = None,
    on_failure: FailureHook | None = None,
) -> GuardedTransport:
    """httpx's own HTTP transport, its sockets bound by the exchange deadline, behind the guard.

    httpx takes no network backend as an argument, so the one it made is wrapped in place; a
    project test fails at once if a new httpx moves it.
    """
    inner = httpx.HTTPTransport(verify=verify)
    pool = inner._pool
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise TypeError(f"cannot bound the sockets of httpx's {type(pool).__name__}")
    pool._network_backend = _DeadlineBackend(pool._network_backend)
    return GuardedTransport(inner, limits, traffic, on_failure)
