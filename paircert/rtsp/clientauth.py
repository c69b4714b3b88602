"""The RTSP client's side of authentication, without I/O, on top of :mod:`paircert.auth`.

It decides which challenge to answer and when a retry can help; the hashing is the project's one
Digest implementation. After the first challenge the parameters are kept, so every later request
(SETUP, PLAY, keep-alives) is authorised up front with a rising ``nc``, as RTSP servers expect.
"""

from __future__ import annotations

from paircert.auth import Challenge, basic_authorization, digest_authorization, parse_challenges
from paircert.rtsp.message import Response

__all__ = ["ClientAuth"]


class ClientAuth:
    """Answers Digest (MD5 or SHA-256, with or without qop) or Basic challenges."""

    def __init__(self, username: str, password: str, *, prefer: tuple[str, ...] = ("SHA-256", "MD5")) -> None:
        self._username = username
        self._password = password
        self._prefer = prefer
        self._challenge: Challenge | None = None
        self._nc = 0

    def __repr__(self) -> str:
        return f"ClientAuth(username={self._username!r}, password=<redacted>)"

    @property
    def scheme(self) -> str | None:
        """The scheme in use (``digest`` or ``basic``) once a challenge was answered."""
        return None if self._challenge is None else self._challenge.scheme

    def authorization(self, method: str, uri: str) -> str | None:
        """The ``Authorization`` value for a request, or None before any challenge."""
        if self._challenge is None:
            return None
        if self._challenge.scheme == "basic":
            return basic_authorization(self._username, self._password)
        self._nc += 1
        return digest_authorization(
            self._challenge, username=self._username, password=self._password, method=method, uri=uri, nc=self._nc
        )

    def retry(self, response: Response, attempt: int) -> bool:
        """Take the challenge of a 401 answer; True when resending the request can succeed.

        The first 401 is always worth one answer; after that only ``stale=true`` (right
        credentials, old nonce) is, so wrong credentials cost exactly one round trip.
        """
        if response.status != 401 or attempt > 1:
            return False
        challenge = self._pick(parse_challenges(response.headers.get_all("WWW-Authenticate")))
        if challenge is None:
            return False
        stale = challenge.params.get("stale", "").lower() == "true"
        if attempt == 1 and not stale:
            return False
        self._challenge = challenge
        self._nc = 0
        return True

    def _pick(self, offered: list[Challenge]) -> Challenge | None:
        digests = {c.algorithm: c for c in offered if c.scheme == "digest"}
        for algorithm in self._prefer:
            if algorithm in digests:
                return digests[algorithm]
        return next((c for c in offered if c.scheme == "basic"), None)
