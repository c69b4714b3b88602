"""Everything a run holds for its whole length, as parts with one job each.

``run`` (the checked options), ``transcript`` (the exchanges and the run's secrets), ``peers``
(the hosted peer camera and radar), ``target`` (the device or the embedded emulator, preflighted
once), ``identities`` (the client pools per role) and ``report`` (what the report reads). Nothing
starts before a test asks for the target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from paircert.plugin.identities import ANONYMOUS, WRONG_PASSWORD, Identities, Identity
from paircert.plugin.options import RunConfig
from paircert.plugin.peering import PeerHosting
from paircert.plugin.politeness import RunTraffic
from paircert.plugin.redaction import RunTranscript
from paircert.plugin.reporting import ReportContext, documented_codes
from paircert.plugin.target import Target
from paircert.plugin.vacating import Vacating
from paircert.report.coverage import Coverage

if TYPE_CHECKING:
    import requests

__all__ = ["ANONYMOUS", "STATE_KEY", "WRONG_PASSWORD", "SessionState"]


class SessionState:
    """The run's parts, wired together; the session fixture ``paircert_state`` hands it out."""

    def __init__(self, run: RunConfig) -> None:
        self.run = run
        self.coverage = Coverage(documented=documented_codes())
        self.transcript = RunTranscript(self.coverage.record)
        self.traffic = RunTraffic(run, self.transcript.scrub)
        self.transcript.watch(self.traffic.watch)
        self.peers = PeerHosting(run)
        self.target = Target(
            run, self.peers, self.transcript.keep_secret, traffic=self.traffic.traffic, watcher=self.traffic.watch
        )
        self.identities = Identities(self.target, self.transcript, self.traffic.traffic)
        self.report = ReportContext(run, self.target, self.transcript, self.coverage, self.traffic)
        for credentials in (run.admin, run.operator, run.viewer):
            if credentials is not None:
                self.transcript.keep_secret(credentials.password)
        self.transcript.keep_secret(self.peers.password)
        for secret in (run.restore_password, run.restore_radar_password):
            if secret:
                self.transcript.keep_secret(secret)
        self.vacating = Vacating(run, self.target, self.identities, self.transcript)

    def requests_session(self, identity: Identity) -> requests.Session | None:
        """The generated suites' ``requests.Session`` for ``identity`` (see :class:`Identities`)."""
        return self.identities.requests_session(identity)

    def close(self) -> None:
        self.identities.close()
        self.target.close()
        self.peers.close()


STATE_KEY = pytest.StashKey[SessionState]()
