"""The emulator pairs with a camera for real: the reference link sequence against a live fake peer.

Every status here comes from what the emulator did on the wire to a peer the test controls (its
basicdeviceinfo.cgi over HTTP(S) and its RTSP/RTSPS server), never from a constant. Each test
prints the transitions it saw, with the time since the change that caused them.
"""

from __future__ import annotations

from collections.abc import Callable

import trustme
from test_emulator_links_peer import (  # noqa: F401  (fixtures are used by name)
    LIST,
    MEDIA_PATH,
    PEER_HOST,
    PEER_PASSWORD,
    PRODUCT,
    SILENT_HOST,
    Rig,
    Watch,
    fast_backoff,
    peer_loop,
    rigs,
    stranger_ca,
    trusted_ca,
    trusted_ca_file,
)


def test_rtsp_pairing_goes_connecting_then_paired_with_the_peers_model_and_name(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    started = Watch(lambda: "")
    pairing = rig.add()
    watch = rig.watch(pairing)
    watch.start = started.start  # count from before the POST
    paired_after = watch.until("Paired", timeout=5)
    watch.report("RTSP add")
    assert paired_after < 5
    entity = rig.api.get(f"{LIST}/{pairing}").json()["data"]
    assert (entity["productmodel"], entity["productname"]) == (PRODUCT["ProdNbr"], PRODUCT["ProdFullName"])
    info = list(rig.peer.http.requests)
    assert info[0].auth_scheme is None and not info[0].authenticated  # challenged first
    assert info[-1].auth_scheme == "digest" and info[-1].authenticated
    assert not rig.peer.https.requests  # RTSP pairs over plain HTTP
    (record,) = rig.played()
    assert record.tls_version is None and record.auth_scheme == "digest" and record.authenticated
    assert record.methods[:5] == ["DESCRIBE", "DESCRIBE", "SETUP", "PLAY", *record.methods[4:5]]
    assert record.url is not None and record.url.endswith(MEDIA_PATH)
    assert record.transport is not None and "interleaved" in record.transport


def test_wrong_password_is_error_107_at_deviceinfo_and_the_item_answers_the_107_envelope(
    rigs: Callable[..., Rig],
) -> None:
    rig = rigs()
    pairing = rig.add(password="not-the-password")
    watch = rig.watch(pairing)
    watch.until("Error/107", timeout=5)
    watch.report("wrong password")
    response = rig.api.get(f"{LIST}/{pairing}")
    assert response.status_code == 200
    assert response.json() == {"status": "error", "error": {"code": 107, "message": "Unauthorized"}}
    assert rig.api.get(f"{LIST}/{pairing}/status").json()["data"] == "Error"
    assert [r.authenticated for r in rig.peer.http.requests][:2] == [False, False]
    assert rig.peer.records() == []  # step 2 failed, so step 3 never started


def test_rtsp_rejecting_the_credentials_is_107_and_pairs_once_it_accepts(
    rigs: Callable[..., Rig], fast_backoff: None
) -> None:
    rig = rigs()
    rig.peer.faults.reject_credentials = True
    pairing = rig.add()
    watch = rig.watch(pairing)
    watch.until("Error/107", timeout=5)
    assert rig.peer.http.requests[-1].authenticated  # it was RTSP that refused
    assert rig.peer.records()[-1].methods == ["DESCRIBE", "DESCRIBE"]  # one challenge, one retry
    watch.mark("RTSP accepts")
    rig.peer.faults.reject_credentials = False
    watch.until("Paired", timeout=5)
    watch.report("RTSP 401 then accepted")


def test_nothing_listening_is_error_108(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    pairing = rig.add(address=SILENT_HOST)
    watch = rig.watch(pairing)
    watch.until("Error/108", timeout=5)
    watch.report("nothing listening")
    assert rig.api.get(f"{LIST}/{pairing}").json()["error"]["code"] == 108


def test_srtsp_with_verification_and_an_untrusted_certificate_is_108_and_pairs_without_verification(
    rigs: Callable[..., Rig], stranger_ca: trustme.CA
) -> None:
    rig = rigs(ca=stranger_ca)
    pairing = rig.add(streamingprotocol="SRTSP", verifycertificate=True)
    watch = rig.watch(pairing)
    watch.until("Error/108", timeout=5)
    assert not rig.peer.https.requests  # the TLS handshake failed before any HTTP request
    watch.mark("PATCH verifycertificate false")
    rig.patch(pairing, "verifycertificate", False)
    watch.until("Paired", timeout=5)
    watch.report("SRTSP untrusted: verify on, then off")
    (record,) = rig.played()
    assert record.tls_version == "TLSv1.3"


def test_srtsp_with_verification_pairs_with_a_trusted_certificate_by_name(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    pairing = rig.add(address="camera.paircert.test", streamingprotocol="SRTSP", verifycertificate=True)
    watch = rig.watch(pairing)
    watch.until("Paired", timeout=5)
    watch.report("SRTSP trusted, by name")
    assert rig.peer.https.requests[-1].authenticated and not rig.peer.http.requests
    (record,) = rig.played()
    assert record.tls_version == "TLSv1.3" and record.server_name == "camera.paircert.test"


def test_srtsp_with_verification_refuses_a_trusted_certificate_for_another_name(rigs: Callable[..., Rig]) -> None:
    rig = rigs(extra_names={"elsewhere.paircert.test": [PEER_HOST]})
    pairing = rig.add(address="elsewhere.paircert.test", streamingprotocol="SRTSP", verifycertificate=True)
    watch = rig.watch(pairing)
    watch.until("Error/108", timeout=5)
    watch.report("SRTSP trusted CA, wrong host")


def test_rtsp_ignores_verifycertificate(rigs: Callable[..., Rig], stranger_ca: trustme.CA) -> None:
    rig = rigs(ca=stranger_ca)
    pairing = rig.add(streamingprotocol="RTSP", verifycertificate=True)
    watch = rig.watch(pairing)
    watch.until("Paired", timeout=5)
    watch.report("RTSP with verifycertificate true")
    (record,) = rig.played()
    assert record.tls_version is None


def test_a_dropped_stream_is_106_and_pairs_again_when_the_peer_behaves(
    rigs: Callable[..., Rig], fast_backoff: None
) -> None:
    rig = rigs()
    pairing = rig.add()
    watch = rig.watch(pairing)
    watch.until("Paired", timeout=5)
    watch.mark("drop_after_frames=3")
    rig.peer.faults.drop_after_frames = 3
    dropped_after = watch.until("Error/106", timeout=5)
    assert any(r.closed_reason == "dropped after frames (fault)" for r in rig.peer.records())
    watch.mark("fault cleared")
    rig.peer.faults.drop_after_frames = None
    recovered_after = watch.until("Paired", timeout=8)
    watch.holds("Paired", 1.0)
    watch.report("drop, then fault cleared")
    assert dropped_after < 2 and recovered_after < 8


def test_a_stalled_stream_is_106_after_three_seconds_and_pairs_again(
    rigs: Callable[..., Rig], fast_backoff: None
) -> None:
    rig = rigs()
    pairing = rig.add()
    watch = rig.watch(pairing)
    watch.until("Paired", timeout=5)
    watch.mark("stall_after_frames=0")
    rig.peer.faults.stall_after_frames = 0
    stalled_after = watch.until("Error/106", timeout=8)
    assert 2.8 <= stalled_after <= 5.0, stalled_after  # the 3 s frame timeout, plus a poll
    stalled = [r for r in rig.peer.records() if r.closed_reason == "stalled (fault)"]
    assert stalled and stalled[0].methods[-1] == "TEARDOWN"  # the emulator said goodbye
    watch.mark("fault cleared")
    rig.peer.faults.stall_after_frames = None
    watch.until("Paired", timeout=10)
    watch.report("stall, then fault cleared")


def test_a_peer_that_goes_away_is_106_then_108_and_paired_when_it_is_back(
    rigs: Callable[..., Rig], fast_backoff: None
) -> None:
    rig = rigs()
    pairing = rig.add()
    watch = rig.watch(pairing)
    watch.until("Paired", timeout=5)
    watch.mark("peer RTSP server closed")
    rig.peer.stop_rtsp()
    watch.until("Error/108", timeout=5)
    assert any(t.state == "Error/106" for t in watch.seen), [str(t) for t in watch.seen]
    watch.mark("peer RTSP server back")
    rig.peer.restart_rtsp()
    watch.until("Paired", timeout=8)
    watch.report("peer RTSP stopped, then restarted")


def test_delete_tears_the_session_down(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    pairing = rig.add()
    rig.watch(pairing).until("Paired", timeout=5)
    assert rig.api.delete(f"{LIST}/{pairing}").status_code == 200
    (record,) = rig.played()
    assert record.methods[-1] == "TEARDOWN"  # sent before DELETE answered
    assert rig.api.get(LIST).json()["data"] == []


def test_patch_of_address_credentials_and_protocol_reconnects(rigs: Callable[..., Rig]) -> None:
    rig = rigs()
    pairing = rig.add(address=SILENT_HOST)
    watch = rig.watch(pairing)
    watch.until("Error/108", timeout=5)
    watch.mark("PATCH address")
    rig.patch(pairing, "address", PEER_HOST)
    watch.until("Paired", timeout=5)
    watch.report("PATCH address (from nothing listening)")
    watch = rig.watch(pairing, "PATCH wrong password")
    rig.patch(pairing, "password", "wrong-now")
    watch.until("Error/107", timeout=5)
    watch.mark("PATCH right password")
    rig.patch(pairing, "password", PEER_PASSWORD)
    watch.until("Paired", timeout=5)
    watch.report("PATCH password wrong, then right")
    watch = rig.watch(pairing, "PATCH streamingprotocol SRTSP")
    rig.patch(pairing, "streamingprotocol", "SRTSP")
    watch.until("Paired", timeout=5)
    watch.report("PATCH protocol to SRTSP")
    assert rig.played()[-1].tls_version == "TLSv1.3"
    rig.patch(pairing, "description", "not a link property")
    assert len(rig.played()) == 3 and rig.played()[-1].methods[-1] == "PLAY"  # no reconnect
    assert rig.status(pairing) == "Paired"
