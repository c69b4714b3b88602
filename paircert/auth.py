"""HTTP authentication for every side of paircert: Digest (RFC 7616) and Basic (RFC 7617).

This is the one Digest implementation. The clients answer challenges with it (through
:class:`ClientAuth`, and :class:`HttpAuth`, an httpx auth flow that does no I/O of its own); every
server side of paircert (the emulator's middleware, the peers' HTTP, the RTSP server) offers
challenges and checks answers with :class:`ServerAuth`. Keeping both directions in one module
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
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from threading import Lock

import httpx

__all__ = [
    "PREFERRED_ALGORITHMS",
    "SCHEMES",
    "AuthResult",
    "Challenge",
    "ClientAuth",
    "HttpAuth",
    "ServerAuth",
    "basic_authorization",
    "digest_algorithms",
    "digest_authorization",
    "parse_authorization",
    "parse_challenges",
]

_HASHES: dict[str, Callable[[bytes], hashlib._Hash]] = {
    "MD5": hashlib.md5,
    "SHA-256": hashlib.sha256,
}

# What a client answers when a server offers several Digest algorithms: the strongest it knows.
PREFERRED_ALGORITHMS = ("SHA-256", "SHA-256-SESS", "MD5", "MD5-SESS")

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
    body: bytes = b"",
) -> str:
    ha1 = _h(algorithm, f"{username}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        ha1 = _h(algorithm, f"{ha1}:{nonce}:{cnonce}")
    if qop == "auth-int":
        body_hash = _HASHES[algorithm.upper().removesuffix("-SESS")](body).hexdigest()
        ha2 = _h(algorithm, f"{method}:{uri}:{body_hash}")
    else:
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
    body: bytes = b"",
) -> str:
    """Build the ``Authorization`` value that answers a Digest challenge.

    qop=auth is preferred; a server that offers only auth-int gets the body hashed in (RFC 7616
    §3.4.3), and one that offers no qop an RFC 2069 answer.
    """
    algorithm = challenge.algorithm
    if algorithm.removesuffix("-SESS") not in _HASHES:
        raise ValueError(f"unsupported Digest algorithm {algorithm!r}")
    qop = next((q for q in ("auth", "auth-int") if q in challenge.qops), None)
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
        body=body,
    )
    parts = [
        f'username="{username}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f"algorithm={challenge.params.get('algorithm', algorithm)}",
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
    must say ``stale=true`` and a client retries without asking its user again. ``scheme`` is the
    scheme the client answered with (None when it sent no credentials), for the servers' records.
    """

    username: str | None
    stale: bool = False
    reason: str = ""
    scheme: str | None = None

    @property
    def ok(self) -> bool:
        return self.username is not None


SCHEMES = ("digest", "basic")
# Upper-cased name -> the spelling RFC 7616 §6.1 registers, which is what a challenge carries.
_ALGORITHM_NAMES = {name.upper(): name for name in ("MD5", "MD5-sess", "SHA-256", "SHA-256-sess")}


def digest_algorithms(names: str | Iterable[str]) -> tuple[str, ...]:
    """Check and spell Digest algorithms the way challenges carry them.

    ``names`` is a sequence or a comma-separated list (``"SHA-256,MD5"``, as the command lines take
    it); case does not matter, order does (it is the offer order).
    """
    spelled: list[str] = []
    for name in names.split(",") if isinstance(names, str) else names:
        canonical = _ALGORITHM_NAMES.get(name.strip().upper())
        if canonical is None:
            raise ValueError(
                f"unsupported Digest algorithm {name!r}; choose from {', '.join(_ALGORITHM_NAMES.values())}"
            )
        if canonical in spelled:
            raise ValueError(f"Digest algorithm {canonical} given twice")
        spelled.append(canonical)
    if not spelled:
        raise ValueError("at least one Digest algorithm is needed")
    return tuple(spelled)


