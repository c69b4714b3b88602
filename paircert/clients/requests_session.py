"""A ``requests`` session for schemathesis, authenticated by the one Digest implementation.

Schemathesis 4.32.5 sends a case with ``case.call(session=...)``, which takes a
:class:`requests.Session`. :class:`RequestsAuth` drives :class:`paircert.auth.HttpAuth`'s auth flow
(a generator that yields requests and receives responses, no I/O of its own) from ``requests``:
each prepared request is mirrored as an ``httpx.Request`` for the flow, and each answer as an
``httpx.Response``, so there is still exactly one Digest implementation. Every response, 401
challenges included, goes into the transcript (redacted there), which gives schemathesis traffic the
same curl reproductions and coverage accounting as the httpx clients.

Answers are held to the same :class:`~paircert.clients.guard.AnswerLimits` as the httpx clients'.
urllib3 times each socket read on its own, so a watchdog shuts an exchange's socket down when its
deadline passes, which ends a read blocked on a device that trickles. The run's
:class:`~paircert.clients.traffic.Traffic` (rate, timeout, retries) applies here as in the httpx
transport, by the same rules; the answer head is read through a reader that notes its first byte.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Generator, Mapping
from contextvars import ContextVar
from typing import IO, Any, cast
from urllib.parse import urlsplit

import httpx
import requests
import requests.adapters
import requests.auth
import urllib3
import urllib3.connection
import urllib3.response

from paircert.auth import HttpAuth
from paircert.clients.guard import AnswerLimits, AnswerTooSlow, Deadline, check_nesting, read_answer
from paircert.clients.http import Credentials, failure_recorder, user_agent
from paircert.clients.traffic import Phase, StackErrors, Traffic
from paircert.clients.transcript import Transcript
from paircert.clients.transport import FailureHook, transient

__all__ = ["RequestsAuth", "open_requests_session"]

_CHUNK = 64 * 1024


class _Watchdog:
    """Ends one exchange at its deadline by shutting its socket down from a timer thread."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.fired = False
        self._timer: threading.Timer | None = None

    def arm(self, sock: socket.socket) -> None:
        self.cancel()
        self._timer = threading.Timer(max(0.0, self.deadline.remaining()), self._fire, args=(sock,))
        self._timer.daemon = True
        self._timer.start()

    def _fire(self, sock: socket.socket) -> None:
        self.fired = True
        try:
            # The plain socket's shutdown, also under TLS: SSLSocket.shutdown would tear down the
            # TLS object another thread is reading with.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


_WATCHDOG: ContextVar[_Watchdog | None] = ContextVar("paircert_requests_watchdog", default=None)


