"""The HTTPS server's certificate: the configured one, or a fresh trustme CA and leaf per start.

The CA certificate is written into the state directory so a client (the suite, curl) can trust it
by file; the leaf names every way a client on this machine may address the emulator.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import trustme

from .config import EmulatorConfig

__all__ = ["TlsFiles", "prepare_tls"]


@dataclass(frozen=True)
class TlsFiles:
    certfile: Path
    keyfile: Path
    ca_file: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def prepare_tls(config: EmulatorConfig) -> TlsFiles:
    if config.certfile is not None and config.keyfile is not None:
        return TlsFiles(Path(config.certfile), Path(config.keyfile), Path(config.certfile))
    tls_dir = config.state_dir / "tls"
    tls_dir.mkdir(parents=True, exist_ok=True)
    hosts = list(dict.fromkeys([config.host, "localhost", "127.0.0.1", "::1"]))
    ca = trustme.CA(organization_name="paircert emulator")
    leaf = ca.issue_cert(*hosts)
    files = TlsFiles(tls_dir / "server.pem", tls_dir / "server.key", tls_dir / "ca.pem")
    files.certfile.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    _write_private(files.keyfile, leaf.private_key_pem.bytes())
    files.ca_file.write_bytes(ca.cert_pem.bytes())
    return files
