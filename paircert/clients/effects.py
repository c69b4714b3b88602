"""Which requests can change a device's state: the one rule the read-only proof and the retries use.

A read-only run must be able to show, from its transcript alone, that it never asked the device to
change anything; a retry must never send a state-changing request twice. Both need the same
answer to "could this request change state?", so it is decided here, once, from what went on the
wire: the HTTP method, the path and the body.

- DCA (``/config/...``): HTTP semantics. GET, HEAD and OPTIONS read; POST (add), PUT and PATCH
  (set), DELETE (remove) and any other method change state (PROTOCOL-NOTES §1).
- JSON CGIs (``*.cgi``, the radar pairing API among them): the body names the method, whatever
  the HTTP method (a device that ignores a wrong one still reads the body). A method whose name
  starts with ``get`` reads (getRadarConnection, getActive, getSupportedVersions,
  getAllProperties, getApiList); every other name, documented (set*, clearConfiguration) or not,
  counts as changing (PROTOCOL-NOTES §2). Every ``method`` a lenient parser could find counts, in
  a body that is not JSON too (``method=setActive``, ``{'method': 'setActive'}``); a body that
  names no method at all gives a CGI nothing to act on. A GET with a query string counts as
  changing: classic VAPIX CGIs act on GET parameters.
- Anything else: GET, HEAD and OPTIONS read; other methods count as changing.

Counting the unknown as changing keeps the proof sound: a read-only run that sends something this
module cannot vouch for fails loudly instead of passing on a guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["StateAudit", "cgi_methods", "changes_state", "describe"]

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READING_PREFIX = "get"
# "method" as a key or a form field, then its value: quoted or not, in brackets or not.
_METHOD_TEXT = re.compile(r"""method["']?\s*[:=][\s\[\("']*([A-Za-z_][A-Za-z0-9_.-]*)""", re.IGNORECASE)
_LISTED = 20
"""How many state-changing requests a :class:`StateAudit` names; it counts them all."""


def _is_cgi(path: str) -> bool:
    return path.rstrip("/").endswith(".cgi")


def cgi_methods(body: str | bytes | None) -> list[str]:
    """Every JSON CGI method a request body could be read as naming (the envelope's first)."""
    if not body:
        return []
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    names = []
    try:
        envelope = json.loads(text)
    except (ValueError, RecursionError):
        envelope = None
    if isinstance(envelope, dict) and isinstance(envelope.get("method"), str):
        names.append(envelope["method"])
    return names + [name for name in _METHOD_TEXT.findall(text) if name not in names]


def changes_state(method: str, path: str, body: str | bytes | None = None) -> bool:
    """Whether a request could change the device's state (True whenever that cannot be ruled out).

    ``path`` may be a whole URL; its query string counts (a CGI GET with parameters may act).
    """
    verb = method.upper()
    parts = urlsplit(path)
    if not _is_cgi(parts.path):
        return verb not in _SAFE_METHODS
    if verb in _SAFE_METHODS:
        return bool(parts.query)
    return any(not name.startswith(_READING_PREFIX) for name in cgi_methods(body))


def describe(method: str, path: str, body: str | bytes | None = None) -> str:
    """A request in a few words for a report: ``POST /axis-cgi/networkradarpairing.cgi (setActive)``."""
    parts = urlsplit(path)
    text = f"{method.upper()} {parts.path or '/'}"
    names = cgi_methods(body) if _is_cgi(parts.path) else []
    return text + (f" ({', '.join(names)})" if names else "")


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
