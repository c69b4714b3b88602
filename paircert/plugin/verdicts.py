"""The two skip-shaped verdicts. Both are pytest skips whose reason carries a fixed prefix, so
every report writer classifies them the same way (see :mod:`paircert.report.records`)."""

from __future__ import annotations

from typing import NoReturn

import pytest

from paircert.report.records import BLOCKED_PREFIX, NOT_APPLICABLE_PREFIX

__all__ = ["blocked", "not_applicable"]


def blocked(reason: str) -> NoReturn:
    """A precondition failed, so the test could not judge the device (never a silent pass)."""
    __tracebackhide__ = True
    pytest.skip(BLOCKED_PREFIX + reason)


def not_applicable(reason: str) -> NoReturn:
    """The device does not offer the API under test (discovery says so)."""
    __tracebackhide__ = True
    pytest.skip(NOT_APPLICABLE_PREFIX + reason)
