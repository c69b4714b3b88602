"""ASGI middleware that authenticates every request with the one Digest/Basic implementation.

It answers wrong or missing credentials itself (401 with ``WWW-Authenticate`` in the envelope of
the API behind the path) and hands the authenticated :class:`User` to the app in the scope.
Authorisation is the API modules' business (the radar CGI decides per JSON method), so they read
the user with :func:`current_user`. Paths in ``open_paths`` may be called without credentials
(device info answers some methods anonymously); the handler then asks for credentials itself
through :func:`unauthorized`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..auth import AuthResult, BasicVerifier, DigestVerifier, parse_authorization
from .config import AuthMode, Role, User
from .envelopes import error_response

__all__ = ["REALM", "AuthMiddleware", "current_user", "has_role", "unauthorized"]

REALM = "AXIS_paircert-emulator"

_USER_KEY = "paircert.user"
_CHALLENGE_KEY = "paircert.challenges"

Render = Callable[[str, int], Response]


def current_user(scope: Scope) -> User | None:
    user = scope.get(_USER_KEY)
    return user if isinstance(user, User) else None


def has_role(scope: Scope, roles: Iterable[Role]) -> bool:
    user = current_user(scope)
    return user is not None and user.role in tuple(roles)


def _with_challenges(response: Response, challenges: list[str]) -> Response:
    for value in challenges:
        response.raw_headers.append((b"www-authenticate", value.encode("latin-1")))
    return response


def unauthorized(scope: Scope, response: Response) -> Response:
    """Add this server's challenges to a 401 the handler built in its own envelope."""
    challenges: Callable[[], list[str]] = scope[_CHALLENGE_KEY]
    return _with_challenges(response, challenges())


class AuthMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        users: Iterable[User],
        auth_http: AuthMode,
        auth_https: AuthMode,
        radar_version: str,
        open_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.users = {user.name: user for user in users}
        self.modes = {"http": auth_http, "https": auth_https}
        self.radar_version = radar_version
        self.open_paths = frozenset(open_paths)
        self.digest = DigestVerifier(REALM)
        self.basic = BasicVerifier(REALM)

    def _lookup(self, name: str) -> str | None:
        user = self.users.get(name)
        return user.password if user else None

    def _challenges(self, mode: AuthMode, stale: bool = False) -> list[str]:
        values: list[str] = []
        if mode in ("digest", "both"):
            values += self.digest.challenges(stale=stale)
        if mode in ("basic", "both"):
            values += self.basic.challenges()
        return values

    def _verify(self, scope: Scope, mode: AuthMode, header: str) -> AuthResult:
        scheme = header.strip().partition(" ")[0].lower()
        if scheme == "basic" and mode in ("basic", "both"):
            return self.basic.verify(header, self._lookup)
        if scheme == "digest" and mode in ("digest", "both"):
            parsed = parse_authorization(header)
            target = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            if parsed is None or parsed.params.get("uri") != target:
                return AuthResult(None, reason="Digest uri does not match the request")
            return self.digest.verify(scope["method"], header, self._lookup)
        return AuthResult(None, reason="scheme not offered")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        mode: AuthMode = self.modes.get(scope.get("scheme", "http"), self.modes["http"])
        header = Headers(scope=scope).get("authorization")
        user: User | None = None
        if header:
            result = self._verify(scope, mode, header)
            user = self.users.get(result.username) if result.username else None
            if user is None:
                await self._reject(scope, mode, result.stale, receive, send)
                return
        elif scope["path"] not in self.open_paths:
            await self._reject(scope, mode, False, receive, send)
            return
        scope[_USER_KEY] = user
        scope[_CHALLENGE_KEY] = lambda: self._challenges(mode)
        await self.app(scope, receive, send)

    async def _reject(self, scope: Scope, mode: AuthMode, stale: bool, receive: Receive, send: Send) -> None:
        response = error_response(scope["path"], 401, radar_version=self.radar_version)
        await _with_challenges(response, self._challenges(mode, stale))(scope, receive, send)
