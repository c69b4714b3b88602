"""Credentials and the keep-alive httpx client every paircert client is built on."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from importlib import metadata

import httpx

from paircert.auth import HttpAuth
from paircert.clients.guard import DEFAULT_DEADLINE, AnswerLimits
from paircert.clients.traffic import Phase, Traffic
from paircert.clients.transcript import Transcript
from paircert.clients.transport import FailureHook, GuardedTransport, open_transport

__all__ = ["Credentials", "failure_recorder", "open_client", "user_agent"]


@dataclass(frozen=True)
class Credentials:
    """A user name and password; the password never appears in a repr."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=<redacted>)"

    @classmethod
    def parse(cls, text: str) -> Credentials:
        """Read ``NAME:SECRET`` (the secret may itself contain colons)."""
        name, sep, secret = text.partition(":")
        if not (name and sep and secret):
            raise ValueError("expected NAME:SECRET with a non-empty name and secret")
        return cls(name, secret)


def user_agent() -> str:
    try:
        version = metadata.version("paircert")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"paircert/{version}"


def failure_recorder(transcript: Transcript | None) -> FailureHook | None:
    """The hook that writes each attempt that got no answer into ``transcript`` (httpx and requests)."""
    if transcript is None:
        return None

    def record(request: httpx.Request, error: BaseException, attempt: int, phase: Phase, again: bool) -> None:
        transcript.record_failure(request, error, attempt=attempt, phase=phase.value, retried=again)

    return record


def _tls(verify: bool | str) -> tuple[ssl.SSLContext | bool, tuple[str, ...]]:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify), ("--cacert", verify)
    return verify, () if verify else ("--insecure",)


def open_client(
    base_url: str,
    credentials: Credentials | None,
    *,
    verify: bool | str = True,
    timeout: float = DEFAULT_DEADLINE,
    transcript: Transcript | None = None,
    transport: httpx.BaseTransport | None = None,
    limits: AnswerLimits | None = None,
    traffic: Traffic | None = None,
) -> httpx.Client:
    """One keep-alive client per identity: a new client per request manages ~19 requests/s.

    ``verify`` is True (system trust), False (``--insecure``) or the path of a CA file. Every
    response, 401 challenges included, goes into ``transcript`` when one is given, and so does
    every attempt that got no answer. Every answer is held to ``limits``, by default ``timeout``
    for the whole exchange (httpx alone would allow ``timeout`` per read); ``transport`` (a mock,
    in tests) is wrapped the same way. ``traffic`` (the run's: its rate, timeout and retries)
    replaces ``timeout``; without it each request is sent once.
    """
    ssl_verify, curl_tls = _tls(verify)
    if traffic is not None:
        timeout = traffic.request_timeout
    limits = limits or AnswerLimits(deadline=timeout)
    on_failure = failure_recorder(transcript)
    guarded = (
        GuardedTransport(transport, limits, traffic, on_failure)
        if transport is not None
        else open_transport(ssl_verify, limits, traffic, on_failure)
    )
    auth = HttpAuth(credentials.username, credentials.password) if credentials else None
    if transcript is not None and credentials is not None:
        transcript.add_secret(credentials.password)
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        timeout=httpx.Timeout(timeout),
        trust_env=False,  # a proxy from the environment would route around the guarded transport
        headers={"User-Agent": user_agent()},
        event_hooks=transcript.hooks(curl_tls=curl_tls) if transcript is not None else None,
        transport=guarded,
        follow_redirects=False,
    )
