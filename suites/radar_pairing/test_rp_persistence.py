"""Persistence: a radar configuration and its activation survive a restart of the device.

setRadarConnection and setActive are configuration, which clearConfiguration calls "stored":
RP-PERSISTS-RESTART is an inferred requirement (the report says so), and a device that forgets
it at its next restart breaks it for every user who reboots. The device is restarted with ``--restart-command`` (the embedded emulator restarts
itself, keeping its state); without a way to restart it the test is blocked. The password is
write-only, so only the link's later state could show it survived, not a read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_success

pytestmark = pytest.mark.changes_state


@pytest.mark.requirement("RP-PERSISTS-RESTART")
def test_an_active_configuration_survives_a_restart(
    active_radar: RadarClient,
    radar_params: dict[str, Any],
    restart_device: Callable[[], None],
    same_address: Callable[[Any, Any], bool],
) -> None:
    restart_device()
    data = expect_success(active_radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
    lost = []
    if not same_address(radar_params["address"], data["address"]) or data["user"] != radar_params["user"]:
        lost.append(
            f"RP-PERSISTS-RESTART: address and user read {data['address']!r}, {data['user']!r} after a restart, "
            f"but setRadarConnection wrote {radar_params['address']!r}, {radar_params['user']!r}"
        )
    for name in ("tls", "tls-certificate-cn"):
        if name in radar_params and data.get(name) != radar_params[name]:
            lost.append(
                f"RP-PERSISTS-RESTART: {name} reads {data.get(name)!r} after a restart, but setRadarConnection wrote {radar_params[name]!r}"
            )
    active = expect_success(active_radar.get_active(), schema="radar-pairing/response/getActive")["active"]
    if active is not True:
        lost.append(
            f"RP-PERSISTS-RESTART: getActive answers {active!r} after a restart, but setActive(true) was acknowledged"
        )
    assert not lost, "; ".join(lost)
