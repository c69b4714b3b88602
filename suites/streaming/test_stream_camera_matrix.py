"""streamingprotocol x verifycertificate x the certificate the peer presents -> status and code.

RTSP has no certificate, so verifycertificate is ignored and every kind pairs; SRTSP with
verifycertificate false ignores the certificate; SRTSP with verifycertificate true pairs only with
a certificate the device trusts for the peer's address, and otherwise cannot connect (Error, 108).
Each case polls the status from ADD to its outcome and records the transitions with their times.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

KINDS = ("trusted", "untrusted", "self-signed", "wrong-host", "expired")

RTSP_IGNORES = pytest.mark.requirement("CP-VERIFYCERT-RTSP-IGNORED", "CP-STATUS-PAIRED", "CP-GET-STATUS")
SRTSP_PAIRS = pytest.mark.requirement("CP-VERIFYCERT-SRTSP", "CP-STATUS-PAIRED", "CP-GET-STATUS")
SRTSP_REFUSES = pytest.mark.requirement(
    "CP-VERIFYCERT-SRTSP", "CP-STATUS-ERROR", "CP-ERROR-COULD-NOT-CONNECT", "CP-STATUS-ERROR-DETAIL", "CP-GET-STATUS"
)


def _cases() -> list[Any]:
    cases = []
    for protocol in ("RTSP", "SRTSP"):
        for verify in (False, True):
            for kind in KINDS:
                if protocol == "RTSP":
                    mark = RTSP_IGNORES
                elif not verify or kind == "trusted":
                    mark = SRTSP_PAIRS
                else:
                    mark = SRTSP_REFUSES
                case_id = f"{protocol}-verify{'On' if verify else 'Off'}-{kind}"
                cases.append(pytest.param(protocol, verify, kind, marks=[mark, pytest.mark.changes_state], id=case_id))
    return cases


@pytest.mark.parametrize(("protocol", "verify", "kind"), _cases())
def test_stream_matrix_status_follows_protocol_verification_and_certificate(
    protocol: str,
    verify: bool,
    kind: str,
    peer_camera: Any,
    pair: Callable[..., str],
    wait_for_status: Any,
    error_code: Callable[[str], int | None],
    require_trusted_ca: Callable[[], None],
    observe: Callable[[str, Any], None],
) -> None:
    pairs = protocol == "RTSP" or not verify or kind == "trusted"
    if protocol == "SRTSP" and verify and kind == "trusted":
        require_trusted_ca()
    peer_camera.set_certificate(kind)
    pairing_id = pair(peer_camera, streamingprotocol=protocol, verifycertificate=verify)
    if pairs:
        wait_for_status(pairing_id, "Paired", label="add->Paired", timeout=15)
        records = peer_camera.records()
        played = [r for r in (records.rtsps if protocol == "SRTSP" else records.rtsp) if "PLAY" in r.methods]
        assert played, f"status Paired, but the peer saw no PLAY over {protocol}: {records.streams}"
        other = records.rtsp if protocol == "SRTSP" else records.rtsps
        assert not any("PLAY" in r.methods for r in other), f"{protocol} pairing played over the other protocol"
        observe(
            "peer.session",
            {
                "tls": played[-1].tls_version,
                "sni": played[-1].server_name,
                "auth": played[-1].auth_scheme,
                "frames_sent": played[-1].frames_sent,
            },
        )
        return
    watch = wait_for_status(pairing_id, ("Error", "Paired"), label="add->Error", timeout=15)
    assert watch.value == "Error", f"SRTSP with verifycertificate true paired with a {kind} certificate"
    assert error_code(pairing_id) == 108, "a certificate that fails verification is 'could not connect' (108)"
    records = peer_camera.records()
    assert not any("PLAY" in r.methods for r in records.streams), (
        f"the device streamed from a peer with a {kind} certificate"
    )
    observe("peer.refusals", sorted({r.closed_reason or "" for r in (*records.rtsps, *records.https)}))
