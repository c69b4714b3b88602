"""ASGI middleware that authenticates every request with the one Digest/Basic implementation.

It answers wrong or missing credentials itself (401 with ``WWW-Authenticate`` in the envelope of
the API behind the path) and hands the authenticated :class:`User` to the app in the scope.
Authorisation is the API modules' business (the radar CGI decides per JSON method), so they read
the user with :func:`current_user`. Paths in ``open_paths`` may be called without credentials
(device info answers some methods anonymously); the handler then asks for credentials itself
through :func:`unauthorized`. An anonymous empty POST to them is challenged here when
``challenge_empty_posts`` (the reference choice), else the CGI answers it. The checks themselves are :class:`~paircert.auth.ServerAuth`'s,
one per scheme family (``http`` and ``https`` may offer different schemes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..auth import ServerAuth
from ..vapix.paths import CAMERA_API_ROOT
from .config import AuthMode, Role, User
from .envelopes import error_response, family_of
from .faults import NO_FAULTS, FaultSet

__all__ = ["REALM", "AuthMiddleware", "current_user", "has_role", "unauthorized"]

REALM = "AXIS_paircert-emulator"

_USER_KEY = "paircert.user"
_CHALLENGE_KEY = "paircert.challenges"
_SCHEMES: dict[AuthMode, tuple[str, ...]] = {"digest": ("digest",), "basic": ("basic",), "both": ("digest", "basic")}

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
        challenge_empty_posts: bool = True,
        digest_algorithms: tuple[str, ...] = ("MD5",),
        faults: FaultSet = NO_FAULTS,
    ) -> None:
        self.app = app
        self.faults = faults
        self.users = {user.name: user for user in users}
        passwords = {user.name: user.password for user in self.users.values()}
        self.auth = {
            scheme: ServerAuth(REALM, passwords, schemes=_SCHEMES[mode], algorithms=digest_algorithms)
            for scheme, mode in (("http", auth_http), ("https", auth_https))
        }
        self.radar_version = radar_version
        self.open_paths = frozenset(open_paths)
        self.challenge_empty_posts = challenge_empty_posts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        auth = self.auth.get(scope.get("scheme", "http"), self.auth["http"])
        header = Headers(scope=scope).get("authorization")
        user: User | None = None
        if header:
            result = auth.check(scope["method"], _target(scope), header)
            user = self.users.get(result.username) if result.username else None
            if user is None:
                wrong = not result.stale and self.faults.active("wrong-password-403")
                await self._reject(scope, auth, result.stale, receive, send, forbid=wrong)
                return
        elif scope["path"] not in self.open_paths or (self.challenge_empty_posts and _empty_post(scope)):
            await self._reject(scope, auth, False, receive, send, forbid=self._forbids_anonymous(scope["path"]))
            return
        scope[_USER_KEY] = user
        scope[_CHALLENGE_KEY] = auth.challenges
        await self.app(scope, receive, send)

    def _forbids_anonymous(self, path: str) -> bool:
        """Whether a fault answers an anonymous request to ``path`` with 403 instead of 401."""
        if path.startswith(CAMERA_API_ROOT) and self.faults.active("anonymous-gets-403"):
            return True
        return family_of(path) == "radar" and self.faults.active("radar-unauthenticated-403")

    async def _reject(
        self, scope: Scope, auth: ServerAuth, stale: bool, receive: Receive, send: Send, *, forbid: bool = False
    ) -> None:
        """401 with the challenges; ``forbid`` (a fault) answers 403 without any."""
        if forbid:
            await error_response(scope["path"], 403, radar_version=self.radar_version)(scope, receive, send)
            return
        response = error_response(scope["path"], 401, radar_version=self.radar_version)
        challenges = auth.challenges(stale)
        if self.faults.active("no-challenge"):
            challenges = []
        elif self.faults.active("malformed-challenge"):
            challenges = ["Digest"]
        await _with_challenges(response, challenges)(scope, receive, send)


def _empty_post(scope: Scope) -> bool:
    """An anonymous POST without a body names no method an open CGI could answer anonymously.

    It is how a careful client asks for the challenge before it sends the body (``curl --digest``
    does), so it gets the challenge rather than "Invalid JSON".
    """
    if scope["method"] != "POST":
        return False
    headers = Headers(scope=scope)
    length = headers.get("content-length")
    return length == "0" or (length is None and "transfer-encoding" not in headers)


def _target(scope: Scope) -> str:
    """The request-target as the client wrote it, which is what a Digest ``uri`` must repeat."""
    target: str = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
    if scope.get("query_string"):
        target += "?" + scope["query_string"].decode("latin-1")
    return target
