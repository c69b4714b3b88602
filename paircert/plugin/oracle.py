"""The radar answer oracle: one small check per ledger requirement, each returning typed failures.

The radar CGI answers API errors with HTTP 200, so schemathesis' built-in checks cannot judge it
(PROTOCOL-NOTES §5). These checks can, and only by what the documents say. Each is registered under
the ledger ID it enforces, so a failure names its statement and the project test that keeps code
and ledger in step sees every ID here. The registry refuses a second check under one ID, as
Schemathesis 4's check registry refuses a second check of one name: two checks of one requirement
could disagree, and the report could not say which one spoke.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from paircert import schemas
from paircert.clients.transcript import REDACTED
from paircert.vapix.passwords import replace_passwords

__all__ = ["RADAR_CHECKS", "CheckRegistry", "Failure", "RadarAnswer", "RadarExchange", "judge_radar"]


@dataclass(frozen=True)
class Failure:
    """One broken requirement: which, why, what was sent and what came back (password fields redacted)."""

    requirement: str
    message: str
    sent: Any
    status: int
    received: Any

    def __str__(self) -> str:
        return f"[{self.requirement}] {self.message}"


class RadarAnswer(Protocol):
    """What the checks read of a response (``paircert.clients.response.ApiResponse`` has it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def json(self) -> Any: ...


@dataclass(frozen=True)
class RadarExchange:
    """One radar request and its answer, as every check sees them.

    ``body`` is the answer when it is a JSON object (else None), without a ``context`` member when
    the request was no object or its own context was not a string: a device may echo an
    ill-typed context as sent, and the request, not the device, broke that rule. A request
    without context keeps the answer's context, which RP-CONTEXT-OMITTED judges."""

    request: Any
    status: int
    body: dict[str, Any] | None
    answer: Any

    @classmethod
    def of(cls, request: Any, resp: RadarAnswer) -> RadarExchange:
        answer = resp.json
        body = answer if isinstance(answer, dict) else None
        judged = isinstance(request, dict) and isinstance(request.get("context", ""), str)
        if body is not None and "context" in body and not judged:
            body = {k: v for k, v in body.items() if k != "context"}
        return cls(request, resp.status_code, body, answer)

    @property
    def error_code(self) -> int | None:
        error = self.body.get("error") if self.body is not None else None
        code = error.get("code") if isinstance(error, dict) else None
        return code if isinstance(code, int) and not isinstance(code, bool) else None

    @property
    def answered_request(self) -> dict[str, Any] | None:
        """The request, when it was a JSON object answered with HTTP 200 and a JSON object: what
        the echo rules judge."""
        if isinstance(self.request, dict) and self.body is not None and self.status == 200:
            return self.request
        return None


Check = Callable[[RadarExchange], Iterable[str]]
"""A check yields one message per problem it finds; the registry wraps them as failures."""


class CheckRegistry:
    """Checks by the requirement ID they enforce, run in the order they were registered."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, requirement: str) -> Callable[[Check], Check]:
        def add(check: Check) -> Check:
            if requirement in self._checks:
                raise ValueError(
                    f"a check of {requirement} is already registered: {self._checks[requirement].__name__}"
                )
            self._checks[requirement] = check
            return check

        return add

    @property
    def requirements(self) -> tuple[str, ...]:
        return tuple(self._checks)

    def run(self, exchange: RadarExchange) -> list[Failure]:
        sent = replace_passwords(exchange.request, lambda _secret: REDACTED)
        received = replace_passwords(exchange.answer, lambda _secret: REDACTED)
        return [
            Failure(requirement, message, sent, exchange.status, received)
            for requirement, check in self._checks.items()
            for message in check(exchange)
        ]


RADAR_CHECKS = CheckRegistry()


def judge_radar(request: Any, resp: RadarAnswer) -> list[Failure]:
    """Every documented rule one radar answer breaks (empty: the answer is right)."""
    return RADAR_CHECKS.run(RadarExchange.of(request, resp))


def _table_entry(exchange: RadarExchange) -> schemas.ErrorEntry | None:
    code = exchange.error_code
    return schemas.catalogue("radar-pairing").get(code) if code is not None else None


@RADAR_CHECKS.register("VAPIX-JSON-RESPONSE")
def json_object_answer(exchange: RadarExchange) -> Iterator[str]:
    if exchange.body is None:
        yield f"the answer (HTTP {exchange.status}) is not a JSON object"


@RADAR_CHECKS.register("RP-ERROR-ENVELOPE")
def error_envelope(exchange: RadarExchange) -> Iterator[str]:
    body = exchange.body
    if body is None:
        return
    if "error" not in body:
        if exchange.status == 200:
            yield from schemas.validate("radar-pairing/success", body)
        else:
            yield f"HTTP {exchange.status} without an error member"
        return
    yield from schemas.validate("radar-pairing/error", body)
    entry = _table_entry(exchange)
    if entry is None:
        table = sorted(schemas.catalogue("radar-pairing"))
        yield f"error code {exchange.error_code} is not in the documented table {table}"
    elif entry.http_statuses and exchange.status not in entry.http_statuses:
        yield f"error {entry.code} came with HTTP {exchange.status}, the table says {entry.http_statuses}"


@RADAR_CHECKS.register("VAPIX-API-ERROR-HTTP-200")
def api_errors_come_with_200(exchange: RadarExchange) -> Iterator[str]:
    entry = _table_entry(exchange)
    if entry is not None and not entry.http_statuses and exchange.status != 200:
        yield f"error {entry.code} came with HTTP {exchange.status}, the table says (200,)"


@RADAR_CHECKS.register("RP-METHOD-ECHO")
def method_echo(exchange: RadarExchange) -> Iterator[str]:
    request, body = exchange.answered_request, exchange.body
    method = request.get("method") if request is not None else None
    if body is not None and isinstance(method, str) and body.get("method") != method:
        yield f"method {body.get('method')!r} is not the requested {method!r}"


@RADAR_CHECKS.register("RP-CONTEXT-ECHO")
def context_echo(exchange: RadarExchange) -> Iterator[str]:
    request, body = exchange.answered_request, exchange.body
    context = request.get("context") if request is not None else None
    if body is not None and isinstance(context, str) and body.get("context") != context:
        yield f"context {body.get('context')!r} was not echoed"


@RADAR_CHECKS.register("RP-CONTEXT-OMITTED")
def context_omitted(exchange: RadarExchange) -> Iterator[str]:
    request, body = exchange.answered_request, exchange.body
    if request is not None and body is not None and "context" not in request and "context" in body:
        yield "the answer carries a context the request did not send"


def _requested_major(version: Any) -> int | None:
    """The major of a well-formed ``<major>.<minor>`` apiVersion, else None (RP-VERSION-MALFORMED's business)."""
    if not isinstance(version, str) or version.count(".") != 1:
        return None
    major, minor = version.split(".")
    return int(major) if major.isascii() and major.isdigit() and minor.isdigit() else None


def _lists_major(body: dict[str, Any], major: int) -> bool:
    data = body.get("data")
    listed = data.get("apiVersions") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        return True
    return any(isinstance(v, str) and v.split(".")[0].isdigit() and int(v.split(".")[0]) == major for v in listed)


@RADAR_CHECKS.register("RP-VERSION-ECHO")
def version_echo(exchange: RadarExchange) -> Iterator[str]:
    """The requested major comes back, except with 2100 (the device lacks it) and from a
    getSupportedVersions success that does not list it (it answers in a version the device has)."""
    request, body = exchange.answered_request, exchange.body
    version = request.get("apiVersion") if request is not None else None
    requested = _requested_major(version)
    if body is None or requested is None or exchange.error_code == 2100:
        return
    if body.get("method") == "getSupportedVersions" and not _lists_major(body, requested):
        return
    answered = body.get("apiVersion")
    major = answered.split(".")[0] if isinstance(answered, str) else ""
    if not (major.isdigit() and int(major) == requested):
        yield f"apiVersion {answered!r} is not in the requested major of {version!r}"
