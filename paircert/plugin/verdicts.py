"""The skip-shaped verdicts, and the step from a broken setup step to a failure and its dependants.

``blocked`` and ``not_applicable`` are pytest skips whose reason carries a fixed prefix, so every
report writer classifies them the same way (see :mod:`paircert.report.records`). Blocked is for a
precondition outside the device's documented behaviour: a role nobody gave, a configuration the
device already holds, peers the run does not host.

:func:`device_broke` is for a setup step that cannot go on because the device broke a documented
statement. That is a finding, not a precondition: the first test that needs the step fails, naming
the requirement (it is added to the test's requirements, so the report's matrix carries it), and
every later test that needs the step is blocked by that failure, naming the requirement and the
test that failed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest

from paircert.clients.response import ApiResponse
from paircert.plugin.expect import failure_message, success_expected, success_problems
from paircert.report.records import BLOCKED_PREFIX, NOT_APPLICABLE_PREFIX

__all__ = ["Breach", "blocked", "blocked_by", "device_broke", "not_applicable", "step_success"]


def blocked(reason: str) -> NoReturn:
    """A precondition failed, so the test could not judge the device (never a silent pass)."""
    __tracebackhide__ = True
    pytest.skip(BLOCKED_PREFIX + reason)


def not_applicable(reason: str) -> NoReturn:
    """The device does not offer the API under test (discovery says so)."""
    __tracebackhide__ = True
    pytest.skip(NOT_APPLICABLE_PREFIX + reason)


@dataclass(frozen=True)
class Breach:
    """A documented statement a setup step found broken, and the test that failed for it."""

    requirement: str
    nodeid: str
    summary: str
    message: str

    def reason(self) -> str:
        """The blocked reason of every later test that needs the same step."""
        return f"needs {self.requirement}, which failed in {self.nodeid} ({self.summary})"


_BREACHES = pytest.StashKey[dict[str, Breach]]()


def _breaches(config: pytest.Config) -> dict[str, Breach]:
    return config.stash.setdefault(_BREACHES, {})


def blocked_by(request: pytest.FixtureRequest, requirement: str) -> None:
    """Block the test when ``requirement`` already failed in a setup step of another test of this
    run; in the test that found it (hypothesis replaying an example) the failure repeats."""
    __tracebackhide__ = True
    found = _breaches(request.config).get(requirement)
    if found is None:
        return
    if found.nodeid == request.node.nodeid:
        pytest.fail(found.message, pytrace=False)
    blocked(found.reason())


def device_broke(
    request: pytest.FixtureRequest,
    requirement: str,
    summary: str,
    *,
    expected: str,
    resp: ApiResponse | None = None,
    problems: Collection[str] = (),
) -> NoReturn:
    """A setup step met the device breaking ``requirement``: fail the first test that needs it,
    block every later one by name.

    ``request`` is the function-scoped fixture request of the step (its node is the test that
    fails and gains the requirement). ``summary`` says what the device did, without secrets: it
    becomes part of every dependant's blocked reason.
    """
    __tracebackhide__ = True
    blocked_by(request, requirement)
    node = request.node
    message = failure_message(
        f"setup step failed: {summary}",
        expected=expected,
        resp=resp,
        problems=problems,
        requirements=(requirement,),
    )
    _breaches(request.config)[requirement] = Breach(requirement, node.nodeid, summary, message)
    node.add_marker(pytest.mark.requirement(requirement))
    pytest.fail(message, pytrace=False)


def step_success(
    request: pytest.FixtureRequest,
    requirement: str,
    resp: ApiResponse,
    *,
    step: str,
    schema: str | None = None,
    statuses: Collection[int] = (200,),
) -> Any:
    """``data`` of a setup step's answer that must be a success envelope; anything else is the
    device breaking ``requirement`` (see :func:`device_broke`)."""
    __tracebackhide__ = True
    problems = success_problems(resp, schema=schema, statuses=statuses)
    if problems:
        if resp.ok and resp.status_code in statuses:
            what = f"a body not valid against {schema}"
        else:
            what = f"HTTP {resp.status_code}" + (
                f" with error {resp.error_code}" if resp.error_code is not None else ""
            )
        device_broke(
            request,
            requirement,
            f"{step} answered {what}",
            expected=success_expected(schema=schema, statuses=statuses),
            resp=resp,
            problems=problems,
        )
    return resp.data
