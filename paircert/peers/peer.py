"""A peer device: RTSP, RTSPS, HTTP and HTTPS servers around one media source, with faults and records.

:class:`PeerCamera` serves H.264 video and :class:`PeerRadar` ONVIF metadata at
``/axis-media/media.amp``; both answer ``basicdeviceinfo.cgi`` so a device learns its model and
name. The servers share one set of fault switches per side (``rtsp`` for both RTSP servers,
``http`` for both HTTP servers) and one certificate kind, all switchable while the peer runs.
Methods here run on the peer's event loop; :class:`~paircert.peers.embedded.EmbeddedPeers`
calls them from other threads.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from paircert.media.sources import MEDIA_PATH, CameraMedia, RadarMedia
from paircert.rtsp.faults import Faults
from paircert.rtsp.record import ClientRecord
from paircert.rtsp.server import RtspServer
from paircert.vapix.deviceinfo import properties

from .certs import CERT_KINDS, PeerCertificates, load_test_ca
from .config import PeerConfig
from .httpserver import HttpFaults, HttpRecord, HttpServer
from .vapix import DeviceInfoHandler

__all__ = ["FAULT_NAMES", "RADAR_QUERY", "BindError", "Peer", "PeerCamera", "PeerRadar", "PeerRecords", "PeerUrls"]

RADAR_QUERY = "?video=0&audio=0&analytics=polygon"
FaultScope = Literal["all", "rtsp", "http"]
FAULT_NAMES = ("refuse", "reject_credentials", "drop_after_frames", "stall_after_frames", "frame_delay_ms")
_BOTH_SIDES = ("refuse", "reject_credentials")


class BindError(OSError):
    """A server of the peer could not listen; ``errno`` says why (EADDRINUSE, EACCES, ...)."""

    def __init__(self, cause: OSError, address: str, port: int, label: str) -> None:
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.address, self.port, self.label = address, port, label

    @property
    def where(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port} ({self.label})"

    def __str__(self) -> str:
        return f"{self.where}: {self.strerror}"


@dataclass(frozen=True)
class PeerUrls:
    rtsp: str | None
    rtsps: str | None
    http: str | None
    https: str | None


@dataclass(frozen=True)
class PeerRecords:
    """Copies of what devices did to the peer, per server, oldest first."""

    rtsp: tuple[ClientRecord, ...]
    rtsps: tuple[ClientRecord, ...]
    http: tuple[HttpRecord, ...]
    https: tuple[HttpRecord, ...]

    @property
    def streams(self) -> tuple[ClientRecord, ...]:
        return self.rtsp + self.rtsps

    @property
    def deviceinfo_calls(self) -> tuple[HttpRecord, ...]:
        return tuple(r for r in self.http + self.https if r.cgi_method is not None)

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        return {
            name: [dataclasses.asdict(r) for r in getattr(self, name)] for name in ("rtsp", "rtsps", "http", "https")
        }


def _loopback_or_any(address: str) -> str:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError as exc:
        raise ValueError(f"a peer binds to an IP address, not {address!r}") from exc


class Peer:
    """One peer device. ``async with`` (or start/close) runs it on the current event loop."""

    def __init__(self, config: PeerConfig) -> None:
        self.config = config
        self.address = _loopback_or_any(config.address)
        self.rtsp_faults = Faults()
        self.http_faults = HttpFaults()
        self.cert_kind = config.cert
        self.media: CameraMedia | RadarMedia | None = None
        self.certificates = PeerCertificates(
            load_test_ca(config.ca_dir, ca_cert=config.ca_cert, ca_key=config.ca_key),
            [self.address, *config.hostnames],
        )
        self.properties = properties(**config.properties())
        self._rtsp_context: ssl.SSLContext | None = None
        self._https_context: ssl.SSLContext | None = None
        self.rtsp_server: RtspServer | None = None
        self.rtsps_server: RtspServer | None = None
        self.http_server: HttpServer | None = None
        self.https_server: HttpServer | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kind={self.config.kind!r}, address={self.address!r}, cert={self.cert_kind!r})"

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def path(self) -> str:
        """The stream path with the query a device should use for this kind."""
        return MEDIA_PATH + (RADAR_QUERY if self.kind == "radar" else "")

    @property
    def ca_pem(self) -> bytes:
        return self.certificates.ca_pem

    def write_ca(self, path: Path) -> Path:
        return self.certificates.write_ca(path)

    @property
    def urls(self) -> PeerUrls:
        def stream(server: RtspServer | None) -> str | None:
            return server.url(self.path) if server is not None else None

        def web(server: HttpServer | None) -> str | None:
            return server.url if server is not None else None

        return PeerUrls(
            stream(self.rtsp_server), stream(self.rtsps_server), web(self.http_server), web(self.https_server)
        )

    async def start(self) -> None:
        """Bind every configured port; on any failure (port in use, no permission) close what started."""
        config = self.config
        users = {config.user: config.password}
        if self.kind == "camera":
            self.media = CameraMedia(config.video, name=self.properties["ProdFullName"])
        else:
            self.media = RadarMedia(config.metadata, name=self.properties["ProdFullName"])
        realm = f"AXIS_{self.properties['SerialNumber']}"
        try:
            if config.rtsp_port is not None:
                self.rtsp_server = self._rtsp(config.rtsp_port, None, users, realm)
                await self._listen(self.rtsp_server, config.rtsp_port, "rtsp")
            if config.rtsps_port is not None:
                self._rtsp_context = self.certificates.server_context(self.cert_kind)
                self.rtsps_server = self._rtsp(config.rtsps_port, self._rtsp_context, users, realm)
                await self._listen(self.rtsps_server, config.rtsps_port, "rtsps")
            handler = DeviceInfoHandler(
                self.properties,
                users=users,
                realm=realm,
                schemes=config.http_schemes,
                digest_algorithms=config.digest_algorithms,
                faults=self.http_faults,
            )
            if config.http_port is not None:
                self.http_server = HttpServer(
                    handler, host=self.address, port=config.http_port, faults=self.http_faults
                )
                await self._listen(self.http_server, config.http_port, "http")
            if config.https_port is not None:
                self._https_context = self.certificates.server_context(self.cert_kind)
                self.https_server = HttpServer(
                    handler,
                    host=self.address,
                    port=config.https_port,
                    ssl_context=self._https_context,
                    faults=self.http_faults,
                )
                await self._listen(self.https_server, config.https_port, "https")
        except BaseException:
            await self.close()
            raise

    async def _listen(self, server: RtspServer | HttpServer, port: int, label: str) -> None:
        try:
            await server.start()
        except OSError as exc:
            raise BindError(exc, self.address, port, label) from exc

    def _rtsp(self, port: int, context: ssl.SSLContext | None, users: dict[str, str], realm: str) -> RtspServer:
        assert self.media is not None
        return RtspServer(
            self.media,
            host=self.address,
            port=port,
            ssl_context=context,
            users=users,
            schemes=self.config.rtsp_schemes,
            realm=realm,
            digest_algorithms=self.config.digest_algorithms,
            session_timeout=self.config.session_timeout,
            stall_timeout=self.config.stall_timeout,
            faults=self.rtsp_faults,
        )

    async def close(self) -> None:
        """Close every server, then the media (which stops the encoder). Safe to call twice."""
        for name in ("rtsp_server", "rtsps_server", "http_server", "https_server"):
            server = getattr(self, name)
            if server is not None:
                await server.close()
        if self.media is not None:
            await self.media.close()

    async def __aenter__(self) -> Peer:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- control --------------------------------------------------------------------------------

    def set_faults(self, scope: FaultScope = "all", **values: Any) -> None:
        """Switch faults: ``refuse``/``reject_credentials`` act on the sides in ``scope``; the frame
        faults (``drop_after_frames``, ``stall_after_frames``, ``frame_delay_ms``) on RTSP."""
        if scope not in ("all", "rtsp", "http"):
            raise ValueError(f"unknown fault scope {scope!r}")
        unknown = set(values) - set(FAULT_NAMES)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {', '.join(FAULT_NAMES)}")
        if scope == "http" and set(values) - set(_BOTH_SIDES):
            raise ValueError("frame faults act on RTSP only")
        checked = {name: _check_fault(name, value) for name, value in values.items()}
        for name, value in checked.items():
            if scope in ("all", "rtsp"):
                setattr(self.rtsp_faults, name, value)
            if scope in ("all", "http") and name in _BOTH_SIDES:
                setattr(self.http_faults, name, value)

    def set_metadata_rate(self, sweep_hz: float, objects: int) -> None:
        """A radar's sweeps per second and objects per sweep, from the next frame on."""
        if not isinstance(self.media, RadarMedia):
            raise ValueError("only a radar peer has a metadata rate")
        settings = dataclasses.replace(self.media.settings, sweep_hz=sweep_hz, objects=objects)
        self.media.retune(settings)

    def clear_faults(self) -> None:
        for field in dataclasses.fields(Faults):
            setattr(self.rtsp_faults, field.name, field.default)
        for field in dataclasses.fields(HttpFaults):
            setattr(self.http_faults, field.name, field.default)

    def set_certificate(self, kind: str) -> None:
        """Present a certificate of ``kind`` on RTSPS and HTTPS from the next handshake on."""
        if kind not in CERT_KINDS:
            raise ValueError(f"unknown certificate kind {kind!r}; choose from {', '.join(CERT_KINDS)}")
        for context in (self._rtsp_context, self._https_context):
            if context is not None:
                self.certificates.load_into(context, kind)
        self.cert_kind = kind  # type: ignore[assignment]  # checked against CERT_KINDS above

    def records(self) -> PeerRecords:
        def copies(server: Any) -> tuple[Any, ...]:
            return tuple(copy.deepcopy(list(server.records))) if server is not None else ()

        return PeerRecords(
            copies(self.rtsp_server), copies(self.rtsps_server), copies(self.http_server), copies(self.https_server)
        )

    def clear_records(self) -> None:
        for server in (self.rtsp_server, self.rtsps_server, self.http_server, self.https_server):
            if server is not None:
                server.records.clear()

    def state(self) -> dict[str, Any]:
        """JSON-ready summary: identity, URLs, faults, certificate kind, media cost, records."""
        media = self.media
        stats = media.stats if media is not None else None
        return {
            "kind": self.kind,
            "address": self.address,
            "product": {"ProdNbr": self.properties["ProdNbr"], "ProdFullName": self.properties["ProdFullName"]},
            "urls": dataclasses.asdict(self.urls),
            "cert": self.cert_kind,
            "faults": {"rtsp": dataclasses.asdict(self.rtsp_faults), "http": dataclasses.asdict(self.http_faults)},
            "media": None
            if stats is None
            else {
                "running": media.running if media is not None else False,
                "producers_started": stats.producers_started,
                "frames_produced": stats.frames_produced,
                "mean_produce_ms": round(stats.mean_produce_ms, 3),
            },
            "records": self.records().to_json(),
        }


def _check_fault(name: str, value: Any) -> Any:
    if name in _BOTH_SIDES:
        if not isinstance(value, bool):
            raise ValueError(f"fault {name} takes true or false")
        return value
    if name == "frame_delay_ms":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 60_000:
            raise ValueError("frame_delay_ms takes a number of milliseconds in [0, 60000]")
        return float(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"fault {name} takes a frame count >= 0 (or null to switch it off)")
    return value


class PeerCamera(Peer):
    """A peer camera (H.264 video); keyword arguments override :class:`PeerConfig` fields."""

    def __init__(self, config: PeerConfig | None = None, **overrides: Any) -> None:
        base = config or PeerConfig(kind="camera", password=overrides.pop("password", ""))
        super().__init__(dataclasses.replace(base, kind="camera", **overrides))


class PeerRadar(Peer):
    """A peer radar (ONVIF metadata); keyword arguments override :class:`PeerConfig` fields."""

    def __init__(self, config: PeerConfig | None = None, **overrides: Any) -> None:
        base = config or PeerConfig(kind="radar", password=overrides.pop("password", ""))
        super().__init__(dataclasses.replace(base, kind="radar", **overrides))
