"""What a benchmark runs against: the target of a run (a device or the embedded emulator) and its peers.

The run's options are read by the plugin's one reader (:func:`paircert.plugin.options.read_run_config`)
and the peers are hosted by the plugin's :class:`~paircert.plugin.peering.PeerHosting`, so a
benchmark reaches a device exactly as ``paircert run`` does. The embedded emulator is started
here rather than through the plugin's ``Target`` because a benchmark also needs the emulator's
RTSP re-serve port, which a device has at 554 and the emulator picks freely.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self
from urllib.parse import urlsplit

import httpx

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.http import Credentials, open_client
from paircert.clients.preflight import preflight
from paircert.clients.radar import RadarClient
from paircert.clients.transcript import Transcript
from paircert.plugin.options import RunConfig
from paircert.plugin.peering import HostedPeer, PeerHosting, PeerKind
from paircert.vapix.paths import MEDIA_PATH, RADAR_METADATA_PATH

if TYPE_CHECKING:
    from paircert.emulator.embedded import EmbeddedEmulator

__all__ = ["Rig"]

DEVICE_RTSP_PORT = 554
CAMERA_RESTREAM_QUERY = "?camera=2"  # how an Axis device names its second (paired) video source


class Rig:
    """The target and the peers for one benchmark; ``with Rig(run) as rig`` starts and stops both."""

    def __init__(self, run: RunConfig) -> None:
        self.run = run
        self.peers = PeerHosting(run)
        self.base_url = ""
        self.admin: Credentials | None = None
        self.verify: bool | str = run.verify
        self.embedded = run.target_url is None
        self._rtsp_base = ""
        self._emulator: EmbeddedEmulator | None = None
        self._state_dir: Path | None = None
        self._clients: list[httpx.Client] = []

    def __enter__(self) -> Self:
        try:
            self.peers.start()
            if self.embedded:
                self._start_emulator()
            else:
                assert self.run.target_url is not None and self.run.admin is not None  # the reader insists
                self.base_url, self.admin = self.run.target_url, self.run.admin
                host = urlsplit(self.base_url).hostname or ""
                self._rtsp_base = f"rtsp://{f'[{host}]' if ':' in host else host}:{DEVICE_RTSP_PORT}"
            assert self.admin is not None
            preflight(self.base_url, self.admin, verify=self.verify, timeout=10.0)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _start_emulator(self) -> None:
        from paircert.emulator.config import EmulatorConfig, User
        from paircert.emulator.embedded import EmbeddedEmulator

        self.admin = Credentials(self.run.user, secrets.token_urlsafe(18))
        ports = self.peers.ports or (554, 322, 80, 443)
        self._state_dir = Path(tempfile.mkdtemp(prefix="paircert-bench-"))
        config = EmulatorConfig(
            state_dir=self._state_dir,
            users=[User(self.admin.username, self.admin.password, "admin")],
            digest_algorithms=self.run.digest_algorithms,
            peer_rtsp_port=ports[0],
            peer_rtsps_port=ports[1],
            peer_http_port=ports[2],
            peer_https_port=ports[3],
            trust_ca_file=self.peers.ca_file,
        )
        self._emulator = EmbeddedEmulator(config)
        self._emulator.start()
        self.base_url, self.verify = self._emulator.http_url, str(self._emulator.ca_file)
        self._rtsp_base = self._emulator.rtsp_url

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients = []
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        self.peers.close()
        if self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)
            self._state_dir = None

    # --- access -----------------------------------------------------------------------------

    def peer(self, kind: PeerKind) -> HostedPeer:
        """The hosted peer of ``kind``; raises PeersUnavailable with the reason when there is none."""
        return self.peers.peer(kind)

    def http(self) -> httpx.Client:
        """A new keep-alive admin client to the target (closed with the rig)."""
        client = open_client(self.base_url, self.admin, verify=self.verify, timeout=10.0)
        self._clients.append(client)
        return client

    def camera_client(self) -> CameraPairingClient:
        return CameraPairingClient(DcaClient(self.http(), Transcript(), set_method=self.run.set_method))

    def radar_client(self) -> RadarClient:
        return RadarClient(self.http(), Transcript())

    @property
    def basic_url(self) -> str | None:
        """Where the target takes Basic credentials (its HTTPS side), for clients without Digest."""
        if self._emulator is not None:
            return self._emulator.https_url
        return self.base_url if self.base_url.startswith("https://") else None

    @property
    def camera_restream_url(self) -> str:
        """Where the device re-serves the paired camera's video."""
        return self._rtsp_base + MEDIA_PATH + CAMERA_RESTREAM_QUERY

    @property
    def radar_restream_url(self) -> str:
        """Where the device serves its metadata stream, which carries the paired radar's frames."""
        return self._rtsp_base + RADAR_METADATA_PATH
