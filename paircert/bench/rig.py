"""What a benchmark runs against: the target of a run (a device or the embedded emulator) and its peers.

The run's options are read by the plugin's one reader (:func:`paircert.plugin.options.read_run_config`),
the target is brought up by the plugin's :class:`~paircert.plugin.target.Target` (with the same
emulator choices, faults and preflight) and the peers are hosted by its
:class:`~paircert.plugin.peering.PeerHosting`, so a benchmark reaches a device exactly as
``paircert run`` does. A run that includes benchmarks lends the rig its own peers and target
(``Rig(run, lent=...)``), which the rig uses but leaves running for the run to stop.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.dca import DcaClient
from paircert.clients.http import Credentials, open_client
from paircert.clients.radar import RadarClient
from paircert.clients.transcript import Transcript
from paircert.plugin.options import RunConfig
from paircert.plugin.peering import HostedPeer, PeerHosting, PeerKind
from paircert.plugin.target import Target
from paircert.vapix.paths import MEDIA_PATH, RADAR_METADATA_PATH

__all__ = ["Rig"]

CAMERA_RESTREAM_QUERY = "?camera=2"  # how an Axis device names its second (paired) video source


class Rig:
    """The target and the peers for one benchmark; ``with Rig(run) as rig`` starts and stops both."""

    def __init__(self, run: RunConfig, lent: tuple[PeerHosting, Target] | None = None) -> None:
        """``lent``: a run's own peers and target, started here if the run has not yet, never stopped here."""
        self.run = run
        if lent is None:
            self.peers = PeerHosting(run)
            self.target = Target(run, self.peers, keep_secret=lambda secret: None)
        else:
            self.peers, self.target = lent
        self._owns_hosts = lent is None
        self.base_url = ""
        self.admin: Credentials | None = None
        self.verify: bool | str = run.verify
        self.embedded = run.target_url is None
        self._rtsp_base = ""
        self._basic_url: str | None = None
        self._clients: list[httpx.Client] = []

    def __enter__(self) -> Self:
        try:
            self.peers.start()
            config = self.target.start(wants_peers=True)
        except BaseException:
            self.close()
            raise
        self.base_url, self.admin, self.verify = config.base_url, config.admin, config.verify
        self._rtsp_base, self._basic_url = config.rtsp_base, config.basic_url
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients = []
        if self._owns_hosts:
            self.target.close()
            self.peers.close()

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
        return self._basic_url

    @property
    def camera_restream_url(self) -> str:
        """Where the device re-serves the paired camera's video."""
        return self._rtsp_base + MEDIA_PATH + CAMERA_RESTREAM_QUERY

    @property
    def radar_restream_url(self) -> str:
        """Where the device serves its metadata stream, which carries the paired radar's frames."""
        return self._rtsp_base + RADAR_METADATA_PATH
