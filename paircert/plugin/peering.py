"""The peers a run hosts for the streaming suite: a peer camera and a peer radar, with their CA.

With the embedded emulator the peers bind free ports on ``127.0.0.2`` (camera) and ``127.0.0.3``
(radar), the same port numbers on both (the emulator has one set of peer ports), and the emulator
is started after them, told those ports and the peers' CA as its trust store. Against a device
(``--target``) they bind the standard ports (or ``--peer-ports``) on ``--peer-address`` and
``--radar-peer-address``; without those the streaming tests are blocked with a reason that says
what to pass. The peers' account is made per run and scrubbed from every artifact.
"""

from __future__ import annotations

import errno
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from paircert.plugin.options import RunConfig

if TYPE_CHECKING:
    from paircert.peers.config import PeerConfig
    from paircert.peers.embedded import EmbeddedPeers, PeerHandle
    from paircert.peers.peer import FaultScope, PeerRecords

__all__ = [
    "EMBEDDED_CAMERA_ADDRESS",
    "EMBEDDED_RADAR_ADDRESS",
    "HostedPeer",
    "PeerHosting",
    "PeerKind",
    "PeersUnavailable",
]

PeerKind = Literal["camera", "radar"]

EMBEDDED_CAMERA_ADDRESS = "127.0.0.2"
EMBEDDED_RADAR_ADDRESS = "127.0.0.3"
PEER_USER = "paircert"
CA_FILE_NAME = "paircert-test-ca.pem"  # what paircert.peers.certs keeps in a CA directory
_BIND_ATTEMPTS = 4

NO_PEER_ADDRESS = (
    "the device needs peers to pair with: pass --peer-address ADDR (an address of this machine the device can "
    "reach; the peer camera binds 554/322/80/443 there, which needs root or CAP_NET_BIND_SERVICE)"
)
NO_RADAR_ADDRESS = (
    "the device needs a peer radar to pair with: pass --radar-peer-address ADDR (a second address of this machine "
    "the device can reach; it uses the same ports as the peer camera)"
)


class PeersUnavailable(Exception):
    """The peers cannot be hosted; the message is the blocked reason."""


@dataclass
class HostedPeer:
    """One peer as the suites see it: where to pair, with which account, and its switches.

    Every control call runs on the peers' event loop (thread-safe, bounded waits).
    """

    kind: PeerKind
    address: str
    username: str
    password: str = field(repr=False)
    product_model: str
    product_name: str
    handle: PeerHandle = field(repr=False)

    def set_faults(self, scope: FaultScope = "all", **faults: Any) -> None:
        """``refuse``, ``reject_credentials`` (scope all/rtsp/http); ``drop_after_frames``,
        ``stall_after_frames``, ``frame_delay_ms`` (RTSP)."""
        self.handle.set_faults(scope, **faults)

    def clear_faults(self) -> None:
        self.handle.clear_faults()

    def set_certificate(self, kind: str) -> None:
        """trusted, untrusted, self-signed, wrong-host or expired, from the next TLS handshake on."""
        self.handle.set_certificate(kind)

    def records(self) -> PeerRecords:
        """What devices did to this peer."""
        return self.handle.records()

    def clear_records(self) -> None:
        self.handle.clear_records()

    def reset(self) -> None:
        """Back to an honest peer: no faults, the trusted certificate, no records."""
        self.handle.clear_faults()
        self.handle.set_certificate("trusted")
        self.handle.clear_records()

    @property
    def ca_pem(self) -> bytes:
        return bytes(self.handle.ca_pem)


def _port(url: str | None) -> int:
    if url is None:
        raise PeersUnavailable("a peer started without one of its servers")
    port = urlsplit(url).port
    assert port is not None
    return port


