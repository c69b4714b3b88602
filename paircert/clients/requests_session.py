"""A ``requests`` session for schemathesis, authenticated by the one Digest implementation.

Schemathesis 4.32.5 sends a case with ``case.call(session=...)``, which takes a
:class:`requests.Session`. :class:`RequestsAuth` drives :class:`paircert.auth.HttpAuth`'s auth flow
(a generator that yields requests and receives responses, no I/O of its own) from ``requests``:
each prepared request is mirrored as an ``httpx.Request`` for the flow, and each answer as an
``httpx.Response``, so there is still exactly one Digest implementation. Every response, 401
challenges included, goes into the transcript (redacted there), which gives schemathesis traffic the
same curl reproductions and coverage accounting as the httpx clients.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
import requests
import requests.auth

from paircert.auth import HttpAuth
from paircert.clients.http import Credentials, user_agent
from paircert.clients.transcript import Transcript

__all__ = ["RequestsAuth", "open_requests_session"]


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
        prepared.register_hook("response", lambda response, **kwargs: self._answer(response, flow, mirror, **kwargs))
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
    credentials: Credentials | None, *, verify: bool | str = True, transcript: Transcript | None = None
) -> requests.Session:
    """A keep-alive session (one per identity) with :class:`RequestsAuth` when credentials are given.

    ``verify`` is True (system trust), False (``--insecure``) or a CA file path, as for httpx.
    """
    session = requests.Session()
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
