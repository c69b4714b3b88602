"""Every getRadarConnection ``state``, provoked through the peer radar and polled.

ok while frames flow; address-failed for a name that never resolves; connect-failed when nothing
listens or TLS verification fails; authentication-failed for a rejected login; transfer-failed when
the stream drops or stalls, and ok again once the peer is honest; not-active after setActive(false)
and not-configured after clearConfiguration. ``failed`` (the catch-all) is recorded when seen: the
reference emulator shows it from setActive(true) until the first outcome. TLS follows the document
revision the device answers: ``tls``/``tls-verify`` (2025-08) or ``tls-certificate-cn`` (2026-01).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.radar import RadarClient
from paircert.plugin.expect import expect_success
from paircert.plugin.verdicts import not_applicable

pytestmark = pytest.mark.changes_state

STATES = (
    "failed",
    "address-failed",
    "connect-failed",
    "authentication-failed",
    "transfer-failed",
    "not-configured",
    "not-active",
    "ok",
)
OUTCOMES = ("ok", "address-failed", "connect-failed", "authentication-failed", "transfer-failed")
KINDS = ("trusted", "untrusted", "self-signed", "wrong-host", "expired")
Link = Callable[..., None]


def _plays(records: Any, tls: bool) -> list[Any]:
    return [r for r in (records.rtsps if tls else records.rtsp) if "PLAY" in r.methods]


def _outcome(wait_for_state: Any, wanted: str, label: str, timeout: float = 15) -> Any:
    watch = wait_for_state(OUTCOMES, label=label, timeout=timeout)
    assert watch.value == wanted, f"expected state {wanted}, got {watch.value} ({watch.sequence()})"
    assert set(watch.values) <= set(STATES), f"undocumented state seen: {watch.sequence()}"
    return watch


@pytest.mark.requirement("RP-STATE-OK", "RP-STATE-ACTIVE", "RP-STATE-ENUM")
def test_stream_radar_frames_flowing_is_ok(
    peer_radar: Any, link_radar: Link, wait_for_state: Any, observe: Callable[[str, Any], None]
) -> None:
    link_radar(peer_radar)
    watch = _outcome(wait_for_state, "ok", "activate->ok")
    observe("radar.failed_seen_before_outcome", watch.seen("failed"))
    (session, *_) = _plays(peer_radar.records(), tls=False) or [None]
    assert session is not None, "state ok, but the peer radar saw no PLAY"
    # Which stream a camera pulls from its radar is undocumented (PROTOCOL-NOTES §3: the metadata
    # stream is the reference link sequence's stand-in), so the URL is recorded, not required.
    observe("radar.played_url", session.url)


@pytest.mark.requirement("RP-STATE-ENUM", "RP-STATE-ACTIVE", "RP-STATE-OK")
def test_stream_radar_a_slow_first_frame_shows_the_state_before_the_first_outcome(
    peer_radar: Any, link_radar: Link, wait_for_state: Any, observe: Callable[[str, Any], None]
) -> None:
    """Every frame is held back 1.5 s. What a device says before its first outcome is undocumented
    (the reference emulator says ``failed``, the documented catch-all); it must be a documented
    state, and is recorded."""
    peer_radar.set_faults("rtsp", frame_delay_ms=1500)
    link_radar(peer_radar)
    watch = _outcome(wait_for_state, "ok", "activate->ok (slow first frame)")
    before = [value for value in watch.values[:-1]]
    observe("radar.state_before_first_outcome", before)
    assert "not-active" not in before and "not-configured" not in before, f"active and configured, yet {before}"


@pytest.mark.parametrize("scope", ["all", "rtsp"])
@pytest.mark.requirement("RP-STATE-AUTH-FAILED")
def test_stream_radar_a_rejected_login_is_authentication_failed(
    scope: str, peer_radar: Any, link_radar: Link, wait_for_state: Any
) -> None:
    """``all``: a wrong password (the peer refuses it everywhere); ``rtsp``: the right password that
    the peer's RTSP server refuses after its web side accepted it."""
    if scope == "all":
        link_radar(peer_radar, password="not-the-radars-password")
    else:
        peer_radar.set_faults("rtsp", reject_credentials=True)
        link_radar(peer_radar)
    _outcome(wait_for_state, "authentication-failed", "activate->authentication-failed")


