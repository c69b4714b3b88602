"""The run's secrets: what every exchange and artifact of the run is scrubbed of.

The run's credentials are always secret. Password values seen in request and response bodies are
learned as secrets too, except while the generated suites run (:meth:`RunTranscript.passwords_are_test_data`):
they send thousands of made-up passwords, hypothesis draws some from identifiers in the source
("invalid_params"), and scrubbing those would garble node ids and messages. Password fields stay
redacted in every exchange either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx

from paircert.clients.transcript import Exchange, Transcript

__all__ = ["RunTranscript"]


class RunTranscript(Transcript):
    """The session's one transcript: it holds the run's secrets and hands every exchange it records
    to ``on_record`` (the run's coverage), because it itself keeps only the last exchanges of one test."""

    def __init__(self, on_record: Callable[[Exchange], None]) -> None:
        super().__init__()
        self._on_record = on_record
        self._kept: set[str] = set()
        self._learning = True

    def keep_secret(self, secret: str) -> None:
        """A secret of the run itself (a password it was given or made): scrubbed always."""
        self._kept.add(secret)
        super().add_secret(secret)

    def add_secret(self, secret: str) -> None:
        if self._learning or secret in self._kept:
            super().add_secret(secret)

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
