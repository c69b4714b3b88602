"""A device whose 401 no client can answer gets a verdict, not a configuration error.

Preflight (:mod:`paircert.clients.preflight`) tells wrong credentials, which stop the run, from a
401 without a usable challenge, which is the device's doing. For the latter the run goes on: one
test of its own, :class:`FirstContact`, carries the finding against the authentication
requirement, and every test that needs the target is blocked by it, naming it in the reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from paircert.clients.preflight import AuthProblem
from paircert.plugin.verdicts import blocked
from paircert.report.records import BLOCKED_PREFIX

__all__ = ["AUTH_REQUIREMENT", "FirstContact", "record_auth_problem"]

AUTH_REQUIREMENT = "DCA-AUTH-REQUIRED"
"""The ledger's statement about a 401: it comes with a WWW-Authenticate challenge."""
NAME = "first-contact::authentication"


class FirstContact(pytest.Item):
    """The test that says what preflight found: a failure when the device breaks the protocol,
    blocked when it offers only schemes paircert does not speak."""

    def __init__(self, *, problem: AuthProblem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem
        self.add_marker(pytest.mark.requirement(AUTH_REQUIREMENT))

    def runtest(self) -> None:
        if self.problem.breach:
            pytest.fail(self.problem.sentence, pytrace=False)
        blocked(self.problem.sentence)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "first contact", None, "the admin logs in by a challenge the device sends"


def record_auth_problem(session: pytest.Session, problem: AuthProblem) -> FirstContact:
    """Put :class:`FirstContact` first and block every test that needs the target behind it."""
    item = FirstContact.from_parent(session, name=NAME, nodeid=NAME, problem=problem)
    cause = f"the failure of {AUTH_REQUIREMENT} at first contact" if problem.breach else "first contact"
    reason = f"{BLOCKED_PREFIX}no test can log in ({problem.sentence}); see {cause}"
    for other in session.items:
        if "target" in getattr(other, "fixturenames", ()):
            other.add_marker(pytest.mark.skip(reason=reason))
    session.items.insert(0, item)
    session.testscollected += 1
    return item
