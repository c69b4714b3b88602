"""The one reader of the data folders that sit outside the package (``schemas/``, ``suites/``).

A wheel carries them under ``paircert/_data/`` (see ``pyproject.toml``); a checkout or an editable
install has them beside the package. Everything that needs those files asks here, so there is one
answer to "where are the schemas" for every kind of install.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = ["DataName", "data_dir"]

DataName = Literal["schemas", "suites"]

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: DataName) -> Path:
    """Return the folder holding the named data set, installed copy first."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"paircert data folder {name!r} is missing from this installation")