class ServerAuth:
    """The server's side of Digest and Basic, without I/O: what a 401 offers, and whether an answer is right.

    The emulator's middleware, the peers' HTTP and the RTSP server each hold one, so they offer
    and accept exactly the same things. ``schemes`` and ``algorithms`` are in offer order: many
    clients (Python's urllib among them) act on the first Digest challenge and speak only MD5,
    hence the default. Accepted answers are qop=auth and RFC 2069 ones without qop (live555 sends
    those; they carry no ``nc``, so only the nonce lifetime limits their replay).

    Nonces are self-validating (a timestamp signed with a per-instance key), so no table of issued
    nonces grows with traffic; a small bounded table of the highest ``nc`` seen per nonce and
    cnonce rejects replays.
    """

    def __init__(
        self,
        realm: str,
        users: Mapping[str, str],
        *,
        schemes: Sequence[str] = ("digest",),
        algorithms: Sequence[str] = ("MD5",),
        nonce_lifetime: float = 300.0,
        replay_window: int = 4096,
    ) -> None:
        unknown = [scheme for scheme in schemes if scheme not in SCHEMES]
        if unknown or not schemes or len(set(schemes)) != len(schemes):
            raise ValueError(f"unsupported authentication schemes {list(schemes)!r}; choose from {', '.join(SCHEMES)}")
        self.realm = realm
        self.schemes = tuple(schemes)
        self.algorithms = digest_algorithms(algorithms)
        self.nonce_lifetime = nonce_lifetime
        self._users = dict(users)
        self._key = os.urandom(32)
        self._opaque = os.urandom(12).hex()
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._replay_window = replay_window
        self._lock = Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(realm={self.realm!r}, schemes={self.schemes!r}, algorithms={self.algorithms!r})"

    def challenges(self, stale: bool = False) -> list[str]:
        """``WWW-Authenticate`` values in offer order: one Digest challenge per algorithm, then Basic."""
        values: list[str] = []
        for scheme in self.schemes:
            if scheme == "basic":
                values.append(f'Basic realm="{self.realm}", charset="UTF-8"')
                continue
            nonce = self._nonce()
            suffix = ", stale=true" if stale else ""
            values += [
                f'Digest realm="{self.realm}", qop="auth", algorithm={algorithm}, '
                f'nonce="{nonce}", opaque="{self._opaque}"{suffix}'
                for algorithm in self.algorithms
            ]
        return values

    def check(self, method: str, uri: str, header: str | None, *, reject: bool = False) -> AuthResult:
        """Check the ``Authorization`` value of a request whose target (HTTP) or request-URI (RTSP) is ``uri``.

        ``reject`` is the servers' "reject credentials" fault: the answer is judged wrong whatever
        it holds, after its scheme was noted.
        """
        if not header or not header.strip():
            return AuthResult(None, reason="no credentials")
        parsed = parse_authorization(header)
        scheme = parsed.scheme if parsed is not None else None
        if parsed is None or parsed.scheme not in self.schemes:
            return AuthResult(None, reason="scheme not offered", scheme=scheme)
        if reject:
            return AuthResult(None, reason="rejected (fault)", scheme=scheme)
        if parsed.scheme == "basic":
            return self._check_basic(parsed.params["token"])
        return self._check_digest(method, uri, parsed.params)

    def _check_basic(self, token: str) -> AuthResult:
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return AuthResult(None, reason="malformed Basic token", scheme="basic")
        username, sep, password = decoded.partition(":")
        expected = self._users.get(username) if sep else None
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            return AuthResult(None, reason="wrong credentials", scheme="basic")
        return AuthResult(username, scheme="basic")

    def _check_digest(self, method: str, uri: str, p: dict[str, str]) -> AuthResult:
        def refuse(reason: str, stale: bool = False) -> AuthResult:
            return AuthResult(None, stale=stale, reason=reason, scheme="digest")

        username, nonce, answer = p.get("username"), p.get("nonce"), p.get("response")
        if not (username and nonce and answer and "uri" in p):
            return refuse("Digest answer lacks a field")
        if p["uri"] != uri:
            return refuse("Digest uri does not match the request")
        algorithm = _ALGORITHM_NAMES.get(p.get("algorithm", "MD5").upper())
        if algorithm not in self.algorithms:
            return refuse("algorithm not offered")
        if p.get("realm") != self.realm:
            return refuse("wrong realm")
        qop, nc, cnonce = p.get("qop"), p.get("nc", ""), p.get("cnonce", "")
        if qop is not None and qop != "auth":
            return refuse("qop must be auth (or absent, RFC 2069)")
        password = self._users.get(username)
        if password is None:
            return refuse("unknown user")
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
            return refuse("wrong response")
        age = self._nonce_age(nonce)
        if age is None:
            return refuse("nonce not issued here")
        if age > self.nonce_lifetime:
            return refuse("nonce expired", stale=True)
        if qop is not None:
            try:
                count = int(nc, 16)
            except ValueError:
                return refuse("bad nc")
            if not self._fresh(f"{nonce}:{cnonce}", count):
                return refuse("replayed nc")
        return AuthResult(username, scheme="digest")

    def _fresh(self, key: str, count: int) -> bool:
        with self._lock:
            if count <= self._seen.get(key, 0):
                return False
            self._seen[key] = count
            self._seen.move_to_end(key)
            while len(self._seen) > self._replay_window:
                self._seen.popitem(last=False)
        return True

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


class ClientAuth:
    """The client's side of a challenge exchange, without I/O: which challenge to answer, when.

    HTTP (:class:`HttpAuth`) and RTSP (``paircert.rtsp.client``) share it. After the first
    challenge its parameters are kept, so every later request is authorised up front with a rising
    ``nc`` instead of paying a 401 round trip each. The first 401 is always worth one answer; after
    that only ``stale=true`` (right credentials, old nonce) is, so wrong credentials cost exactly
    one retry.
    """

    def __init__(self, username: str, password: str, *, prefer: tuple[str, ...] = PREFERRED_ALGORITHMS) -> None:
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

    def authorization(self, method: str, uri: str, body: bytes = b"") -> str | None:
        """The ``Authorization`` value for a request, or None before any challenge.

        ``body`` matters only to a server that asks for qop=auth-int.
        """
        with self._lock:
            challenge = self._challenge
            if challenge is None:
                return None
            if challenge.scheme == "basic":
                return basic_authorization(self._username, self._password)
            self._nc += 1
            nc = self._nc
        return digest_authorization(
            challenge, username=self._username, password=self._password, method=method, uri=uri, nc=nc, body=body
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

    requires_request_body = True  # a qop=auth-int answer hashes the body

    def __init__(self, username: str, password: str, *, prefer: tuple[str, ...] = PREFERRED_ALGORITHMS) -> None:
        self._client = ClientAuth(username, password, prefer=prefer)

    def __repr__(self) -> str:
        return repr(self._client).replace("ClientAuth", "HttpAuth", 1)

    def _authorize(self, request: httpx.Request) -> None:
        header = self._client.authorization(request.method, request.url.raw_path.decode("ascii"), request.content)
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