@pytest.mark.requirement("RP-STATE-CONNECT-FAILED")
def test_stream_radar_nothing_listening_is_connect_failed(
    peer_radar: Any, link_radar: Link, wait_for_state: Any
) -> None:
    peer_radar.set_faults(refuse=True)
    link_radar(peer_radar)
    _outcome(wait_for_state, "connect-failed", "activate->connect-failed")
    records = peer_radar.records()
    assert any(r.closed_reason == "refused (fault)" for r in (*records.http, *records.rtsp)), (
        "the device never dialled the peer"
    )


@pytest.mark.slow_conformance
@pytest.mark.requirement("RP-STATE-CONNECT-FAILED")
def test_stream_radar_an_unreachable_address_is_connect_failed(
    link_radar: Link, wait_for_state: Any, unreachable_address: str
) -> None:
    link_radar(None, address=unreachable_address)
    _outcome(wait_for_state, "connect-failed", "activate->connect-failed", timeout=90)


@pytest.mark.requirement("RP-STATE-ADDRESS-FAILED")
def test_stream_radar_a_name_that_never_resolves_is_address_failed(link_radar: Link, wait_for_state: Any) -> None:
    link_radar(None)
    _outcome(wait_for_state, "address-failed", "activate->address-failed", timeout=30)


@pytest.mark.requirement("RP-STATE-TRANSFER-FAILED", "RP-STATE-OK")
def test_stream_radar_a_dropped_stream_is_transfer_failed_then_ok_again(
    peer_radar: Any, link_radar: Link, wait_for_state: Any
) -> None:
    link_radar(peer_radar)
    _outcome(wait_for_state, "ok", "activate->ok")
    peer_radar.set_faults("rtsp", drop_after_frames=0)
    wait_for_state("transfer-failed", label="drop->transfer-failed")
    assert any(r.closed_reason == "dropped after frames (fault)" for r in peer_radar.records().rtsp)
    peer_radar.clear_faults()
    wait_for_state("ok", label="cleared->ok", timeout=20)


@pytest.mark.slow_conformance
@pytest.mark.requirement("RP-STATE-TRANSFER-FAILED", "RP-STATE-OK")
def test_stream_radar_a_stalled_stream_is_transfer_failed_then_ok_again(
    peer_radar: Any, link_radar: Link, wait_for_state: Any
) -> None:
    link_radar(peer_radar)
    _outcome(wait_for_state, "ok", "activate->ok")
    peer_radar.set_faults("rtsp", stall_after_frames=0)
    wait_for_state("transfer-failed", label="stall->transfer-failed", timeout=30)
    peer_radar.clear_faults()
    wait_for_state("ok", label="cleared->ok", timeout=20)


@pytest.mark.requirement("RP-STATE-NOT-ACTIVE", "RP-STATE-NOT-CONFIGURED", "RP-SET-ACTIVE", "RP-CLEAR")
def test_stream_radar_deactivate_ends_the_stream_and_clear_unconfigures(
    peer_radar: Any,
    link_radar: Link,
    empty_radar: RadarClient,
    wait_for_state: Any,
    observe: Callable[[str, Any], None],
) -> None:
    link_radar(peer_radar)
    _outcome(wait_for_state, "ok", "activate->ok")
    expect_success(empty_radar.set_active(False), schema="radar-pairing/response/setActive")
    wait_for_state("not-active", label="deactivate->not-active", timeout=5)
    started, deadline = time.monotonic(), time.monotonic() + 10
    while True:
        sessions = _plays(peer_radar.records(), tls=False)
        still = [r for r in sessions if "TEARDOWN" not in r.methods and r.closed_reason is None]
        if not still or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    observe("radar.session_end_after_deactivate_s", round(time.monotonic() - started, 3))
    assert not still, "the metadata session is still open after setActive(false)"
    expect_success(empty_radar.clear_configuration(), schema="radar-pairing/response/clearConfiguration")
    wait_for_state("not-configured", label="clear->not-configured", timeout=5)


