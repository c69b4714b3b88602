"""tls-certificate-cn (2026-01 revision): getRadarConnection answers the common name that was set.

A device that accepts the field but does not keep it would dial its radar without the name check
the user asked for, and nothing else in the answer would show it. Not applicable to a device that
follows the 2025-08 revision (tls and tls-verify instead).
"""

from __future__ import annotations

from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_success
from paircert.plugin.verdicts import not_applicable

# Two different names, so a device that keeps only the first one it was given is noticed too.
NAMES = ("radar.example", "radar-2.example")


@pytest.mark.changes_state
@pytest.mark.requirement("RP-TLS-CERTIFICATE-CN", "RP-SET-CONNECTION")
def test_tls_certificate_cn_reads_back_what_was_set(
    empty_radar: RadarClient, radar_params: dict[str, Any], radar_revision: str
) -> None:
    if radar_revision != "2026-01":
        not_applicable(f"tls-certificate-cn belongs to the 2026-01 revision; the device follows {radar_revision}")
    for name in NAMES:
        resp = empty_radar.call("setRadarConnection", {**radar_params, "tls-certificate-cn": name})
        assert expect_success(resp, schema="radar-pairing/response/setRadarConnection") == {}
        data = expect_success(empty_radar.get_radar_connection(), schema="radar-pairing/response/getRadarConnection")
        assert data.get("tls-certificate-cn") == name, (
            f"RP-TLS-CERTIFICATE-CN: setRadarConnection set tls-certificate-cn {name!r}, "
            f"getRadarConnection answers {data.get('tls-certificate-cn')!r}"
        )
