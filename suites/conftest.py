"""Builders shared by every suite.

Suites have no ``__init__.py`` and run with ``--import-mode=importlib``, so shared request bodies
are fixtures here rather than importable modules. Each builder returns a fresh object, so a test
may change its copy freely.

Every address is from a documentation range (RFC 5737 / RFC 3849) or a ``.example`` /
``.invalid`` name, so a real device never dials a real host.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def valid_pairing(unreachable_address: str) -> dict[str, Any]:
    """The six fields ADD requires, all valid; RTSP so verifycertificate does not matter."""
    return {
        "address": unreachable_address,
        "username": "paircert",
        "password": "paircert-Peer-1",
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": "paircert conformance pairing",
    }
