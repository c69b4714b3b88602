"""The target a run talks to: a device at ``--target`` or the embedded emulator, started once.

Started lazily (the first test that needs a target), so ``pytest tests/`` with the plugin loaded
never dials anything or starts an emulator. Preflight runs here and nowhere else: once per run,
when the target comes up; its failure is remembered and is the one line every later caller gets.
A 401 no client can answer does not stop the run: it is kept as :attr:`Target.auth_problem` for
the plugin to record (:mod:`paircert.plugin.first_contact`).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from paircert.clients.http import Credentials
from paircert.clients.preflight import AuthProblem, Contact, PreflightError, preflight
from paircert.clients.traffic import DEFAULT_REQUEST_TIMEOUT, Traffic
from paircert.clients.transcript import Watcher
from paircert.plugin.options import STANDARD_PEER_PORTS, RunConfig
from paircert.plugin.peering import PeerHosting
from paircert.plugin.restarting import RestartFailed, RestartUnavailable, restart_by_command

if TYPE_CHECKING:
    from paircert.emulator.embedded import EmbeddedEmulator

__all__ = ["NO_RESTART", "PreflightError", "RestartFailed", "RestartUnavailable", "Role", "Target", "TargetConfig"]

Role = Literal["admin", "operator", "viewer"]

DEVICE_RTSP_PORT = 554
NO_RESTART = "give --restart-command to check persistence (a shell command that restarts the device)"


@dataclass(frozen=True)
class TargetConfig:
    """What the suites know about the target; the repr shows no password (Credentials redact)."""

    base_url: str
    host: str
    admin: Credentials
    operator: Credentials | None
    viewer: Credentials | None
    verify: bool | str
    profile: str
    embedded: bool
    set_method: str = "PATCH"
    seed: int = 0
    timeout: float = DEFAULT_REQUEST_TIMEOUT
    rtsp_base: str = ""
    """``rtsp://host:port`` where the device serves its own streams (554 on a device)."""
    basic_url: str | None = None
    """Where the target takes Basic credentials (its HTTPS side), for clients that lack Digest."""

    def credentials(self, role: Role) -> Credentials | None:
        return {"admin": self.admin, "operator": self.operator, "viewer": self.viewer}[role]


