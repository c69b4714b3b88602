"""Who the run speaks as: one keep-alive client per identity, for httpx and for requests.

An identity is a role of the target (admin, operator, viewer), nobody (anonymous), or the admin
with a wrong password. Every exchange of every client goes to the run's transcript, and every
client sends through the run's one :class:`Traffic` (its pace, request timeout and retries).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Final, Literal

import httpx

from paircert.clients.http import Credentials, open_client
from paircert.clients.traffic import Traffic
from paircert.clients.transcript import Transcript
from paircert.plugin.target import Target

if TYPE_CHECKING:
    import requests

__all__ = ["ANONYMOUS", "IDENTITIES", "WRONG_PASSWORD", "Identities", "Identity"]

ANONYMOUS: Final = "anonymous"
WRONG_PASSWORD: Final = "wrong_password"
Identity = Literal["admin", "operator", "viewer", "anonymous", "wrong_password"]
IDENTITIES: dict[str, Identity] = {
    "admin": "admin",
    "operator": "operator",
    "viewer": "viewer",
    ANONYMOUS: "anonymous",
    WRONG_PASSWORD: "wrong_password",
}


class Identities:
    """The run's client pools; a role the run has no credentials for gives None (a blocked test)."""

    def __init__(self, target: Target, transcript: Transcript, traffic: Traffic) -> None:
        self._target = target
        self._transcript = transcript
        self._traffic = traffic
        self._clients: dict[Identity, httpx.Client] = {}
        self._sessions: dict[Identity, requests.Session] = {}

    def _credentials(self, identity: Identity) -> tuple[bool, Credentials | None]:
        """Whether the run can speak as ``identity``, and with which credentials (None: anonymous)."""
        target = self._target.start()
        if identity == "anonymous":
            return True, None
        if identity == "wrong_password":
            return True, Credentials(target.admin.username, "wrong-" + secrets.token_urlsafe(12))
        credentials = target.credentials(identity)
        return credentials is not None, credentials

    def client(self, identity: Identity) -> httpx.Client | None:
        """The keep-alive httpx client of ``identity``, or None when the run has no credentials for it."""
        if identity not in self._clients:
            known, credentials = self._credentials(identity)
            if not known:
                return None
            target = self._target.start()
            self._clients[identity] = open_client(
                target.base_url, credentials, verify=target.verify, transcript=self._transcript, traffic=self._traffic
            )
        return self._clients[identity]

    def requests_session(self, identity: Identity) -> requests.Session | None:
        """A keep-alive ``requests.Session`` for ``identity`` (schemathesis sends with one), or None.

        Its Digest answers come from :mod:`paircert.auth` and its exchanges go to the transcript.
        """
        from paircert.clients.requests_session import open_requests_session

        if identity not in self._sessions:
            known, credentials = self._credentials(identity)
            if not known:
                return None
            target = self._target.start()
            self._sessions[identity] = open_requests_session(
                credentials,
                verify=target.verify,
                transcript=self._transcript,
                traffic=self._traffic,
            )
        return self._sessions[identity]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
