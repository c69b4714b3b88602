"""The HTTPS server's certificate: the configured one, or a fresh trustme CA and leaf per start.

The CA certificate is written into the state directory so a client (the suite, curl) can trust it
by file; the leaf names every way a client on this machine may address the emulator.
"""

from __future__ import annotations

from pathlib import Path

import trustme

from ..tlsfiles import TlsFiles, write_private
from .config import EmulatorConfig

__all__ = ["TlsFiles", "prepare_tls"]


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
    write_private(files.keyfile, leaf.private_key_pem.bytes())
    files.ca_file.write_bytes(ca.cert_pem.bytes())
    return files