class _HeardReader:
    """The answer's byte reader, noting the first byte in the exchange's deadline."""

    def __init__(self, inner: IO[bytes], deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def readline(self, limit: int = -1) -> bytes:
        line = self._inner.readline(limit)
        if line:
            self._deadline.heard = True
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _HeardResponse(http.client.HTTPResponse):
    """http.client reads the status line and headers with ``readline``: the first byte is seen there."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        watchdog = _WATCHDOG.get()
        if watchdog is not None:
            self.fp = cast(Any, _HeardReader(self.fp, watchdog.deadline))


class _Watched:
    """Arms the current exchange's watchdog on the socket before urllib3 waits for the answer."""

    sock: socket.socket | None

    def _watch(self) -> None:
        watchdog = _WATCHDOG.get()
        if watchdog is not None and self.sock is not None:
            watchdog.arm(self.sock)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    response_class = _HeardResponse

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3's own
        self._watch()
        return super().getresponse()


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    response_class = _HeardResponse

    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3's own
        self._watch()
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _phase(error: BaseException, heard: bool) -> Phase:
    """How far a requests exchange got: urllib3 names a failed connection attempt by its reason."""
    if heard:
        return Phase.ANSWERED
    reason = (
        error.args[0].reason if error.args and isinstance(error.args[0], urllib3.exceptions.MaxRetryError) else None
    )
    if isinstance(error, requests.ConnectTimeout) or isinstance(reason, urllib3.exceptions.ConnectTimeoutError):
        return Phase.UNSENT  # urllib3's NewConnectionError (refused, unreachable, no name) is one too
    return Phase.SENT


_REQUESTS_ERRORS = StackErrors(
    caught=(requests.ConnectionError, requests.Timeout, AnswerTooSlow), phase=_phase, transient=transient
)


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """Reads every answer in full under :class:`AnswerLimits` before requests' hooks see it, and
    sends each request at the run's pace, trying again as :class:`Traffic` allows."""

    def __init__(self, limits: AnswerLimits, traffic: Traffic, on_failure: FailureHook | None) -> None:
        self.limits = limits
        self.traffic = traffic
        self.on_failure = on_failure
        super().__init__()

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        on_failure = self.on_failure

        def failed(error: BaseException, attempt: int, phase: Phase, again: bool) -> None:
            if on_failure is not None:
                on_failure(_as_httpx_request(request), error, attempt, phase, again)

        return self.traffic.send(
            lambda deadline: self._exchange(request, deadline, timeout, verify, cert, proxies),
            self.limits.deadline,
            (str(request.method), str(request.url), request.body),
            _REQUESTS_ERRORS,
            failed,
        )

    def _exchange(
        self,
        request: requests.PreparedRequest,
        deadline: Deadline,
        timeout: Any,
        verify: bool | str,
        cert: Any,
        proxies: Mapping[str, str] | None,
    ) -> requests.Response:
        limits = self.limits
        what = f"{request.method} {urlsplit(str(request.url)).path}"
        watchdog = _Watchdog(deadline)
        token = _WATCHDOG.set(watchdog)
        try:
            response = super().send(
                request, stream=True, timeout=timeout or limits.deadline, verify=verify, cert=cert, proxies=proxies
            )
            try:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    raise limits.too_large(what, f": Content-Length says {declared}")
                body = read_answer(response.iter_content(_CHUNK), limits, deadline, what)
            except BaseException:
                response.close()
                raise
        except requests.RequestException:
            if watchdog.fired:
                raise deadline.error(what) from None
            raise
        finally:
            watchdog.cancel()
            _WATCHDOG.reset(token)
        check_nesting(body, limits, what)
        response._content = body
        return response


def _as_httpx_request(prepared: requests.PreparedRequest) -> httpx.Request:
    body = prepared.body
    content = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    return httpx.Request(str(prepared.method), str(prepared.url), headers=dict(prepared.headers), content=content)


def _as_httpx_response(response: requests.Response, request: httpx.Request) -> httpx.Response:
    mirrored = httpx.Response(
        response.status_code,
        # requests already decoded the body: a Content-Encoding header would make httpx decode it again.
        headers=[(k, v) for k, v in response.headers.items() if k.lower() != "content-encoding"],
        content=response.content,
        request=request,
    )
    mirrored.elapsed = response.elapsed
    return mirrored


class RequestsAuth(requests.auth.AuthBase):
    """``requests`` auth that answers challenges with :class:`HttpAuth` and records every exchange."""

    def __init__(
        self, credentials: Credentials, transcript: Transcript | None = None, *, curl_tls: tuple[str, ...] = ()
    ) -> None:
        self._auth = HttpAuth(credentials.username, credentials.password)
        self._transcript = transcript
        self._curl_tls = curl_tls
        if transcript is not None:
            transcript.add_secret(credentials.password)

    def __repr__(self) -> str:
        return f"RequestsAuth({self._auth!r})"

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        mirror = _as_httpx_request(prepared)
        flow = self._auth.auth_flow(mirror)
        mirror = next(flow)
        if "authorization" in mirror.headers:
            prepared.headers["Authorization"] = mirror.headers["authorization"]
        prepared.register_hook(  # type: ignore[no-untyped-call]  # requests leaves it unannotated
            "response", lambda response, **kwargs: self._answer(response, flow, mirror, **kwargs)
        )
        return prepared

    def _record(self, response: requests.Response, mirror: httpx.Request) -> None:
        if self._transcript is not None:
            self._transcript.record(_as_httpx_response(response, mirror), curl_tls=self._curl_tls)

    def _answer(
        self,
        response: requests.Response,
        flow: Generator[httpx.Request, httpx.Response, None],
        mirror: httpx.Request,
        **kwargs: Any,
    ) -> requests.Response:
        self._record(response, mirror)
        while True:
            try:
                retry = flow.send(_as_httpx_response(response, mirror))
            except StopIteration:
                return response
            prepared = response.request.copy()
            prepared.headers["Authorization"] = retry.headers["authorization"]
            response.close()
            again = response.connection.send(prepared, **kwargs)
            again.history.append(response)
            again.request = prepared
            mirror = _as_httpx_request(prepared)
            self._record(again, mirror)
            response = again


def open_requests_session(
    credentials: Credentials | None,
    *,
    verify: bool | str = True,
    transcript: Transcript | None = None,
    limits: AnswerLimits | None = None,
    traffic: Traffic | None = None,
) -> requests.Session:
    """A keep-alive session (one per identity) with :class:`RequestsAuth` when credentials are given.

    ``verify`` is True (system trust), False (``--insecure``) or a CA file path, as for httpx.
    Every answer is held to ``limits`` (by default the ``traffic``'s request timeout, else
    :class:`AnswerLimits`' own); without ``traffic`` each request is sent once, unpaced.
    """
    session = requests.Session()
    limits = limits or (traffic.limits() if traffic is not None else AnswerLimits())
    traffic = traffic or Traffic(request_timeout=limits.deadline, retries=0)
    adapter = _GuardedAdapter(limits, traffic, failure_recorder(transcript))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False
    session.verify = verify
    session.headers["User-Agent"] = user_agent()
    curl_tls = ("--cacert", verify) if isinstance(verify, str) else (() if verify else ("--insecure",))
    if credentials is not None:
        session.auth = RequestsAuth(credentials, transcript, curl_tls=curl_tls)
    elif transcript is not None:

        def record(response: requests.Response, **kwargs: Any) -> requests.Response:
            transcript.record(_as_httpx_response(response, _as_httpx_request(response.request)), curl_tls=curl_tls)
            return response

        session.hooks["response"].append(record)
    return session
