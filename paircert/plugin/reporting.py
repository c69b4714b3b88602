"""What the report learns from the run: metadata, coverage, the failing test's exchanges, scrubbing.

:class:`ReportContext` is the plugin's side of :class:`paircert.report.recorder.RunContext`.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from paircert.plugin.options import RunConfig
from paircert.plugin.politeness import RunTraffic
from paircert.plugin.redaction import RunTranscript
from paircert.plugin.target import Target
from paircert.report.coverage import CAMERA_API, RADAR_API, Coverage
from paircert.report.records import RunMetadata

__all__ = ["ReportContext", "documented_codes"]


def _version() -> str:
    try:
        return metadata.version("paircert")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _schema_version() -> str:
    try:
        from paircert import schemas
    except ImportError:
        return "unavailable"
    return str(getattr(schemas, "SCHEMA_VERSION", "unavailable"))


def documented_codes() -> dict[str, tuple[int, ...]]:
    """The documented error codes per API, for the coverage's "never provoked" list."""
    try:
        from paircert import schemas

        return {
            CAMERA_API: tuple(schemas.catalogue("camera-pairing")),
            RADAR_API: tuple(schemas.catalogue("radar-pairing")),
        }
    except Exception:  # the report still works without the catalogues
        return {}


class ReportContext:
    """Reads the run's parts for the report; ``radar_path`` is set once the suites probed it."""

    def __init__(
        self,
        run: RunConfig,
        target: Target,
        transcript: RunTranscript,
        coverage: Coverage,
        traffic: RunTraffic | None = None,
    ) -> None:
        self._run = run
        self._target = target
        self._transcript = transcript
        self._coverage = coverage
        self._traffic = traffic
        self.radar_path: str | None = None

    def metadata(self) -> RunMetadata:
        config = self._target.config
        return RunMetadata(
            run_id=self._run.run_id,
            target_url=config.base_url if config else self._run.target_url,
            embedded=self._target.embedded,
            profile=self._run.profile,
            seed=self._run.seed,
            suite_version=_version(),
            schema_version=_schema_version(),
            device=dict(self._target.device),
            radar_path=self.radar_path,
        )

    def coverage(self) -> dict[str, Any]:
        return self._coverage.to_dict()

    def traffic(self) -> dict[str, Any] | None:
        """The run's pace, timeout, retries and request counts; a read-only run's proof."""
        return self._traffic.to_dict() if self._traffic is not None else None

    def failed_attempts(self) -> list[dict[str, Any]]:
        """The current test's tries that got no answer (each names whether it was tried again)."""
        return [attempt.to_dict() for attempt in self._transcript.attempts]

    def transcript_text(self) -> str | None:
        return self._transcript.render() if self._transcript.exchanges else None

    def curl_lines(self) -> list[str]:
        """One curl per request, leaving out the challenge leg of each Digest round trip."""
        exchanges = self._transcript.exchanges
        lines = []
        for index, exchange in enumerate(exchanges):
            following = exchanges[index + 1] if index + 1 < len(exchanges) else None
            challenge_leg = (
                exchange.status_code == 401
                and following is not None
                and following.auth_scheme is not None
                and (following.method, following.url) == (exchange.method, exchange.url)
            )
            if not challenge_leg:
                lines.append(exchange.to_curl())
        return lines

    def scrub(self, text: str) -> str:
        return self._transcript.scrub(text)

    def documented_requirements(self) -> list[str]:
        try:
            from paircert.ledger import load_ledger
        except ImportError:
            return []
        return sorted(rid for rid, req in load_ledger().items() if req.level == "documented")
