"""The run's secrets: what every exchange and every free-text field of the report is scrubbed of.

The run's credentials are always secret. Password values seen in request and response bodies are
learned as secrets too, except while the generated suites run (:meth:`RunTranscript.passwords_are_test_data`):
they send thousands of made-up passwords, hypothesis draws some from identifiers in the source
("invalid_params"), and scrubbing those would garble messages. Password fields stay redacted in
every exchange either way. The rule itself (whole occurrences only, values never keys) is
:class:`paircert.vapix.passwords.Redactor`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import httpx
import pytest

from paircert.clients.transcript import Exchange, Transcript
from paircert.report.records import OBSERVED_PREFIX

__all__ = ["RunTranscript", "redact_report"]


class RunTranscript(Transcript):
    """The session's one transcript: it holds the run's secrets and hands every exchange it records
    to ``on_record`` (the run's coverage), because it itself keeps only the last exchanges of one test."""

    def __init__(self, on_record: Callable[[Exchange], None]) -> None:
        super().__init__()
        self._on_record = on_record
        self._learning = True

    def keep_secret(self, secret: str) -> None:
        """A secret of the run itself (a password it was given or made): scrubbed always, also while
        :meth:`passwords_are_test_data` holds."""
        self.add_secret(secret)

    def learn_secret(self, secret: str) -> None:
        if self._learning:
            self.add_secret(secret)

    @contextmanager
    def passwords_are_test_data(self) -> Iterator[None]:
        """While inside, password values seen in bodies are not learned as secrets."""
        previous, self._learning = self._learning, False
        try:
            yield
        finally:
            self._learning = previous

    def record(self, response: httpx.Response, *, curl_tls: tuple[str, ...] = ()) -> Exchange:
        exchange = super().record(response, curl_tls=curl_tls)
        self._on_record(exchange)
        return exchange


def redact_report(
    report: pytest.TestReport, transcript: Transcript, config: pytest.Config, public: Collection[str]
) -> None:
    """Remove the run's secrets from a test report's free text, field by field, before anyone reads it.

    The terminal, JUnit and the HTML page all render from this report: the failure (longrepr: an
    assertion message may quote a device answer, an exception text may quote a request), the
    captured stdout, stderr and log (a library may print a password), the skip or xfail reason and
    the user properties (observations are JSON: their values lose secrets, never their keys).
    ``public`` names the test's node id, file and requirement ids: a secret that is a word of one
    of them (``[admin]``) is left there, as the node id itself is in every artifact.
    """
    scrub = partial(transcript.scrub, keep=public)
    report.longrepr = _longrepr(report, transcript, config, public)
    report.sections = [(title, scrub(content)) for title, content in report.sections]
    report.user_properties = [
        (name, _property(name, value, transcript, public)) for name, value in report.user_properties
    ]
    reason = getattr(report, "wasxfail", None)
    if isinstance(reason, str):
        report.wasxfail = scrub(reason)


def _longrepr(report: pytest.TestReport, transcript: Transcript, config: pytest.Config, public: Collection[str]) -> Any:
    longrepr = report.longrepr
    if longrepr is None:
        return None
    if isinstance(longrepr, tuple):  # a skip: (file, line, reason), and only the reason is free text
        path, line, reason = longrepr
        return (path, line, transcript.scrub(reason, keep=public))
    text = str(longrepr)
    if transcript.scrub(text, keep=public) == text:
        return longrepr
    if isinstance(longrepr, str):
        return transcript.scrub(longrepr, keep=public)
    # A traceback is a tree of lines, locations and the crash message: redact its serialised form
    # value by value and read it back, so its shape (and the crash line the report quotes) is kept.
    data = config.hook.pytest_report_to_serializable(config=config, report=report)
    serialised = json.loads(json.dumps(data["longrepr"], default=str))  # its chain holds tuples
    data["longrepr"] = transcript.scrub_json(serialised, keep=public)
    return config.hook.pytest_report_from_serializable(config=config, data=data).longrepr


def _property(name: object, value: object, transcript: Transcript, public: Collection[str]) -> object:
    if isinstance(name, str) and name.startswith(OBSERVED_PREFIX) and isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return transcript.scrub(value, keep=public)
        redacted = transcript.scrub_json(parsed, keep=public)
        return value if redacted == parsed else json.dumps(redacted, sort_keys=True, ensure_ascii=False)
    text = value if isinstance(value, str) else str(value)
    scrubbed = transcript.scrub(text, keep=public)
    return value if scrubbed == text else scrubbed
