"""Fixtures of the radar pairing suite: the document revision the device follows, valid
configurations, and devices configured (and activated) to order."""

from __future__ import annotations

from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.verdicts import step_success


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
def configured_radar(
    request: pytest.FixtureRequest, empty_radar: RadarClient, radar_params: dict[str, Any]
) -> RadarClient:
    """The empty device after a valid setRadarConnection (inactive); a refusal breaks RP-SET-CONNECTION."""
    resp = empty_radar.call("setRadarConnection", radar_params)
    step_success(request, "RP-SET-CONNECTION", resp, step="setRadarConnection with valid params")
    return empty_radar


@pytest.fixture
def active_radar(request: pytest.FixtureRequest, configured_radar: RadarClient) -> RadarClient:
    """A configured device after setActive(true); a refusal breaks RP-SET-ACTIVE."""
    resp = configured_radar.set_active(True)
    step_success(request, "RP-SET-ACTIVE", resp, step="setActive(true) on a configured device")
    return configured_radar
