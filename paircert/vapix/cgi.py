"""The VAPIX JSON-CGI envelope, sans-I/O: one dispatcher for every JSON CGI a simulated device serves.

The emulator's Starlette apps (radar pairing, basic device info, API discovery) and the peers' h11
server hand it the HTTP method and the body bytes; it answers with a :class:`CgiCall` to run or a
finished :class:`CgiResult`, and turns the handler's data or :class:`CgiError` into the response
envelope. Handlers may be async in one shell and plain in the other, so running them is the
shell's job: :meth:`JsonCgi.receive`, then :meth:`JsonCgi.success` or :meth:`JsonCgi.failure`.

Axis JSON CGIs answer API-level errors with HTTP 200 and transport errors with their own HTTP
status; the codes and messages come from the radar pairing catalogue (the general VAPIX table),
never retyped. Where the documents are silent (is a malformed ``apiVersion`` echoed back, does
``getSupportedVersions`` check the request's version) the caller's :class:`CgiChoices` decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from paircert import schemas

from .body import BodyError, BodyLimits, parse_json

__all__ = [
    "DISCOVERY_METHOD",
    "UNSET",
    "Authorize",
    "CgiCall",
    "CgiChoices",
    "CgiError",
    "CgiResult",
    "JsonCgi",
    "envelope",
    "message",
    "supported_versions",
    "transport_code",
]

DISCOVERY_METHOD = "getSupportedVersions"
JSON_CONTENT_TYPE = "application/json"
UNSET: Any = object()
"""A member the request did not send, so the answer leaves it out (``None`` would echo ``null``)."""

Authorize = Callable[[str], int | None]
"""Given a method name, the HTTP status (401, 403) that refuses this caller, or None."""

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)")
_MAJOR_DIGITS = 9
_TRANSPORT_FALLBACK = 2107


@cache
def _table() -> Mapping[int, schemas.ErrorEntry]:
    return schemas.catalogue("radar-pairing")


def message(code: int) -> str:
    """The catalogue's message for ``code``."""
    return _table()[code].message


def transport_code(status: int) -> int:
    """The catalogue's code for a transport-level HTTP status; 2107 for one the table does not list."""
    for entry in _table().values():
        if status in entry.http_statuses:
            return entry.code
    return _TRANSPORT_FALLBACK


def supported_versions(versions: Sequence[str]) -> dict[int, int]:
    """Highest supported minor per supported major."""
    best: dict[int, int] = {}
    for text in versions:
        match = _VERSION.fullmatch(text)
        if match is None:
            raise ValueError(f"API version {text!r} is not <major>.<minor>")
        major, minor = int(match.group(1)), int(match.group(2))
        best[major] = max(minor, best.get(major, minor))
    if not best:
        raise ValueError("a JSON CGI supports at least one API version")
    return best


def envelope(
    api_version: str, *, context: Any = UNSET, method: Any = UNSET, data: Any = UNSET, error: int | None = None
) -> dict[str, Any]:
    """The response envelope; ``error`` is a catalogue code and brings the catalogue's message."""
    body: dict[str, Any] = {"apiVersion": api_version}
    if context is not UNSET:
        body["context"] = context
    if method is not UNSET:
        body["method"] = method
    if error is not None:
        body["error"] = {"code": error, "message": message(error)}
    else:
        body["data"] = {} if data is UNSET else data
    return body


class CgiError(Exception):
    """An error answer: a catalogue ``code``, HTTP 200 unless ``status`` says otherwise."""

    def __init__(self, code: int, *, status: int = 200, headers: Sequence[tuple[str, str]] = ()) -> None:
        super().__init__(f"JSON CGI error {code}")
        self.code = code
        self.status = status
        self.headers = tuple(headers)


@dataclass(frozen=True)
class CgiResult:
    """A finished answer for the shell to send: status, JSON body, and headers beyond Content-Type.

    ``method`` is the JSON method the request named (for the shell's records), None before that.
    """

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str = JSON_CONTENT_TYPE
    method: str | None = None


@dataclass(frozen=True)
class CgiCall:
    """A request that passed the envelope checks: what the handler runs, and what the answer echoes."""

    method: str
    params: dict[str, Any]
    api_version: str
    context: Any = UNSET
    method_echoed: bool = True


@dataclass(frozen=True)
class CgiChoices:
    """Behaviours the documents leave open, chosen by the device that serves the CGI.

    ``echo_unsupported_version`` and ``echo_malformed_version``: the answer to such an
    ``apiVersion`` repeats it, or carries the CGI's own highest version.
    ``discovery_checks_version``: ``getSupportedVersions`` refuses (2104, 2100) a malformed or
    unsupported ``apiVersion`` like every other method, or answers its list whatever was sent.
    """

    echo_unsupported_version: bool = True
    echo_malformed_version: bool = False
    discovery_checks_version: bool = True
    limits: BodyLimits = field(default_factory=BodyLimits)


def _result(
    status: int, body: Mapping[str, Any], headers: Sequence[tuple[str, str]] = (), method: str | None = None
) -> CgiResult:
    content = json.dumps(body, separators=(",", ":")).encode("utf-8")
    return CgiResult(status, content, tuple(headers), method=method)


