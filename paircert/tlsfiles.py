"""Certificate files on disk, shared by the emulator and the peers.

Private keys are written owner-only (0600) from the first byte, never chmod-ed afterwards.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TlsFiles", "write_private"]


@dataclass(frozen=True)
class TlsFiles:
    """A server certificate chain, its key, and the CA certificate a client should trust."""

    certfile: Path
    keyfile: Path
    ca_file: Path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