def _tls_cases() -> list[Any]:
    verified = pytest.mark.requirement(
        "RP-TLS-VERIFY", "RP-TLS-FIELDS-2025-08", "RP-STATE-OK", "RP-STATE-CONNECT-FAILED"
    )
    unverified = pytest.mark.requirement("RP-TLS-VERIFY", "RP-TLS-FIELDS-2025-08", "RP-STATE-OK")
    cases = []
    for verify in (False, True):
        for kind in KINDS:
            case_id = f"tls-verify{'On' if verify else 'Off'}-{kind}"
            cases.append(pytest.param(verify, kind, marks=verified if verify else unverified, id=case_id))
    return cases


@pytest.mark.parametrize(("verify", "kind"), _tls_cases())
def test_stream_radar_tls_and_tls_verify_2025_08(
    verify: bool,
    kind: str,
    peer_radar: Any,
    link_radar: Link,
    wait_for_state: Any,
    radar_revision: str,
    require_trusted_ca: Callable[[], None],
) -> None:
    """tls true: the handshake and the stream go over TLS; tls-verify true: only a certificate the
    device trusts for the radar's address connects, anything else is connect-failed."""
    if radar_revision != "2025-08":
        not_applicable(f"tls/tls-verify belong to the 2025-08 revision; the device follows {radar_revision}")
    if verify and kind == "trusted":
        require_trusted_ca()
    peer_radar.set_certificate(kind)
    link_radar(peer_radar, tls=True, **{"tls-verify": verify})
    wanted = "ok" if not verify or kind == "trusted" else "connect-failed"
    _outcome(wait_for_state, wanted, f"activate->{wanted}")
    played = _plays(peer_radar.records(), tls=True)
    if wanted == "ok":
        assert played, "state ok over TLS, but the peer radar saw no PLAY on RTSPS"
        assert not _plays(peer_radar.records(), tls=False), "tls true, yet the device streamed over plain RTSP"
    else:
        assert not played, f"tls-verify true, yet the device streamed from a peer with a {kind} certificate"


@pytest.mark.parametrize(
    ("name", "kind", "wanted"),
    [
        pytest.param("peer", "trusted", "ok", id="cn-matches-trusted"),
        pytest.param("other", "trusted", "connect-failed", id="cn-differs"),
        pytest.param("peer", "untrusted", "connect-failed", id="cn-matches-untrusted"),
    ],
)
@pytest.mark.requirement("RP-TLS-CERTIFICATE-CN", "RP-TLS-VERIFY", "RP-STATE-OK", "RP-STATE-CONNECT-FAILED")
def test_stream_radar_tls_certificate_cn_2026_01(
    name: str,
    kind: str,
    wanted: str,
    peer_radar: Any,
    link_radar: Link,
    wait_for_state: Any,
    radar_revision: str,
    require_trusted_ca: Callable[[], None],
) -> None:
    """tls-certificate-cn names what the radar's certificate must carry: the peer's certificate names
    its address; another name, or a certificate from a CA the device does not trust, fails."""
    if radar_revision != "2026-01":
        not_applicable(f"tls-certificate-cn belongs to the 2026-01 revision; the device follows {radar_revision}")
    if wanted == "ok":
        require_trusted_ca()
    peer_radar.set_certificate(kind)
    common_name = peer_radar.address if name == "peer" else "other-radar.paircert.invalid"
    link_radar(peer_radar, **{"tls-certificate-cn": common_name})
    _outcome(wait_for_state, wanted, f"activate->{wanted}")
    assert bool(_plays(peer_radar.records(), tls=True)) == (wanted == "ok")
