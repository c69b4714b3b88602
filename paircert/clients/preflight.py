"""First contact: is the target there, is it an Axis device, and does it let the admin in?

The plugin calls it once per run, when its target comes up (``paircert.plugin.target.Target``);
``paircert run`` turns a :class:`PreflightError` into one line and its :attr:`~PreflightError.exit_code`.

Three answers stop the run before any test, because no test could say anything true about the
device: nothing answers, the target speaks neither API (no DCA discovery, no apidiscovery, no
radar CGI), or it refuses the admin after a correct answer to a well-formed challenge (the
credentials are wrong). A 401 that no client could answer (no challenge, or a malformed one)
is the device breaking the authentication protocol: that is a finding about the device, so the
run goes on and the plugin records it (:class:`AuthProblem`).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from paircert.auth import PREFERRED_ALGORITHMS, Challenge, parse_challenges
from paircert.clients.camera_pairing import API_ROOT
from paircert.clients.discovery import DeviceInfoClient, DiscoveryClient
from paircert.clients.guard import DEFAULT_DEADLINE
from paircert.clients.http import Credentials, open_client
from paircert.clients.radar import RadarClient
from paircert.clients.response import ApiResponse, perform
from paircert.clients.traffic import Traffic
from paircert.clients.transcript import Transcript, Watcher
from paircert.vapix.paths import APIDISCOVERY_PATH, DCA_DISCOVER_ROOT

__all__ = ["AuthProblem", "Contact", "NotAnAxisDevice", "PreflightError", "preflight"]


class PreflightError(Exception):
    """The run cannot start; ``str()`` is one line for a human, with no secret in it."""

    exit_code = 3
    """What ``paircert run`` exits with: the target is unreachable or refuses the credentials."""


class NotAnAxisDevice(PreflightError):
    """The target answers HTTP but speaks neither API: a wrong URL, not a broken device."""

    exit_code = 4


@dataclass(frozen=True)
class AuthProblem:
    """A 401 no client can answer, in one sentence (no secret in it).

    ``breach``: the device breaks the protocol (RFC 7235 §3.1 requires a challenge with a 401, RFC
    7616 a realm and a nonce in a Digest one), a conformance failure. Otherwise it offers only
    schemes paircert does not speak, and what depends on logging in is blocked, not failed.
    """

    sentence: str
    breach: bool


@dataclass(frozen=True)
class Contact:
    """What first contact learned: the device's identity (when it tells it) and any auth problem."""

    device: dict[str, str] = field(default_factory=dict)
    auth_problem: AuthProblem | None = None


T = TypeVar("T")
_DIGEST_REQUIRED = ("realm", "nonce")
_SPOKEN = "Digest (MD5, SHA-256, with or without -sess) or Basic"


