"""The emulator's radar link for real: every ``state`` provoked on the wire against a fake peer.

setActive(true) starts the reference link sequence (PROTOCOL-NOTES §3): resolve, then
basicdeviceinfo.cgi over HTTP or HTTPS, then the metadata stream
``/axis-media/media.amp?video=0&audio=0&analytics=polygon`` over RTSP or RTSPS. Before the first
outcome the state is ``failed`` (the emulator's documented choice, checked in a unit test below
with a step that never finishes, because on loopback the first outcome comes too fast to poll).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trustme
from test_emulator_links_peer import (  # noqa: F401  (fixtures are used by name)
    PEER_HOST,
    PEER_PASSWORD,
    PEER_USER,
    SILENT_HOST,
    Rig,
    fast_backoff,
    peer_loop,
    rigs,
    stranger_ca,
    trusted_ca,
    trusted_ca_file,
)

from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.device import Device
from paircert.emulator.links import LinkTarget, PeerIdentity
from paircert.emulator.model import RadarConfig

RADAR_URL_QUERY = "video=0&audio=0&analytics=polygon"


def connection(**overrides: Any) -> dict[str, Any]:
    return {
        "address": PEER_HOST,
        "user": PEER_USER,
        "password": PEER_PASSWORD,
        "tls": False,
        "tls-verify": False,
        **overrides,
    }


def activate(rig: Rig, **overrides: Any) -> None:
    rig.radar("setRadarConnection", connection(**overrides))
    rig.radar("setActive", {"active": True})


def test_frames_flowing_over_http_and_rtsp_are_ok(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    rig.radar("setRadarConnection", connection())
    watch = rig.radar_watch()
    rig.radar("setActive", {"active": True})
    ok_after = watch.until("ok", timeout=5)
    watch.holds("ok", 0.5)
    watch.report("radar over HTTP/RTSP")
    assert ok_after < 5
    assert watch.seen[0].state in ("failed", "ok")
    assert rig.peer.http.requests[-1].authenticated and not rig.peer.https.requests
    (record,) = rig.played()
    assert record.url is not None and record.url.endswith(f"/axis-media/media.amp?{RADAR_URL_QUERY}")
    assert record.tls_version is None and record.authenticated
    assert record.transport is not None and "interleaved" in record.transport


def test_wrong_password_is_authentication_failed(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    rig.radar("setRadarConnection", connection(password="not-the-password"))
    watch = rig.radar_watch()
    rig.radar("setActive", {"active": True})
    watch.until("authentication-failed", timeout=5)
    watch.report("radar wrong password")
    assert rig.peer.records() == []


def test_rtsp_refusing_the_credentials_is_authentication_failed(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    rig.peer.faults.reject_credentials = True
    watch = rig.radar_watch()
    activate(rig)
    watch.until("authentication-failed", timeout=5)
    watch.report("radar RTSP 401")
    assert rig.peer.http.requests[-1].authenticated


def test_nothing_listening_is_connect_failed(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    watch = rig.radar_watch()
    activate(rig, address=SILENT_HOST)
    watch.until("connect-failed", timeout=5)
    watch.report("radar nothing listening")


def test_an_unresolvable_name_is_address_failed(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    watch = rig.radar_watch()
    activate(rig, address="radar.invalid")
    watch.until("address-failed", timeout=5)
    watch.report("radar name.invalid")


def test_a_dropped_or_stalled_stream_is_transfer_failed_then_ok_again(
    rigs: Callable[..., Rig], fast_backoff: None
) -> None:
    rig = rigs()
    watch = rig.radar_watch()
    activate(rig)
    watch.until("ok", timeout=5)
    watch.mark("drop_after_frames=2")
    rig.peer.faults.drop_after_frames = 2
    watch.until("transfer-failed", timeout=5)
    watch.mark("drop cleared")
    rig.peer.faults.drop_after_frames = None
    watch.until("ok", timeout=8)
    watch.mark("stall_after_frames=0")
    rig.peer.faults.stall_after_frames = 0
    stalled_after = watch.until("transfer-failed", timeout=8)
    watch.mark("stall cleared")
    rig.peer.faults.stall_after_frames = None
    watch.until("ok", timeout=10)
    watch.holds("ok", 0.5)
    watch.report("radar drop, stall, recovery")
    assert 2.8 <= stalled_after <= 5.0, stalled_after


def test_tls_with_verification_is_ok_for_a_trusted_certificate(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    watch = rig.radar_watch()
    activate(rig, tls=True, **{"tls-verify": True})
    watch.until("ok", timeout=5)
    watch.report("radar tls + verify, trusted")
    assert rig.peer.https.requests[-1].authenticated and not rig.peer.http.requests
    assert rig.played()[-1].tls_version == "TLSv1.3"


def test_tls_with_verification_is_connect_failed_for_an_untrusted_certificate(
    rigs: Callable[..., Rig], stranger_ca: trustme.CA
) -> None:
    rig = rigs(ca=stranger_ca)
    watch = rig.radar_watch()
    activate(rig, tls=True, **{"tls-verify": True})
    watch.until("connect-failed", timeout=5)
    rig.radar("setActive", {"active": False})
    watch.mark("tls-verify false")
    activate(rig, tls=True, **{"tls-verify": False})
    watch.until("ok", timeout=5)
    watch.report("radar tls untrusted: verify on, then off")


def test_tls_certificate_cn_is_checked_against_the_certificate(rigs: Callable[..., Rig]) -> None:
    rig = rigs(radar_revision="2026-01")
    matching = {
        "address": PEER_HOST,
        "user": PEER_USER,
        "password": PEER_PASSWORD,
        "tls-certificate-cn": "radar.paircert.test",
    }
    rig.radar("setRadarConnection", matching)
    watch = rig.radar_watch("setActive(true), cn matches")
    rig.radar("setActive", {"active": True})
    watch.until("ok", timeout=5)
    assert rig.played()[-1].server_name == "radar.paircert.test"
    rig.radar("setActive", {"active": False})
    rig.radar("setRadarConnection", {**matching, "tls-certificate-cn": "other.paircert.test"})
    watch.mark("setActive(true), cn differs")
    rig.radar("setActive", {"active": True})
    watch.until("connect-failed", timeout=5)
    watch.report("radar tls-certificate-cn match, mismatch")
    assert rig.radar("getRadarConnection")["data"]["tls-certificate-cn"] == "other.paircert.test"


def test_deactivating_tears_down_and_reads_not_active(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    watch = rig.radar_watch()
    activate(rig)
    watch.until("ok", timeout=5)
    rig.radar("setActive", {"active": False})
    assert rig.radar_state() == "not-active"
    (record,) = rig.played()
    assert record.methods[-1] == "TEARDOWN"  # sent before setActive answered
    rig.radar("clearConfiguration")
    assert rig.radar_state() == "not-configured"


def test_before_the_first_outcome_an_active_radar_is_failed(tmp_path: Path) -> None:
    release = asyncio.Event()

    async def slow_step(target: LinkTarget, established: Callable[[PeerIdentity | None], None]) -> None:
        await asyncio.wait_for(release.wait(), 5)
        established(None)
        await asyncio.sleep(5)

    async def scenario() -> list[str]:
        device = Device(EmulatorConfig(state_dir=tmp_path, users=[User("admin", "x", "admin")]), step=slow_step)
        await device.start()
        try:
            device.set_radar(RadarConfig(address=PEER_HOST, user="u", password="p"))
            states = [device.model.radar_state()]
            await device.set_radar_active(True)
            await asyncio.sleep(0.1)
            states.append(device.model.radar_state())
            release.set()
            await asyncio.sleep(0.05)
            states.append(device.model.radar_state())
            await device.set_radar_active(False)
            states.append(device.model.radar_state())
            return states
        finally:
            await device.stop()

    assert asyncio.run(scenario()) == ["not-active", "failed", "ok", "not-active"]