class Target:
    """Starts and stops the run's target, and knows the device's identity once preflight read it.

    ``keep_secret`` is told every password the target is reached with (the embedded emulator's
    accounts are made here). The embedded emulator is started after the run's peers when a test
    wants them, and is told their ports, their CA and the run's Digest algorithms. Preflight sends
    at the run's ``traffic`` pace and shows its requests to ``watcher`` (the run's state audit).
    """

    def __init__(
        self,
        run: RunConfig,
        peers: PeerHosting,
        keep_secret: Callable[[str], None],
        *,
        traffic: Traffic | None = None,
        watcher: Watcher | None = None,
    ) -> None:
        self._run = run
        self._peers = peers
        self._keep_secret = keep_secret
        self._traffic = traffic
        self._watcher = watcher
        self.config: TargetConfig | None = None
        self.device: dict[str, str] = {}
        self.auth_problem: AuthProblem | None = None
        self.failure: PreflightError | None = None
        self._emulator: EmbeddedEmulator | None = None
        self._state_dir: Path | None = None

    def start(self, *, wants_peers: bool = False) -> TargetConfig:
        """Bring the target up and preflight it, once; raise :class:`PreflightError` (remembered) if not."""
        if self.failure is not None:
            raise self.failure
        if self.config is None:
            try:
                config = self._external() if self._run.target_url else self._embedded(wants_peers)
                contact = self._preflight(config)
            except PreflightError as exc:
                self.failure = exc
                self.close()
                raise
            self.device, self.auth_problem = contact.device, contact.auth_problem
            self.config = config
        return self.config

    def _preflight(self, config: TargetConfig) -> Contact:
        return preflight(
            config.base_url,
            config.admin,
            verify=config.verify,
            timeout=config.timeout,
            traffic=self._traffic,
            watcher=self._watcher,
        )

    @property
    def embedded(self) -> bool:
        return self.config is not None and self.config.embedded

    def _external(self) -> TargetConfig:
        run = self._run
        assert run.target_url is not None and run.admin is not None  # read_run_config insists on both
        host = urlsplit(run.target_url).hostname or ""
        return TargetConfig(
            base_url=run.target_url,
            host=host,
            admin=run.admin,
            operator=run.operator,
            viewer=run.viewer,
            verify=run.verify,
            profile=run.profile,
            embedded=False,
            set_method=run.set_method,
            seed=run.seed,
            timeout=run.request_timeout,
            rtsp_base=f"rtsp://{f'[{host}]' if ':' in host else host}:{DEVICE_RTSP_PORT}",
            basic_url=run.target_url if run.target_url.startswith("https://") else None,
        )

    def _embedded(self, wants_peers: bool) -> TargetConfig:
        try:
            from paircert.emulator.choices import choices_named
            from paircert.emulator.config import EmulatorConfig, User
            from paircert.emulator.embedded import EmbeddedEmulator
        except ImportError as exc:
            raise PreflightError(f"no --target given and the embedded emulator is unavailable ({exc})") from None
        run = self._run
        admin = Credentials(run.user, secrets.token_urlsafe(18))
        operator = Credentials("operator", secrets.token_urlsafe(18))
        viewer = Credentials("viewer", secrets.token_urlsafe(18))
        for creds in (admin, operator, viewer):
            self._keep_secret(creds.password)
        rtsp, rtsps, http, https = STANDARD_PEER_PORTS
        trust_ca_file: Path | None = None
        if wants_peers:  # the emulator dials the peers' ports and trusts their CA
            self._peers.start()
            if self._peers.ports is not None and self._peers.ca_file is not None:
                (rtsp, rtsps, http, https), trust_ca_file = self._peers.ports, self._peers.ca_file
        else:
            self._peers.refuse("the embedded emulator was started before any test asked for peers")
        choices = choices_named(run.emulator_choices)
        self._state_dir = Path(tempfile.mkdtemp(prefix="paircert-emulator-"))
        config = EmulatorConfig(
            state_dir=self._state_dir,
            users=[
                User(admin.username, admin.password, "admin"),
                User(operator.username, operator.password, "operator"),
                User(viewer.username, viewer.password, "viewer"),
            ],
            digest_algorithms=run.digest_algorithms if run.digest_algorithms_given else choices.digest_algorithms,
            choices=choices,
            faults=run.emulator_faults,
            radar_revision=run.emulator_radar_revision,
            peer_rtsp_port=rtsp,
            peer_rtsps_port=rtsps,
            peer_http_port=http,
            peer_https_port=https,
            trust_ca_file=trust_ca_file,
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
            profile=run.profile,
            embedded=True,
            set_method=run.set_method,
            seed=run.seed,
            timeout=run.request_timeout,
            rtsp_base=emulator.rtsp_url,
            basic_url=emulator.https_url,
        )

    @property
    def can_restart(self) -> bool:
        """Whether :meth:`restart` has a way to restart this target."""
        return self._emulator is not None or self._run.restart_command is not None

    def restart(self) -> None:
        """Restart the target and return once it answers again (bounded); the embedded emulator keeps
        its state directory and ports. :class:`RestartUnavailable` without a way to restart it,
        :class:`RestartFailed` when the restart did not complete."""
        config = self.start()
        if self._emulator is not None:
            try:
                self._emulator.restart()
            except Exception as exc:  # one line for the blocked verdict, not a traceback
                raise RestartFailed(f"the embedded emulator did not start again: {exc}") from None
            return
        command = self._run.restart_command
        if command is None:
            raise RestartUnavailable(NO_RESTART)

        def answers() -> str | None:
            try:
                contact = self._preflight(config)
            except PreflightError as exc:
                return str(exc)
            self.device = contact.device
            return None

        restart_by_command(command, self._run.restart_timeout, answers)

    def close(self) -> None:
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        if self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)
            self._state_dir = None
