"""Limits on what a device may send back, and the typed errors that say how it broke them.

A conformance run meets devices nobody here wrote. One that answers with JSON nested thousands of
levels deep, hundreds of megabytes, a byte a second, or a body that never ends must fail that one
test with a sentence about what the device did, never crash, hang or exhaust the run. Both HTTP
stacks the suite uses (httpx for the clients, requests for schemathesis) read every answer
through :func:`read_answer`, so the limits and the sentences exist once.

The errors are :class:`httpx.TransportError` subclasses (:class:`AnswerTooSlow` also an
:class:`httpx.TimeoutException`): whatever already handles "the target did not answer properly",
preflight included, handles these too.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from paircert.vapix.body import nesting_depth

__all__ = [
    "DEFAULT_DEADLINE",
    "AnswerLimits",
    "AnswerTooDeep",
    "AnswerTooLarge",
    "AnswerTooSlow",
    "Deadline",
    "DeviceAnswerError",
    "check_nesting",
    "read_answer",
]

_MIB = 1024 * 1024
DEFAULT_DEADLINE = 10.0
"""Seconds one exchange may take when the run does not say (``--request-timeout``'s default)."""


@dataclass(frozen=True)
class AnswerLimits:
    """What one answer may cost: bytes (after content decoding), JSON depth, wall time.

    ``deadline`` covers the whole exchange, headers and body: httpx and urllib3 time each read
    on its own, so a device sending a byte a second would otherwise never time out. The
    documents' answers nest five levels at most and weigh kilobytes; the limits leave wide room.
    """

    max_bytes: int = 16 * _MIB
    max_depth: int = 128
    deadline: float = DEFAULT_DEADLINE

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_depth < 1 or self.deadline <= 0:
            raise ValueError(f"answer limits must be positive: {self!r}")

    def too_large(self, what: str, detail: str = "") -> AnswerTooLarge:
        return AnswerTooLarge(f"device answer exceeded {_size(self.max_bytes)}{detail} ({what})")


class DeviceAnswerError(httpx.TransportError):
    """The device's answer broke an :class:`AnswerLimits` bound; the text says which and how."""


class AnswerTooLarge(DeviceAnswerError):
    pass


class AnswerTooDeep(DeviceAnswerError):
    pass


class AnswerTooSlow(DeviceAnswerError, httpx.TimeoutException):
    pass


def _size(count: int) -> str:
    return f"{count // _MIB} MiB" if count % _MIB == 0 else f"{count} bytes"


class Deadline:
    """The wall-clock end of one exchange (monotonic clock), and whether the device began to answer.

    ``heard`` turns true with the first byte of an answer: from then on a broken exchange is the
    device's answer, never a reason to send the request again (:mod:`paircert.clients.traffic`).
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.heard = False

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0

    def error(self, what: str) -> AnswerTooSlow:
        return AnswerTooSlow(f"device answer not complete after {self.seconds:g} s ({what})")


def read_answer(chunks: Iterable[bytes], limits: AnswerLimits, deadline: Deadline, what: str) -> bytes:
    """Read a body chunk by chunk, stopping as soon as it is too large or too late.

    ``what`` names the exchange in the error (``GET /path``); it never holds a body or a header,
    so no secret can reach the message.
    """
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limits.max_bytes:
            raise limits.too_large(what)
        if deadline.passed:
            raise deadline.error(what)
    return bytes(body)


def check_nesting(body: bytes, limits: AnswerLimits, what: str) -> None:
    """Refuse a body nested deeper than the limit before any JSON parser recurses into it.

    CPython's ``json.loads`` recurses once per level and raises RecursionError near depth 1000
    (at 100,000 too, without crashing); every walker after it (redaction, schema validation)
    recurses as well. Any body that starts like JSON is checked, whatever its content type,
    because every consumer tries to parse every body. The scan is the devices' body reader's
    (:func:`paircert.vapix.body.nesting_depth`): one flat scan for both directions.
    """
    head = body.lstrip()[:1]
    if head not in (b"[", b"{") or (body.count(b"[") + body.count(b"{")) <= limits.max_depth:
        return
    if nesting_depth(body) > limits.max_depth:
        raise AnswerTooDeep(f"device answer nested deeper than {limits.max_depth} levels ({what})")
