"""How the suite's traffic treats the target: the request timeout, the rate, and when to try again.

A run against a device in service must be polite (``--max-rps``, ``--request-timeout``) and must
not turn a flaky network into a verdict, nor a device's answer into a second attempt. So a request
is tried again (``--retries``) only after a *transport* error, and only when trying again cannot do
twice what the first attempt did:

- the error came before the request was sent (no connection, a connect timeout): always;
- it came after the request may have reached the device but before a single byte of an answer
  (a reset, a closed connection, a timeout with nothing heard): only when the request cannot
  change state (:func:`paircert.clients.effects.changes_state`), since a POST that timed out may
  have added a pairing the retry would add again;
- once any byte of an answer arrived, an HTTP status, or a test that failed: never. A failed test
  is never run again either; each failed attempt is recorded in the transcript and the report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from paircert.clients.effects import changes_state
from paircert.clients.guard import DEFAULT_DEADLINE, AnswerLimits, Deadline
from paircert.clients.pacing import Pacer

__all__ = ["DEFAULT_REQUEST_TIMEOUT", "DEFAULT_RETRIES", "AttemptFailed", "Phase", "StackErrors", "Traffic"]

_Answer = TypeVar("_Answer")

DEFAULT_REQUEST_TIMEOUT = DEFAULT_DEADLINE
DEFAULT_RETRIES = 2
_BACKOFF_S = 0.2
"""The pause before a second attempt, doubled before each later one (0.2 s, 0.4 s, ...)."""
_MAX_BACKOFF_S = 2.0


class Phase(Enum):
    """How far an exchange got before it broke."""

    UNSENT = "before the request was sent"
    SENT = "after the request was sent, before any answer byte"
    ANSWERED = "after the device began to answer"


AttemptFailed = Callable[[BaseException, int, Phase, bool], None]
"""Told ``(error, attempt, phase, tried again)`` of every attempt that got no answer."""


@dataclass(frozen=True)
class StackErrors:
    """How one HTTP stack's errors read to the retry rule, which is the same for every stack."""

    caught: tuple[type[BaseException], ...]
    """The transport errors an attempt may end with; anything else propagates untouched."""
    phase: Callable[[BaseException, bool], Phase]
    """How far an exchange got, given its error and whether an answer byte was heard."""
    transient: Callable[[BaseException], bool]
    """Whether the error may go away on its own."""


@dataclass(frozen=True)
class Traffic:
    """One per run, shared by every client: the same pacer holds the rate across all of them.

    ``request_timeout`` bounds connecting and the whole exchange (headers and body), per attempt.
    """

    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    retries: int = DEFAULT_RETRIES
    pacer: Pacer | None = None

    def __post_init__(self) -> None:
        if not self.request_timeout > 0 or self.retries < 0:
            raise ValueError(f"request timeout must be positive and retries not negative: {self!r}")

    @classmethod
    def from_settings(cls, max_rps: float | None, request_timeout: float, retries: int) -> Traffic:
        """The traffic ``--max-rps``, ``--request-timeout`` and ``--retries`` ask for (no pacer without
        a rate), made the same way by a run and by ``paircert restore``."""
        pacer = Pacer(max_rps) if max_rps is not None else None
        return cls(request_timeout=request_timeout, retries=retries, pacer=pacer)

    @property
    def max_rps(self) -> float | None:
        return self.pacer.rate if self.pacer is not None else None

    def limits(self) -> AnswerLimits:
        return AnswerLimits(deadline=self.request_timeout)

    def pace(self) -> None:
        """Wait for the run's next send slot (no wait without ``--max-rps``)."""
        if self.pacer is not None:
            self.pacer.wait(self.request_timeout + self.pacer.burst / self.pacer.rate)

    def may_retry(self, attempt: int, phase: Phase, method: str, url: str, body: bytes | str | None) -> bool:
        """Whether a transport error in ``phase`` of attempt ``attempt`` (from 1) earns another try."""
        if attempt > self.retries or phase is Phase.ANSWERED:
            return False
        return phase is Phase.UNSENT or not changes_state(method, url, body)

    def back_off(self, attempt: int) -> None:
        time.sleep(min(_MAX_BACKOFF_S, _BACKOFF_S * 2 ** (attempt - 1)))

    def send(
        self,
        exchange: Callable[[Deadline], _Answer],
        deadline: float,
        request: tuple[str, str, bytes | str | None],
        errors: StackErrors,
        on_failure: AttemptFailed | None,
    ) -> _Answer:
        """``exchange`` at the run's pace, each attempt under a fresh ``deadline`` (seconds), tried
        again after a transport error only as :meth:`may_retry` allows; ``request`` is the
        ``(method, url, body)`` that rule reads."""
        method, url, body = request
        attempt = 0
        while True:
            attempt += 1
            self.pace()
            bound = Deadline(deadline)
            try:
                return exchange(bound)
            except errors.caught as exc:
                phase = errors.phase(exc, bound.heard)
                again = errors.transient(exc) and self.may_retry(attempt, phase, method, url, body)
                if on_failure is not None:
                    on_failure(exc, attempt, phase, again)
                if not again:
                    raise
            self.back_off(attempt)
