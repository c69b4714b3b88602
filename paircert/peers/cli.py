"""``paircert peers``: run a peer camera and/or radar in the foreground for manual and real-device work.

It prints the URLs when ready and runs until Ctrl-C (exit 0). Problems the user can cause (a port
in use, a privileged port without the right to bind it, a bad option) end as one readable line
and exit 1, never a traceback. The password comes from ``--password`` or, better, the
``PAIRCERT_PEER_PASSWORD`` environment variable, and is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import os
import signal
import sys
from pathlib import Path
from typing import Any

from paircert.auth import digest_algorithms

from .certs import CERT_KINDS
from .config import PeerConfig
from .control import ControlServer
from .embedded import peer_names
from .peer import FAULT_NAMES, BindError, Peer

__all__ = ["PASSWORD_ENV", "add_arguments", "parse_fault", "peer_configs", "run"]

PASSWORD_ENV = "PAIRCERT_PEER_PASSWORD"
_FAULT_ALIASES = {
    "refuse": "refuse",
    "reject-credentials": "reject_credentials",
    "drop-after": "drop_after_frames",
    "drop-after-frames": "drop_after_frames",
    "stall-after": "stall_after_frames",
    "stall-after-frames": "stall_after_frames",
    "delay": "frame_delay_ms",
    "frame-delay-ms": "frame_delay_ms",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kind", choices=("camera", "radar", "both"), default="camera")
    parser.add_argument("--address", default="127.0.0.2", metavar="ADDR", help="address to bind (default 127.0.0.2)")
    parser.add_argument(
        "--radar-address",
        default=None,
        metavar="ADDR",
        help="the radar's address with --kind both (default 127.0.0.3); each peer needs its own",
    )
    parser.add_argument("--rtsp-port", type=int, default=554, metavar="N", help="RTSP port (default 554; 0 picks one)")
    parser.add_argument("--rtsps-port", type=int, default=322, metavar="N", help="RTSP over TLS port (default 322)")
    parser.add_argument(
        "--http-port", type=int, default=80, metavar="N", help="HTTP port for basicdeviceinfo.cgi (default 80)"
    )
    parser.add_argument("--https-port", type=int, default=443, metavar="N", help="HTTPS port (default 443)")
    parser.add_argument("--user", default="root", metavar="NAME", help="the account devices log in with (default root)")
    parser.add_argument(
        "--password", metavar="SECRET", help=f"its password; prefer the {PASSWORD_ENV} environment variable"
    )
    parser.add_argument(
        "--digest-algorithms",
        default="MD5",
        metavar="LIST",
        help="Digest algorithms the 401 offers on HTTP and RTSP, in order, comma separated: MD5, MD5-sess, "
        "SHA-256, SHA-256-sess (default MD5, which every common client speaks)",
    )
    parser.add_argument(
        "--cert",
        choices=CERT_KINDS,
        default="trusted",
        metavar="KIND",
        help=f"certificate on RTSPS/HTTPS: {', '.join(CERT_KINDS)} (default trusted)",
    )
    parser.add_argument(
        "--hostname",
        action="append",
        default=[],
        metavar="NAME",
        help="a DNS name the certificate also carries (repeatable)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="refuse, reject-credentials, drop-after=N, stall-after=N, delay=MS; prefix rtsp: or http: "
        "to act on one side only (repeatable)",
    )
    parser.add_argument(
        "--ca-dir", type=Path, metavar="DIR", help="keep the test CA here (made on first use, then reused)"
    )
    parser.add_argument(
        "--ca-cert", type=Path, metavar="PEM", help="bring your own test CA certificate (with --ca-key)"
    )
    parser.add_argument("--ca-key", type=Path, metavar="PEM", help="its private key")
    parser.add_argument(
        "--ca-out", type=Path, metavar="FILE", help="write the test CA certificate (what a device must trust)"
    )
    parser.add_argument("--fps", type=float, default=25.0, help="camera frame rate (default 25)")
    parser.add_argument("--sweep-hz", type=float, default=10.0, help="radar frames per second (default 10)")
    parser.add_argument("--objects", type=int, default=3, help="radar objects per frame (default 3)")
    parser.add_argument(
        "--control-port",
        type=int,
        default=None,
        metavar="N",
        help="serve the JSON control endpoint on 127.0.0.1:N (0 picks a port)",
    )


def parse_fault(text: str) -> tuple[str, str, Any]:
    """``[scope:]name[=value]`` → (scope, field name, value)."""
    scope, colon, rest = text.partition(":")
    if not colon:
        scope, rest = "all", text
    if scope not in ("all", "rtsp", "http"):
        raise ValueError(f"unknown fault scope {scope!r} in {text!r}")
    name, eq, raw = rest.partition("=")
    field = _FAULT_ALIASES.get(name.strip().lower().replace("_", "-"))
    if field is None:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(_FAULT_ALIASES))}")
    assert field in FAULT_NAMES
    value: Any
    if field in ("refuse", "reject_credentials"):
        value = raw.lower() not in ("0", "false", "off", "no") if eq else True
    else:
        if not eq:
            raise ValueError(f"fault {name} needs a value ({name}=N)")
        try:
            value = float(raw) if field == "frame_delay_ms" else int(raw)
        except ValueError:
            raise ValueError(f"fault {name} takes a number, not {raw!r}") from None
    return scope, field, value


def _error(message: str) -> int:
    print(f"paircert peers: error: {message}", file=sys.stderr)
    return 1


def _bind_message(exc: OSError) -> str:
    where = f"cannot listen on {exc.where}" if isinstance(exc, BindError) else "cannot listen"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{where}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; or pick other ports)"
    if exc.errno == errno.EADDRINUSE:
        return f"{where}: address already in use"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{where}: the address is not configured on this machine"
    return f"{where}: {exc.strerror or exc}"


def peer_configs(args: argparse.Namespace, password: str) -> list[PeerConfig]:
    """The peers the parsed options describe (one, or camera and radar with --kind both)."""
    kinds = ["camera", "radar"] if args.kind == "both" else [args.kind]
    addresses = {"camera": args.address, "radar": args.address}
    if args.kind == "both":
        addresses["radar"] = args.radar_address or "127.0.0.3"
        if addresses["radar"] == addresses["camera"]:
            raise ValueError("with --kind both the radar needs its own --radar-address")
    from paircert.media.metadata import MetadataSettings
    from paircert.media.video import VideoSettings

    return [
        PeerConfig(
            kind=kind,  # type: ignore[arg-type]  # from the argparse choices
            address=addresses[kind],
            password=password,
            user=args.user,
            rtsp_port=args.rtsp_port,
            rtsps_port=args.rtsps_port,
            http_port=args.http_port,
            https_port=args.https_port,
            digest_algorithms=digest_algorithms(args.digest_algorithms),
            cert=args.cert,
            hostnames=tuple(args.hostname),
            ca_dir=args.ca_dir,
            ca_cert=args.ca_cert,
            ca_key=args.ca_key,
            video=VideoSettings(fps=args.fps),
            metadata=MetadataSettings(sweep_hz=args.sweep_hz, objects=args.objects),
        )
        for kind in kinds
    ]


def run(args: argparse.Namespace) -> int:
    password = args.password or os.environ.get(PASSWORD_ENV)
    if not password:
        return _error(f"no password: set {PASSWORD_ENV} (or give --password)")
    try:
        faults = [parse_fault(text) for text in args.fault]
        for address in (args.address, args.radar_address):
            if address is not None:
                ipaddress.ip_address(address)
        configs = peer_configs(args, password)
    except ValueError as exc:
        return _error(str(exc))
    try:
        return asyncio.run(_serve(args, configs, faults))
    except KeyboardInterrupt:
        return 0


async def _serve(args: argparse.Namespace, configs: list[PeerConfig], faults: list[tuple[str, str, Any]]) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass
    peers: list[Peer] = []
    control: ControlServer | None = None
    try:
        try:
            for config in configs:
                peer = Peer(config)
                peers.append(peer)
                await peer.start()
            for scope, field, value in faults:
                for peer in peers:
                    peer.set_faults(scope, **{field: value})  # type: ignore[arg-type]  # checked by parse_fault
            if args.control_port is not None:
                control = ControlServer(dict(zip(peer_names(peers), peers, strict=False)), port=args.control_port)
                await control.start()
            if args.ca_out is not None:
                peers[0].write_ca(args.ca_out)
        except OSError as exc:
            return _error(_bind_message(exc))
        except ValueError as exc:
            return _error(str(exc))
        for peer in peers:
            urls = peer.urls
            print(
                f"{peer.kind} {peer.properties['ProdNbr']} ({peer.properties['ProdFullName']}) on {peer.address}, "
                f"certificate {peer.cert_kind}"
            )
            for label, url in (("rtsp", urls.rtsp), ("rtsps", urls.rtsps), ("http", urls.http), ("https", urls.https)):
                if url is not None:
                    print(f"  {label:6} {url}")
        if control is not None:
            print(f"control  {control.url}/peers")
        if args.ca_out is not None:
            print(f"test CA  {args.ca_out}")
        print("ready; Ctrl-C stops", flush=True)
        await stop.wait()
        return 0
    finally:
        if control is not None:
            await control.close()
        for peer in peers:
            await peer.close()