class JsonCgi:
    """The envelope rules of one JSON CGI: its versions, its method names and the device's choices."""

    def __init__(self, versions: Sequence[str], methods: Collection[str], choices: CgiChoices | None = None) -> None:
        self.versions = supported_versions(versions)
        self.methods = frozenset(methods)
        self.choices = choices or CgiChoices()
        top = max(self.versions)
        self.default_version = f"{top}.{self.versions[top]}"

    @property
    def limits(self) -> BodyLimits:
        return self.choices.limits

    def supported(self) -> list[str]:
        """What ``getSupportedVersions`` lists: each major with its highest minor."""
        return [f"{major}.{minor}" for major, minor in sorted(self.versions.items())]

    def transport(self, status: int, headers: Sequence[tuple[str, str]] = ()) -> CgiResult:
        """A transport-level error (400, 401, 405, 411, 413, ...) before any envelope was read."""
        return _result(status, envelope(self.default_version, error=transport_code(status)), headers)

    def receive(
        self, http_method: str, body: bytes | BodyError, *, authorize: Authorize | None = None
    ) -> CgiCall | CgiResult:
        """Check a request up to the handler: HTTP method, body, envelope, caller, version.

        ``body`` is the bytes the shell read, or the :class:`BodyError` its reader raised.
        ``authorize`` names the HTTP status (401, 403) that refuses the caller a method, or None.
        """
        if http_method != "POST":
            return self.transport(405, [("Allow", "POST")])
        try:
            if isinstance(body, BodyError):
                raise body
            request = parse_json(body, self.limits)
        except BodyError as error:
            return self.transport(error.status)
        if not isinstance(request, dict):
            return self.transport(400)
        method = request.get("method", UNSET)
        requested = request.get("apiVersion", UNSET)
        call = CgiCall(
            method if isinstance(method, str) else "",
            {},
            self._answer_version(requested),
            request.get("context", UNSET),
            method_echoed=isinstance(method, str),
        )
        try:
            self._check_method(method, authorize)
            self._check_version(requested, call.method)
            params = request.get("params", {})
            if not isinstance(params, dict):
                raise CgiError(2104)
        except CgiError as error:
            return self.failure(call, error)
        return CgiCall(call.method, params, call.api_version, call.context)

    def success(self, call: CgiCall, data: Any) -> CgiResult:
        body = envelope(call.api_version, context=call.context, method=self._echo(call), data=data)
        return _result(200, body, method=self._named(call))

    def failure(self, call: CgiCall, error: CgiError) -> CgiResult:
        body = envelope(call.api_version, context=call.context, method=self._echo(call), error=error.code)
        return _result(error.status, body, error.headers, self._named(call))

    def handle(
        self,
        http_method: str,
        body: bytes | BodyError,
        handlers: Mapping[str, Callable[[CgiCall], Any]],
        *,
        authorize: Authorize | None = None,
    ) -> CgiResult:
        """The whole exchange for plain (not async) handlers, keyed by method name."""
        outcome = self.receive(http_method, body, authorize=authorize)
        if isinstance(outcome, CgiResult):
            return outcome
        try:
            return self.success(outcome, handlers[outcome.method](outcome))
        except CgiError as error:
            return self.failure(outcome, error)

    @staticmethod
    def _echo(call: CgiCall) -> Any:
        return call.method if call.method_echoed else UNSET

    @staticmethod
    def _named(call: CgiCall) -> str | None:
        return call.method if call.method_echoed else None

    def _check_method(self, method: Any, authorize: Authorize | None) -> None:
        if method is UNSET:
            raise CgiError(2103)
        if not isinstance(method, str):
            raise CgiError(2104)
        if method not in self.methods:
            raise CgiError(2102)
        refusal = authorize(method) if authorize is not None else None
        if refusal is not None:
            raise CgiError(transport_code(refusal), status=refusal)

    def _major(self, requested: Any) -> int | None:
        """The requested major if it is one this CGI supports; raises 2104 for a malformed version."""
        match = _VERSION.fullmatch(requested) if isinstance(requested, str) else None
        if match is None:
            raise CgiError(2104)
        major = int(match.group(1)) if len(match.group(1)) <= _MAJOR_DIGITS else None
        return major if major in self.versions else None

    def _check_version(self, requested: Any, method: str) -> None:
        if method == DISCOVERY_METHOD and (requested is UNSET or not self.choices.discovery_checks_version):
            return
        if requested is UNSET:
            raise CgiError(2103)
        if self._major(requested) is None:
            raise CgiError(2100)

    def _answer_version(self, requested: Any) -> str:
        """The requested major with the highest minor supported; an unsupported one is echoed as sent."""
        if not isinstance(requested, str):
            return self.default_version
        try:
            major = self._major(requested)
        except CgiError:
            return requested if self.choices.echo_malformed_version else self.default_version
        if major is None:
            return requested if self.choices.echo_unsupported_version else self.default_version
        return f"{major}.{self.versions[major]}"