class PeerHosting:
    """Starts and owns the run's peers (at most once); ``camera``/``radar`` or the blocked reason."""

    def __init__(self, run: RunConfig) -> None:
        self.options = run.peers
        self.digest_algorithms = run.digest_algorithms
        self.password = secrets.token_urlsafe(18)
        self.ports: tuple[int, int, int, int] | None = None
        self.ca_file: Path | None = None
        self.embedded = run.target_url is None
        self._hosts: list[EmbeddedPeers] = []
        self._peers: dict[str, HostedPeer] = {}
        self._reasons: dict[str, str] = {}
        self._tmp: Path | None = None
        self.started = False

    # --- start --------------------------------------------------------------------------------

    def start(self) -> None:
        """Host the peers once; a failure becomes the blocked reason of every peer test."""
        if self.started:
            return
        self.started = True
        try:
            if self.embedded:
                self._start_embedded()
            else:
                self._start_external()
        except PeersUnavailable as exc:
            self._reasons.setdefault("camera", str(exc))
            self._reasons.setdefault("radar", str(exc))
            self.close()

    def _ca_dir(self) -> Path:
        if self.options.ca_dir is not None:
            return self.options.ca_dir
        self._tmp = Path(tempfile.mkdtemp(prefix="paircert-peer-ca-"))
        return self._tmp

    def _config(self, kind: PeerKind, address: str, ports: tuple[int, int, int, int], ca_dir: Path) -> PeerConfig:
        from paircert.peers.config import PeerConfig

        rtsp, rtsps, http, https = ports
        return PeerConfig(
            kind=kind,
            address=address,
            user=PEER_USER,
            password=self.password,
            rtsp_port=rtsp,
            rtsps_port=rtsps,
            http_port=http,
            https_port=https,
            ca_dir=ca_dir,
            digest_algorithms=self.digest_algorithms,
        )

    def _host(self, kind: PeerKind, address: str, ports: tuple[int, int, int, int], ca_dir: Path) -> PeerHandle:
        from paircert.peers.embedded import EmbeddedPeers

        host = EmbeddedPeers([self._config(kind, address, ports, ca_dir)])
        host.start()
        self._hosts.append(host)
        handle = host[0]
        model, name = handle.properties["ProdNbr"], handle.properties["ProdFullName"]
        self._peers[kind] = HostedPeer(kind, address, PEER_USER, self.password, model, name, handle)
        return handle

    def _start_embedded(self) -> None:
        ca_dir = self._ca_dir()
        last: OSError | None = None
        for _ in range(_BIND_ATTEMPTS):  # the radar wants the camera's free ports on its own address
            try:
                camera = self._host("camera", EMBEDDED_CAMERA_ADDRESS, (0, 0, 0, 0), ca_dir)
                urls = camera.urls
                ports = (_port(urls.rtsp), _port(urls.rtsps), _port(urls.http), _port(urls.https))
                self._host("radar", EMBEDDED_RADAR_ADDRESS, ports, ca_dir)
            except OSError as exc:
                last = exc
                self._stop_hosts()
                if exc.errno != errno.EADDRINUSE:
                    break
                continue
            except Exception as exc:
                self._stop_hosts()
                raise PeersUnavailable(f"the suite's peers did not start: {type(exc).__name__}: {exc}") from None
            self.ports = ports
            self.ca_file = ca_dir / CA_FILE_NAME
            return
        raise PeersUnavailable(
            f"the suite's peers did not start on {EMBEDDED_CAMERA_ADDRESS}/{EMBEDDED_RADAR_ADDRESS}: {last}"
        )

    def _start_external(self) -> None:
        options = self.options
        if options.address is None:
            raise PeersUnavailable(NO_PEER_ADDRESS)
        ca_dir = self._ca_dir()
        ports = options.ports
        wanted: list[tuple[PeerKind, str]] = [("camera", options.address)]
        if options.radar_address is not None:
            wanted.append(("radar", options.radar_address))
        else:
            self._reasons["radar"] = NO_RADAR_ADDRESS
        for kind, address in wanted:
            try:
                self._host(kind, address, ports, ca_dir)
            except OSError as exc:
                self._reasons[kind] = f"the peer {kind} cannot listen on {address}: {_bind_message(exc)}"
            except Exception as exc:
                self._reasons[kind] = f"the peer {kind} did not start: {type(exc).__name__}: {exc}"
        self.ports = ports
        self.ca_file = ca_dir / CA_FILE_NAME

    # --- access -------------------------------------------------------------------------------

    def peer(self, kind: PeerKind) -> HostedPeer:
        self.start()
        peer = self._peers.get(kind)
        if peer is None:
            raise PeersUnavailable(self._reasons.get(kind, f"no peer {kind} is hosted"))
        return peer

    def refuse(self, reason: str) -> None:
        """Make every later ``peer`` call fail with ``reason`` (the target cannot use the peers)."""
        self.started = True
        self._reasons = {"camera": reason, "radar": reason}
        self.close()

    def close(self) -> None:
        self._stop_hosts()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _stop_hosts(self) -> None:
        for host in self._hosts:
            try:
                host.stop()
            except Exception:  # best effort at the end of a run
                pass
        self._hosts = []
        self._peers = {}


def _bind_message(exc: OSError) -> str:
    port = getattr(exc, "port", None)
    where = f"port {port}" if port is not None else "a port"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; or --peer-ports)"
    if exc.errno == errno.EADDRINUSE:
        return f"{where}: address already in use"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{where}: the address is not configured on this machine"
    return f"{where}: {exc.strerror or exc}"
