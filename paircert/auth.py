"""HTTP authentication for every side of paircert: Digest (RFC 7616) and Basic (RFC 7617).

This is the one Digest implementation. The clients answer challenges with it (through
:class:`HttpAuth`, an httpx auth flow that does no I/O of its own), the emulator's middleware and
the RTSP server verify with :class:`DigestVerifier`, and the RTSP client builds its
``Authorization`` headers with :func:`digest_authorization`. Keeping both directions in one module
means a bug in the hash chain shows up as an interop failure with real devices, not as two
mistakes that cancel out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from threading import Lock

import httpx

__all__ = [
    "AuthResult",
    "BasicVerifier",
    "Challenge",
    "ClientAuth",
    "DigestVerifier",
    "HttpAuth",
    "basic_authorization",
    "digest_authorization",
    "parse_authorization",
    "parse_challenges",
]

_HASHES: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "MD5": hashlib.md5,
    "SHA-256": hashlib.sha256,
}

# auth-param = token "=" ( token / quoted-string ); quoted strings may hold escaped characters.
_PARAM = re.compile(r'\s*([A-Za-z0-9_\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?')


@dataclass(frozen=True)
class Challenge:
    """One parsed ``WWW-Authenticate`` challenge (scheme plus its parameters, lower-cased keys)."""

    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def algorithm(self) -> str:
        return self.params.get("algorithm", "MD5").upper()

    @property
    def qops(self) -> list[str]:
        return [q.strip() for q in self.params.get("qop", "").split(",") if q.strip()]


def _split_params(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in _PARAM.finditer(text):
        key, value = match.group(1).lower(), match.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[key] = value
    return params


def parse_challenges(headers: Iterable[str]) -> list[Challenge]:
    """Parse every challenge in the given ``WWW-Authenticate`` header values.

    Servers send one header per scheme or several schemes in one header; both forms are read.
    """
    challenges: list[Challenge] = []
    for header in headers:
        # A new challenge starts where a bare token is followed by a space and a param or EOS.
        for part in re.split(r",\s*(?=[A-Za-z][A-Za-z0-9_\-]*\s+[A-Za-z0-9_\-]+\s*=)", header):
            part = part.strip()
            if not part:
                continue
            scheme, _, rest = part.partition(" ")
            challenges.append(Challenge(scheme.lower(), _split_params(rest)))
    return challenges


def parse_authorization(header: str) -> Challenge | None:
    """Parse an ``Authorization`` header into scheme and parameters (Basic keeps its token)."""
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    if scheme.lower() == "basic":
        return Challenge("basic", {"token": rest.strip()})
    return Challenge(scheme.lower(), _split_params(rest))


def _h(algorithm: str, text: str) -> str:
    base = algorithm.upper().removesuffix("-SESS")
    return _HASHES[base](text.encode("utf-8")).hexdigest()


def _response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None,
    nc: str,
    cnonce: str,
) -> str:
    ha1 = _h(algorithm, f"{username}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        ha1 = _h(algorithm, f"{ha1}:{nonce}:{cnonce}")
    ha2 = _h(algorithm, f"{method}:{uri}")
    if qop:
        return _h(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _h(algorithm, f"{ha1}:{nonce}:{ha2}")


def digest_authorization(
    challenge: Challenge,
    *,
    username: str,
    password: str,
    method: str,
    uri: str,
    nc: int = 1,
    cnonce: str | None = None,
) -> str:
    """Build the ``Authorization`` value that answers a Digest challenge (qop=auth or none)."""
    algorithm = challenge.algorithm
    if algorithm.removesuffix("-SESS") not in _HASHES:
        raise ValueError(f"unsupported Digest algorithm {algorithm!r}")
    qop = "auth" if "auth" in challenge.qops else None
    if challenge.qops and qop is None:
        raise ValueError(f"unsupported Digest qop {challenge.params.get('qop')!r}")
    cnonce = cnonce or os.urandom(16).hex()
    nc_text = f"{nc:08x}"
    realm = challenge.params.get("realm", "")
    nonce = challenge.params.get("nonce", "")
    response = _response(
        algorithm=algorithm,
        username=username,
        realm=realm,
        password=password,
        nonce=nonce,
        method=method,
        uri=uri,
        qop=qop,
        nc=nc_text,
        cnonce=cnonce,
    )
    parts = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f"algorithm={algorithm}",
        f'response="{response}"',
    ]
    if "opaque" in challenge.params:
        parts.append(f'opaque="{challenge.params["opaque"]}"')
    if qop:
        parts += [f"qop={qop}", f"nc={nc_text}", f'cnonce="{cnonce}"']
    return "Digest " + ", ".join(parts)


def basic_authorization(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


@dataclass(frozen=True)
class AuthResult:
    """Outcome of checking an ``Authorization`` header.

    ``stale`` is true when the credentials were right but the nonce expired, so the challenge
    must say ``stale=true`` and a client retries without asking its user again.
    """

    username: str | None
    stale: bool = False
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.username is not None


PasswordLookup = Callable[[str], "str | None"]


class DigestVerifier:
    """Server side of Digest: issues challenges and checks answers.

    Nonces are self-validating (a timestamp signed with a per-process key), so no table of issued
    nonces grows with traffic; a small bounded table of the highest ``nc`` seen per nonce rejects
    replays.
    """

    def __init__(
        self,
        realm: str,
        *,
        algorithms: tuple[str, ...] = ("SHA-256", "MD5"),
        nonce_lifetime: float = 300.0,
        replay_window: int = 4096,
    ) -> None:
        for algorithm in algorithms:
            if algorithm not in _HASHES:
                raise ValueError(f"unsupported Digest algorithm {algorithm!r}")
        self.realm = realm
        self.algorithms = algorithms
        self.nonce_lifetime = nonce_lifetime
        self._key = os.urandom(32)
        self._opaque = os.urandom(12).hex()
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._replay_window = replay_window
        self._lock = Lock()

    def _nonce(self, issued: int | None = None) -> str:
        stamp = str(issued if issued is not None else int(time.time())).encode()
        mac = hmac.new(self._key, stamp, hashlib.sha256).digest()[:18]
        return base64.b64encode(stamp + b":" + mac).decode("ascii")

    def _nonce_age(self, nonce: str) -> float | None:
        try:
            raw = base64.b64decode(nonce.encode("ascii"), validate=True)
            stamp, _, _ = raw.partition(b":")
            issued = int(stamp)
        except (ValueError, UnicodeEncodeError):
            return None
        if not hmac.compare_digest(self._nonce(issued), nonce):
            return None
        return time.time() - issued

    def challenges(self, *, stale: bool = False) -> list[str]:
        """``WWW-Authenticate`` values, one per algorithm, strongest first (RFC 7616 §3.7)."""
        nonce = self._nonce()
        suffix = ", stale=true" if stale else ""
        return [
            f'Digest realm="{self.realm}", qop="auth", algorithm={algorithm}, '
            f'nonce="{nonce}", opaque="{self._opaque}"{suffix}'
            for algorithm in self.algorithms
        ]

    def verify(self, method: str, header: str, lookup: PasswordLookup) -> AuthResult:
        parsed = parse_authorization(header)
        if parsed is None or parsed.scheme != "digest":
            return AuthResult(None, reason="not a Digest answer")
        p = parsed.params
        username, nonce, uri, answer = p.get("username"), p.get("nonce"), p.get("uri"), p.get("response")
        if not (username and nonce and uri and answer):
            return AuthResult(None, reason="Digest answer lacks a field")
        algorithm = p.get("algorithm", "MD5").upper()
        if algorithm not in self.algorithms:
            return AuthResult(None, reason=f"algorithm {algorithm} not offered")
        if p.get("realm") != self.realm:
            return AuthResult(None, reason="wrong realm")
        qop, nc, cnonce = p.get("qop"), p.get("nc", ""), p.get("cnonce", "")
        if qop != "auth":
            return AuthResult(None, reason="qop=auth is required")
        password = lookup(username)
        if password is None:
            return AuthResult(None, reason="unknown user")
        expected = _response(
            algorithm=algorithm,
            username=username,
            realm=self.realm,
            password=password,
            nonce=nonce,
            method=method,
            uri=uri,
            qop=qop,
            nc=nc,
            cnonce=cnonce,
        )
        if not hmac.compare_digest(expected, answer.lower()):
            return AuthResult(None, reason="wrong response")
        age = self._nonce_age(nonce)
        if age is None:
            return AuthResult(None, reason="nonce not issued here")
        if age > self.nonce_lifetime:
            return AuthResult(None, stale=True, reason="nonce expired")
        try:
            count = int(nc, 16)
        except ValueError:
            return AuthResult(None, reason="bad nc")
        with self._lock:
            key = f"{nonce}:{cnonce}"
            if count <= self._seen.get(key, 0):
                return AuthResult(None, reason="replayed nc")
            self._seen[key] = count
            self._seen.move_to_end(key)
            while len(self._seen) > self._replay_window:
                self._seen.popitem(last=False)
        return AuthResult(username)


class BasicVerifier:
    """Server side of Basic: one challenge, constant-time password comparison."""

    def __init__(self, realm: str) -> None:
        self.realm = realm

    def challenges(self) -> list[str]:
        return [f'Basic realm="{self.realm}", charset="UTF-8"']

    def verify(self, header: str, lookup: PasswordLookup) -> AuthResult:
        parsed = parse_authorization(header)
        if parsed is None or parsed.scheme != "basic":
            return AuthResult(None, reason="not a Basic answer")
        try:
            decoded = base64.b64decode(parsed.params["token"], validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return AuthResult(None, reason="malformed Basic token")
        username, sep, password = decoded.partition(":")
        expected = lookup(username) if sep else None
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return AuthResult(None, reason="wrong credentials")
        return AuthResult(username)


class ClientAuth:
    """The client's side of a challenge exchange, without I/O: which challenge to answer, when.

    HTTP (:class:`HttpAuth`) and RTSP (``paircert.rtsp.client``) share it. After the first
    challenge its parameters are kept, so every later request is authorised up front with a rising
    ``nc`` instead of paying a 401 round trip each. The first 401 is always worth one answer; after
    that only ``stale=true`` (right credentials, old nonce) is, so wrong credentials cost exactly
    one retry.
    """

    def __init__(self, username: str, password: str, *, prefer: tuple[str, ...] = ("SHA-256", "MD5")) -> None:
        self._username = username
        self._password = password
        self._prefer = prefer
        self._challenge: Challenge | None = None
        self._nc = 0
        self._lock = Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(username={self._username!r}, password=<redacted>)"

    @property
    def scheme(self) -> str | None:
        """The scheme in use (``digest`` or ``basic``) once a challenge was answered."""
        return None if self._challenge is None else self._challenge.scheme

    def authorization(self, method: str, uri: str) -> str | None:
        """The ``Authorization`` value for a request, or None before any challenge."""
        with self._lock:
            challenge = self._challenge
            if challenge is None:
                return None
            if challenge.scheme == "basic":
                return basic_authorization(self._username, self._password)
            self._nc += 1
            nc = self._nc
        return digest_authorization(
            challenge, username=self._username, password=self._password, method=method, uri=uri, nc=nc
        )

    def retry(self, status: int, challenges: Iterable[str], attempt: int) -> bool:
        """Take the challenge of a 401 answer; True when resending the request can succeed."""
        if status != 401 or attempt > 1:
            return False
        challenge = self._pick(parse_challenges(challenges))
        if challenge is None:
            return False
        if attempt == 1 and challenge.params.get("stale", "").lower() != "true":
            return False
        with self._lock:
            self._challenge = challenge
            self._nc = 0
        return True

    def _pick(self, offered: list[Challenge]) -> Challenge | None:
        digests = {c.algorithm: c for c in offered if c.scheme == "digest"}
        for algorithm in self._prefer:
            if algorithm in digests:
                return digests[algorithm]
        return next((c for c in offered if c.scheme == "basic"), None)


class HttpAuth(httpx.Auth):
    """httpx auth flow that answers whichever of Digest or Basic the server asks for."""

    def __init__(self, username: str, password: str, *, prefer: tuple[str, ...] = ("SHA-256", "MD5")) -> None:
        self._client = ClientAuth(username, password, prefer=prefer)

    def __repr__(self) -> str:
        return repr(self._client).replace("ClientAuth", "HttpAuth", 1)

    def _authorize(self, request: httpx.Request) -> None:
        header = self._client.authorization(request.method, request.url.raw_path.decode("ascii"))
        if header is not None:
            request.headers["Authorization"] = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._authorize(request)
        response = yield request
        attempt = 0
        while self._client.retry(response.status_code, response.headers.get_list("www-authenticate"), attempt):
            attempt += 1
            self._authorize(request)
            response = yield request
