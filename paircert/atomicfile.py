"""Replace a file so that a crash at any instant leaves either the old content or the new, whole.

The emulator's state record and the restore journal both promise that, and neither may import the
other, so the one way to do it lives here, on the standard library alone: the data goes to a
temporary file in the same folder (so ``os.replace`` is a rename on one file system), is fsynced,
replaces the file, and the folder is fsynced so the rename itself survives a power cut. The new
file is readable by its owner only (``mkstemp``'s mode), which the emulator's record of passwords
needs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: Path, data: bytes, *, prefix: str, suffix: str = "") -> None:
    """Put ``data`` at ``path``; the temporary file is named ``prefix...suffix`` beside it, and is
    removed again if the write fails, so a reader that sweeps such names finds only a crash's."""
    folder = path.parent
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
