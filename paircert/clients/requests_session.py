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
deadline passes, which ends a read blocked on a device that trickles.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Generator, Mapping
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
import requests.adapters
import requests.auth
import urllib3
import urllib3.connection
import urllib3.response

from paircert.auth import HttpAuth
from paircert.clients.guard import AnswerLimits, Deadline, check_nesting, read_answer
from paircert.clients.http import Credentials, user_agent
from paircert.clients.transcript import Transcript

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


class _Watched:
    """Arms the current exchange's watchdog on the socket before urllib3 waits for the answer."""

    sock: socket.socket | None

    def _watch(self) -> None:
        watchdog = _WATCHDOG.get()
        if watchdog is not None and self.sock is not None:
            watchdog.arm(self.sock)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3's own
        self._watch()
        return super().getresponse()


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]  # as urllib3's own
        self._watch()
        return super().getresponse()


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    """Reads every answer in full under :class:`AnswerLimits` before requests' hooks see it."""

    def __init__(self, limits: AnswerLimits) -> None:
        self.limits = limits
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
        limits = self.limits
        deadline = Deadline(limits.deadline)
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
) -> requests.Session:
    """A keep-alive session (one per identity) with :class:`RequestsAuth` when credentials are given.

    ``verify`` is True (system trust), False (``--insecure``) or a CA file path, as for httpx.
    Every answer is held to ``limits`` (by default :class:`AnswerLimits`' own).
    """
    session = requests.Session()
    adapter = _GuardedAdapter(limits or AnswerLimits())
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