def _is_tls_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _send(url: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except httpx.TimeoutException:
        raise PreflightError(f"the target at {url} did not answer in time") from None
    except httpx.TransportError as exc:
        if _is_tls_failure(exc):
            raise PreflightError(
                f"TLS with the target at {url} failed ({exc}); pass --ca-file PATH to trust its CA, or --insecure"
            ) from None
        reason = str(exc) or type(exc).__name__
        raise PreflightError(f"cannot reach the target at {url}: {reason}") from None


def _answerable(challenge: Challenge) -> bool:
    if challenge.scheme == "basic":
        return True
    return (
        challenge.scheme == "digest"
        and all(challenge.params.get(name) for name in _DIGEST_REQUIRED)
        and challenge.algorithm in PREFERRED_ALGORITHMS
        and (not challenge.qops or "auth" in challenge.qops)
    )


def _malformed(challenge: Challenge) -> bool:
    return challenge.scheme == "digest" and not all(challenge.params.get(name) for name in _DIGEST_REQUIRED)


def _auth_problem(resp: ApiResponse) -> AuthProblem | None:
    """Why nobody could answer this 401, or None when one of its challenges can be answered."""
    where = f"{resp.exchange.method} {urlsplit(resp.exchange.url).path}"
    headers = resp.headers.get_list("www-authenticate")
    if not any(value.strip() for value in headers):
        return AuthProblem(f"{where} answered 401 without a WWW-Authenticate challenge", breach=True)
    challenges = parse_challenges(headers)
    if any(_answerable(c) for c in challenges):
        return None
    if not challenges or any(_malformed(c) for c in challenges):
        needs = " and ".join(f"a {name}" for name in _DIGEST_REQUIRED)
        return AuthProblem(
            f"{where} answered 401 with a malformed challenge (a Digest challenge needs {needs})", breach=True
        )
    offered = ", ".join(
        sorted({f"{c.scheme.capitalize()} {c.params.get('algorithm', '')}".strip() for c in challenges})
    )
    return AuthProblem(f"{where} offers only {offered}; paircert speaks {_SPOKEN}", breach=False)


class _Probe:
    """Each answer of first contact, checked for a 401 as it comes."""

    def __init__(self, base_url: str, admin: Credentials) -> None:
        self.base_url = base_url
        self.admin = admin
        self.auth_problem: AuthProblem | None = None

    def __call__(self, call: Callable[[], ApiResponse]) -> ApiResponse:
        resp = _send(self.base_url, call)
        if resp.status_code == 401:
            problem = _auth_problem(resp)
            if problem is None:  # the client answered a challenge it could answer: wrong credentials
                raise self.rejected()
            self.auth_problem = self.auth_problem or problem
        return resp

    def rejected(self) -> PreflightError:
        return PreflightError(
            f"the target at {self.base_url} rejected the admin credentials for user {self.admin.username!r} (HTTP 401)"
        )


def _answered(path: str, resp: ApiResponse) -> str:
    return f"{path} answered {resp.status_code}" + (" but not like the API" if resp.status_code == 200 else "")


def _not_axis(base_url: str, answers: list[str]) -> NotAnAxisDevice:
    listed = ", ".join(answers[:-1]) + " and " + answers[-1]
    return NotAnAxisDevice(f"{base_url} is not an Axis device: {listed}")


def preflight(
    base_url: str,
    admin: Credentials,
    *,
    verify: bool | str = True,
    timeout: float = DEFAULT_DEADLINE,
    transport: httpx.BaseTransport | None = None,
    traffic: Traffic | None = None,
    watcher: Watcher | None = None,
) -> Contact:
    """Check the target answers, speaks either API and lets the admin in; say what it told.

    Identity comes from basic device information (``ProdNbr``, ``ProdFullName``, ``Version``,
    ``SerialNumber`` ...). A device without that API is asked for the camera pairing root
    instead, just to see whether the credentials are accepted. ``traffic`` is the run's (its pace,
    timeout and retries); ``watcher`` sees every request preflight sends.
    """
    transcript = Transcript()
    if watcher is not None:
        transcript.watch(watcher)
    probe = _Probe(base_url, admin)
    with open_client(
        base_url, admin, verify=verify, timeout=timeout, transcript=transcript, transport=transport, traffic=traffic
    ) as http:
        discovery = DiscoveryClient(http, transcript)
        discover = probe(discovery.dca_discover)
        api_list = probe(discovery.api_list)
        speaks = (discover.status_code == 200 and isinstance(discover.json, dict)) or api_list.ok
        if probe.auth_problem is not None:  # behind a 401 nobody can answer, the APIs cannot show
            return Contact(auth_problem=probe.auth_problem)
        if not speaks:
            radar = RadarClient(http, transcript)
            if _send(base_url, radar.probe) is None:
                if any(status == 401 for _, status in radar.probed):
                    raise probe.rejected()
                statuses = " and ".join(sorted({str(status) for _, status in radar.probed}))
                answers = [_answered(DCA_DISCOVER_ROOT, discover), _answered(APIDISCOVERY_PATH, api_list)]
                raise _not_axis(base_url, [*answers, f"the radar CGI answered {statuses}"])
        info = probe(DeviceInfoClient(http, transcript).get_all_properties)
        properties = info.data.get("propertyList") if info.ok and isinstance(info.data, dict) else None
        if isinstance(properties, dict):
            return Contact(device={str(k): str(v) for k, v in properties.items()}, auth_problem=probe.auth_problem)
        probe(lambda: perform(http, transcript, "dca", "GET", API_ROOT))
    return Contact(auth_problem=probe.auth_problem)
