"""Fixtures of the radar pairing suite: the document revision the device follows, valid
configurations, and devices configured (and activated) to order."""

from __future__ import annotations

from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.verdicts import blocked


@pytest.fixture
def radar_params(radar_revision: str, unreachable_address: str) -> dict[str, Any]:
    """A valid setRadarConnection params object for the device's revision (a fresh dict)."""
    params: dict[str, Any] = {"address": unreachable_address, "user": "paircert", "password": "paircert-Radar-1"}
    if radar_revision == "2026-01":
        params["tls-certificate-cn"] = "radar.example"
    else:
        params["tls"] = False
    return params


@pytest.fixture
def configured_radar(empty_radar: RadarClient, radar_params: dict[str, Any]) -> RadarClient:
    """The empty device after a valid setRadarConnection (inactive)."""
    resp = empty_radar.call("setRadarConnection", radar_params)
    if not resp.ok:
        blocked(f"setRadarConnection with valid params was refused (HTTP {resp.status_code}, error {resp.error_code})")
    return empty_radar


@pytest.fixture
def active_radar(configured_radar: RadarClient) -> RadarClient:
    """A configured device after setActive(true)."""
    resp = configured_radar.set_active(True)
    if not resp.ok:
        blocked(f"setActive(true) on a configured device was refused (error {resp.error_code})")
    return configured_radar
