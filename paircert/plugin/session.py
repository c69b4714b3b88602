"""Everything a run holds for its whole length: the target, its clients, the embedded emulator.

Started lazily (the first test that needs a target), so ``pytest tests/`` with the plugin loaded
never dials anything or starts an emulator.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from paircert.clients.http import Credentials, open_client
from paircert.clients.transcript import Exchange, Transcript
from paircert.plugin.options import TargetOptions
from paircert.plugin.peering import HostedPeer, PeerHosting
from paircert.plugin.target import PreflightError, TargetConfig, preflight
from paircert.report.coverage import CAMERA_API, RADAR_API, Coverage
from paircert.report.records import RunMetadata

__all__ = ["ANONYMOUS", "STATE_KEY", "WRONG_PASSWORD", "SessionState"]

ANONYMOUS = "anonymous"
WRONG_PASSWORD = "wrong_password"


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


class _CountingTranscript(Transcript):
    """The session transcript, which also tells the run's coverage about every exchange it records
    (the transcript itself keeps only the last exchanges of one test)."""

    # ``learning`` False (the generated suites set it for their tests): password values seen in bodies
    # are not learned as secrets to scrub from all free text. Generated tests send thousands of made-up
    # passwords, hypothesis draws some from identifiers in the source ("invalid_params"), and scrubbing
    # those would garble node ids and messages. Password fields stay redacted in every exchange, and
    # the run's credentials are always scrubbed (registered with ``keep_secret``).
    learning = True

    def __init__(self, coverage: Coverage) -> None:
        super().__init__()
        self._coverage = coverage
        self._kept: set[str] = set()

    def keep_secret(self, secret: str) -> None:
        self._kept.add(secret)
        super().add_secret(secret)

    def add_secret(self, secret: str) -> None:
        if self.learning or secret in self._kept:
            super().add_secret(secret)

    def record(self, response: httpx.Response, *, curl_tls: tuple[str, ...] = ()) -> Exchange:
        exchange = super().record(response, curl_tls=curl_tls)
        self._coverage.record(exchange)
        return exchange


def _documented_codes() -> dict[str, tuple[int, ...]]:
    try:
        from paircert import schemas

        return {api: tuple(schemas.catalogue(api)) for api in (CAMERA_API, RADAR_API)}  # type: ignore[arg-type]
    except Exception:  # the report still works without the catalogues
        return {}


class SessionState:
    """Owns the session's resources and implements the report's ``RunContext``."""

    def __init__(self, options: TargetOptions) -> None:
        self.options = options
        self.run_coverage = Coverage(documented=_documented_codes())
        self.transcript: Transcript = _CountingTranscript(self.run_coverage)
        self.target: TargetConfig | None = None
        self.device: dict[str, str] = {}
        self.radar_path: str | None = None
        self.failure: str | None = None
        self._clients: dict[str, httpx.Client] = {}
        self._sessions: dict[str, Any] = {}
        self._emulator: Any = None
        self._state_dir: Path | None = None
        self.wants_peers = False  # set before start() when a selected test uses a peer
        self.peer_hosting = PeerHosting(options)
        self._keep_secret(self.peer_hosting.password)
        if options.admin is not None:
            self._keep_secret(options.admin.password)
        for extra in (options.operator, options.viewer):
            if extra is not None:
                self._keep_secret(extra.password)

    def _keep_secret(self, secret: str) -> None:
        keep = getattr(self.transcript, "keep_secret", None)
        (keep or self.transcript.add_secret)(secret)

    # --- target -------------------------------------------------------------------------------

    def start(self) -> TargetConfig:
        """Bring the target up once; raise :class:`PreflightError` (remembered) if it cannot be."""
        if self.failure is not None:
            raise PreflightError(self.failure)
        if self.target is None:
            try:
                target = self._external() if self.options.target_url else self._embedded()
                self.device = preflight(target.base_url, target.admin, verify=target.verify, timeout=target.timeout)
            except PreflightError as exc:
                self.failure = str(exc)
                self.close()
                raise
            self.target = target
        return self.target

    def _external(self) -> TargetConfig:
        options = self.options
        assert options.target_url is not None and options.admin is not None
        return TargetConfig(
            base_url=options.target_url,
            host=urlsplit(options.target_url).hostname or "",
            admin=options.admin,
            operator=options.operator,
            viewer=options.viewer,
            verify=options.verify,
            profile=options.profile,
            embedded=False,
            set_method=options.set_method,
            seed=options.seed,
        )

    def _embedded(self) -> TargetConfig:
        try:
            from paircert.emulator.config import EmulatorConfig, User
            from paircert.emulator.embedded import EmbeddedEmulator
        except ImportError as exc:
            raise PreflightError(f"no --target given and the embedded emulator is unavailable ({exc})") from None
        admin = Credentials(self.options.user, secrets.token_urlsafe(18))
        operator = Credentials("operator", secrets.token_urlsafe(18))
        viewer = Credentials("viewer", secrets.token_urlsafe(18))
        for creds in (admin, operator, viewer):
            self._keep_secret(creds.password)
        self._state_dir = Path(tempfile.mkdtemp(prefix="paircert-emulator-"))
        peer_settings: dict[str, Any] = {}
        if self.wants_peers:  # the emulator dials the peers' ports and trusts their CA
            hosting = self.peer_hosting
            hosting.start()
            if hosting.ports is not None and hosting.ca_file is not None:
                rtsp, rtsps, http, https = hosting.ports
                peer_settings = dict(
                    peer_rtsp_port=rtsp,
                    peer_rtsps_port=rtsps,
                    peer_http_port=http,
                    peer_https_port=https,
                    trust_ca_file=hosting.ca_file,
                )
        else:
            self.peer_hosting.refuse("the embedded emulator was started before any test asked for peers")
        config = EmulatorConfig(
            state_dir=self._state_dir,
            users=[
                User(admin.username, admin.password, "admin"),
                User(operator.username, operator.password, "operator"),
                User(viewer.username, viewer.password, "viewer"),
            ],
            **peer_settings,
        )
        emulator = EmbeddedEmulator(config)
        try:
            emulator.start()
        except Exception as exc:  # any failure to start is one line for the user, not a traceback
            raise PreflightError(f"the embedded emulator did not start: {exc}") from None
        self._emulator = emulator
        return TargetConfig(
            base_url=emulator.http_url,
            host=urlsplit(emulator.http_url).hostname or "127.0.0.1",
            admin=admin,
            operator=operator,
            viewer=viewer,
            verify=str(emulator.ca_file),
            profile=self.options.profile,
            embedded=True,
            set_method=self.options.set_method,
            seed=self.options.seed,
        )

    def peer(self, kind: str) -> HostedPeer:
        """The hosted peer ``camera`` or ``radar``; :class:`PeersUnavailable` says why not."""
        self.start()
        return self.peer_hosting.peer(kind)

    @property
    def device_trusts_peer_ca(self) -> bool:
        """The embedded emulator trusts the peers' CA by construction; a device when the user says so."""
        return bool(self.target and self.target.embedded) or self.options.device_trusts_peer_ca

    def _identity(self, role: str) -> Credentials | None:
        """Credentials for an identity (None: anonymous); LookupError when the run has none for it."""
        target = self.start()
        if role == ANONYMOUS:
            return None
        if role == WRONG_PASSWORD:
            return Credentials(target.admin.username, "wrong-" + secrets.token_urlsafe(12))
        credentials = target.credentials(role)  # type: ignore[arg-type]
        if credentials is None:
            raise LookupError(role)
        return credentials

    def client(self, role: str) -> httpx.Client | None:
        """The session's keep-alive client for an identity (None when it has no credentials)."""
        target = self.start()
        if role not in self._clients:
            try:
                credentials = self._identity(role)
            except LookupError:
                return None
            self._clients[role] = open_client(
                target.base_url, credentials, verify=target.verify, timeout=target.timeout, transcript=self.transcript
            )
        return self._clients[role]

    def requests_session(self, role: str) -> Any:
        """A keep-alive ``requests.Session`` for an identity (schemathesis sends with one), or None.

        Its Digest answers come from :mod:`paircert.auth` and its exchanges go to the transcript.
        """
        from paircert.clients.requests_session import open_requests_session

        target = self.start()
        if role not in self._sessions:
            try:
                credentials = self._identity(role)
            except LookupError:
                return None
            self._sessions[role] = open_requests_session(credentials, verify=target.verify, transcript=self.transcript)
        return self._sessions[role]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        self.peer_hosting.close()
        if self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)
            self._state_dir = None

    # --- RunContext for the report ------------------------------------------------------------

    def metadata(self) -> RunMetadata:
        return RunMetadata(
            run_id=self.options.run_id,
            target_url=self.target.base_url if self.target else self.options.target_url,
            embedded=bool(self.target and self.target.embedded),
            profile=self.options.profile,
            seed=self.options.seed,
            suite_version=_version(),
            schema_version=_schema_version(),
            device=dict(self.device),
            radar_path=self.radar_path,
        )

    def coverage(self) -> dict[str, Any]:
        return self.run_coverage.to_dict()

    def transcript_text(self) -> str | None:
        return self.transcript.render() if self.transcript.exchanges else None

    def curl_lines(self) -> list[str]:
        """One curl per request, leaving out the challenge leg of each Digest round trip."""
        exchanges = self.transcript.exchanges
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
        return self.transcript.scrub(text)

    def documented_requirements(self) -> list[str]:
        try:
            from paircert.ledger import load_ledger
        except ImportError:
            return []
        return sorted(rid for rid, req in load_ledger().items() if req.level == "documented")


STATE_KEY = pytest.StashKey[SessionState]()
