"""``python -m paircert.emulator``: a minimal runner for tests that need the emulator in a process.

Prints one JSON line ``{"http": ..., "https": ..., "ca_file": ..., "rtsp": ..., "rtsps": ...}`` on stdout
when ready. Users are
``--user NAME:ROLE``; their password comes from ``PAIRCERT_EMULATOR_PASSWORD`` so it never shows in
a process list. The real command line is ``paircert emulator`` (paircert.cli).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from .config import EmulatorConfig, User
from .server import serve


def _config(argv: list[str] | None) -> EmulatorConfig:
    parser = argparse.ArgumentParser(prog="python -m paircert.emulator")
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--user", action="append", default=[], metavar="NAME:ROLE")
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--https-port", type=int, default=0)
    parser.add_argument("--rtsp-port", type=int, default=0)
    parser.add_argument("--rtsps-port", type=int, default=0)
    parser.add_argument("--trust-ca-file", type=Path, default=None, help="CA that signs the peers' certificates")
    for kind, default in (("rtsp", 554), ("rtsps", 322), ("http", 80), ("https", 443)):
        parser.add_argument(f"--peer-{kind}-port", type=int, default=default)
    args = parser.parse_args(argv)
    password = os.environ.get("PAIRCERT_EMULATOR_PASSWORD", "")
    users = []
    for spec in args.user:
        name, _, role = spec.partition(":")
        users.append(User(name, password, role))  # type: ignore[arg-type]
    return EmulatorConfig(
        state_dir=args.state_dir,
        users=users,
        http_port=args.http_port,
        https_port=args.https_port,
        rtsp_port=args.rtsp_port,
        rtsps_port=args.rtsps_port,
        trust_ca_file=args.trust_ca_file,
        peer_rtsp_port=args.peer_rtsp_port,
        peer_rtsps_port=args.peer_rtsps_port,
        peer_http_port=args.peer_http_port,
        peer_https_port=args.peer_https_port,
    )


async def _main(config: EmulatorConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    streams: dict[str, str] = {}

    def on_rtsp(rtsp_url: str, rtsps_url: str) -> None:
        streams.update(rtsp=rtsp_url, rtsps=rtsps_url)

    def ready(http_url: str, https_url: str, ca_file: Path) -> None:
        print(json.dumps({"http": http_url, "https": https_url, "ca_file": str(ca_file), **streams}), flush=True)

    await serve(config, ready, stop=stop, on_rtsp=on_rtsp)


def main(argv: list[str] | None = None) -> int:
    asyncio.run(_main(_config(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
