"""Which test is running, so helpers deep in a call stack can name its requirements."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["CurrentTest", "current_test"]


@dataclass(frozen=True)
class CurrentTest:
    nodeid: str
    requirements: tuple[str, ...]
    seed: int


CURRENT: ContextVar[CurrentTest | None] = ContextVar("paircert_current_test", default=None)


def current_test() -> CurrentTest | None:
    return CURRENT.get()
