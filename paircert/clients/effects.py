"""Which requests can change a device's state: the one rule the read-only proof and the retries use.

A read-only run must be able to show, from its transcript alone, that it never asked the device to
change anything; a retry must never send a state-changing request twice. Both need the same
answer to "could this request change state?", so it is decided here, once, from what went on the
wire: the HTTP method, the path and the body.

- DCA (``/config/...``): HTTP semantics. GET, HEAD and OPTIONS read; POST (add), PUT and PATCH
  (set), DELETE (remove) and any other method change state (PROTOCOL-NOTES §1).
- JSON CGIs (``*.cgi``, the radar pairing API among them): POST with the method named in the body.
  A method whose name starts with ``get`` reads (getRadarConnection, getActive,
  getSupportedVersions, getAllProperties, getApiList); every other method, a name nobody
  documents, or a body no CGI can read a method from counts as changing (PROTOCOL-NOTES §2).
  A GET with a query string counts as changing too: classic VAPIX CGIs act on GET parameters.
- Anything else: GET, HEAD and OPTIONS read; other methods count as changing.

Counting the unknown as changing keeps the proof sound: a read-only run that sends something this
module cannot vouch for fails loudly instead of passing on a guess.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["StateAudit", "cgi_method", "changes_state", "describe"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READING_PREFIX = "get"
_LISTED = 20
"""How many state-changing requests a :class:`StateAudit` names; it counts them all."""


def _is_cgi(path: str) -> bool:
    return path.rstrip("/").endswith(".cgi")


def cgi_method(body: str | bytes | None) -> str | None:
    """The JSON CGI method a request body names, or None when it names none a CGI could act on."""
    if not body:
        return None
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        return None
    method = envelope.get("method") if isinstance(envelope, dict) else None
    return method if isinstance(method, str) else None


def changes_state(method: str, path: str, body: str | bytes | None = None) -> bool:
    """Whether a request could change the device's state (True whenever that cannot be ruled out).

    ``path`` may be a whole URL; its query string counts (a CGI GET with parameters may act).
    """
    verb = method.upper()
    parts = urlsplit(path)
    if _is_cgi(parts.path):
        if verb in _SAFE_METHODS:
            return bool(parts.query)
        if verb != "POST":
            return True
        named = cgi_method(body)
        return named is None or not named.startswith(_READING_PREFIX)
    return verb not in _SAFE_METHODS


def describe(method: str, path: str, body: str | bytes | None = None) -> str:
    """A request in a few words for a report: ``POST /axis-cgi/networkradarpairing.cgi (setActive)``."""
    text = f"{method.upper()} {urlsplit(path).path or '/'}"
    if _is_cgi(urlsplit(path).path) and method.upper() == "POST":
        named = cgi_method(body)
        text += f" ({named})" if named is not None else " (no method named)"
    return text


@dataclass
class StateAudit:
    """Every request of a run, classified as it is recorded: the evidence of a read-only run.

    ``changing`` names the first state-changing requests (with the test that sent them); the
    count covers all of them.
    """

    requests: int = 0
    changing_count: int = 0
    changing: list[str] = field(default_factory=list)

    def note(self, method: str, url: str, body: str | bytes | None, sender: str | None = None) -> None:
        self.requests += 1
        if not changes_state(method, url, body):
            return
        self.changing_count += 1
        if len(self.changing) < _LISTED:
            self.changing.append(describe(method, url, body) + (f" in {sender}" if sender else ""))

    @property
    def clean(self) -> bool:
        return self.changing_count == 0

    def statement(self) -> str:
        """One sentence for the report: what the transcript shows."""
        plural = "s" if self.requests != 1 else ""
        if self.clean:
            return f"read-only: {self.requests} request{plural}, none changes state"
        first = "; ".join(self.changing[:3])
        return (
            f"read-only run sent {self.changing_count} state-changing request"
            f"{'s' if self.changing_count != 1 else ''} of {self.requests}: {first} (a suite bug)"
        )
