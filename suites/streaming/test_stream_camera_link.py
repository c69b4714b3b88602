"""What a Paired link means on the wire: the product model and name come from the peer, the stream
really plays, and removing the pairing ends the session (TEARDOWN or a closed connection)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.expect import expect_success

pytestmark = pytest.mark.changes_state

TEARDOWN_WAIT = 10.0


@pytest.mark.parametrize("protocol", ["RTSP", "SRTSP"])
@pytest.mark.requirement("CP-PRODUCT-FROM-PEER", "CP-STATUS-PAIRED", "CP-GET-ITEM")
def test_stream_product_model_and_name_are_the_peers(
    protocol: str,
    peer_camera: Any,
    pair: Callable[..., str],
    empty_camera: CameraPairingClient,
    wait_for_status: Any,
    observe: Callable[[str, Any], None],
    law_paths: Any,
) -> None:
    pairing_id = pair(peer_camera, streamingprotocol=protocol)
    wait_for_status(pairing_id, "Paired", label="add->Paired")
    entity = expect_success(empty_camera.get(pairing_id), schema="camera-pairing/response/entity")
    law_paths.taken("CP-GET-ITEM", law_paths.ITEM_ENTITY)
    assert (entity["productmodel"], entity["productname"]) == (peer_camera.product_model, peer_camera.product_name), (
        f"the peer is {peer_camera.product_model!r} / {peer_camera.product_name!r}"
    )
    calls = peer_camera.records().deviceinfo_calls
    observe("peer.deviceinfo_calls", [{"scheme": c.scheme, "method": c.cgi_method, "status": c.status} for c in calls])


@pytest.mark.requirement("CP-REMOVE", "CP-STATUS-PAIRED")
def test_stream_delete_tears_the_session_down(
    peer_camera: Any,
    pair: Callable[..., str],
    empty_camera: CameraPairingClient,
    wait_for_status: Any,
    observe: Callable[[str, Any], None],
) -> None:
    pairing_id = pair(peer_camera)
    wait_for_status(pairing_id, "Paired", label="add->Paired")
    played = [r for r in peer_camera.records().rtsp if "PLAY" in r.methods]
    assert played, "Paired, but the peer saw no PLAY"
    started = time.monotonic()
    expect_success(empty_camera.remove(pairing_id), schema="camera-pairing/response/empty")
    deadline = started + TEARDOWN_WAIT
    while True:
        sessions = [r for r in peer_camera.records().rtsp if "PLAY" in r.methods]
        open_sessions = [r for r in sessions if "TEARDOWN" not in r.methods and r.closed_reason is None]
        if not open_sessions or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    ended = time.monotonic() - started
    how = sorted({"TEARDOWN" if "TEARDOWN" in r.methods else str(r.closed_reason) for r in sessions})
    observe(
        "transitions.delete->session ended",
        {
            "until": ["session ended"],
            "reached": not open_sessions,
            "after_s": round(ended, 3),
            "how": how,
            "sequence": [{"t": 0.0, "value": "playing"}, {"t": round(ended, 3), "value": "/".join(how) or "?"}],
        },
    )
    assert not open_sessions, f"{len(open_sessions)} session(s) still open on the peer {TEARDOWN_WAIT:g} s after DELETE"
    time.sleep(0.6)  # no reconnect after removal (one backoff step of the reference emulator, and more)
    again = [r for r in peer_camera.records().rtsp if "PLAY" in r.methods]
    assert len(again) == len(sessions), "the device dialled the peer again after the pairing was removed"
