"""The plugin's pieces for the streaming suite: the bounded poller and the peer options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from paircert.plugin.options import STANDARD_PEER_PORTS, PeerOptions, RunConfig
from paircert.plugin.peering import NO_PEER_ADDRESS, NO_RADAR_ADDRESS, PeerHosting, PeersUnavailable
from paircert.plugin.waiting import Poller

REPO = Path(__file__).resolve().parents[1]


def reader(values: list[str]) -> Any:
    remaining = list(values)

    def read() -> tuple[str, Any]:
        value = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return value, None  # no exchange to show

    return read


def test_the_poller_keeps_each_transition_with_its_time_and_records_it() -> None:
    recorded: dict[str, Any] = {}
    poll = Poller("status", reader(["Connecting", "Connecting", "Paired"]), recorded.__setitem__, interval=0.01)
    watch = poll("Paired", label="add->Paired", timeout=2)
    assert watch.reached and watch.values == ["Connecting", "Paired"] and watch.polls == 3
    assert watch.time_to("Connecting") is not None and watch.time_to("Paired") >= watch.time_to("Connecting")
    document = recorded["transitions.add->Paired"]
    assert document["reached"] and [s["value"] for s in document["sequence"]] == ["Connecting", "Paired"]
    assert document["after_s"] == pytest.approx(watch.elapsed, abs=1e-3)


def test_the_poller_is_bounded_in_count_and_time_and_fails_with_what_it_saw() -> None:
    recorded: dict[str, Any] = {}
    poll = Poller("status", reader(["Connecting"]), recorded.__setitem__, interval=0.01)
    with pytest.raises(pytest.fail.Exception, match=r"never became Paired within 0.2 s .* Connecting @"):
        poll("Paired", label="x", timeout=0.2)
    assert not recorded["transitions.x"]["reached"]
    watch = poll("Paired", label="y", timeout=30, required=False, max_polls=4)
    assert watch.polls == 4 and not watch.reached


def test_the_poller_stops_at_once_on_an_answer_waiting_cannot_change() -> None:
    recorded: dict[str, Any] = {}
    answers = iter([False, True])
    poll = Poller(
        "status", reader(["Connecting"]), recorded.__setitem__, interval=0.01, final=lambda resp: next(answers)
    )
    with pytest.raises(pytest.fail.Exception, match=r"never became Paired stopped after .* cannot become a state \(2"):
        poll("Paired", label="x", timeout=30)
    assert recorded["transitions.x"]["stopped_early"] and recorded["transitions.x"]["polls"] == 2


def test_holds_fails_when_the_value_changes() -> None:
    poll = Poller("state", reader(["ok", "ok", "transfer-failed"]), lambda k, v: None, interval=0.01)
    with pytest.raises(pytest.fail.Exception, match="did not stay ok"):
        poll.holds("ok", 1.0, label="hold")


def run_config(digest_algorithms: tuple[str, ...] = ("MD5",), **peers: Any) -> RunConfig:
    return RunConfig(
        target_url="http://192.0.2.50",
        user="root",
        admin=None,
        operator=None,
        viewer=None,
        verify=True,
        profile="full",
        set_method="PATCH",
        seed=1,
        budget_scale=1.0,
        run_id="r",
        report_dir=None,
        digest_algorithms=digest_algorithms,
        peers=PeerOptions(**peers),
    )


def test_a_real_target_without_peer_addresses_blocks_with_what_to_pass() -> None:
    hosting = PeerHosting(run_config())
    with pytest.raises(PeersUnavailable, match="--peer-address ADDR"):
        hosting.peer("camera")
    assert "--peer-address" in NO_PEER_ADDRESS and "--radar-peer-address" in NO_RADAR_ADDRESS
    assert run_config().peers.ports == STANDARD_PEER_PORTS == (554, 322, 80, 443)


def test_a_real_target_with_only_a_camera_address_blocks_the_radar_and_offers_the_runs_digest(tmp_path: Path) -> None:
    run = run_config(("SHA-256",), address="127.0.0.2", ports=(0, 0, 0, 0), ca_dir=tmp_path)
    hosting = PeerHosting(run)
    try:
        camera = hosting.peer("camera")
        assert camera.address == "127.0.0.2" and camera.product_model
        assert (tmp_path / "paircert-test-ca.pem").is_file()
        with pytest.raises(PeersUnavailable, match="--radar-peer-address"):
            hosting.peer("radar")
        assert camera.handle.urls.http is not None
        challenge = httpx.post(
            f"{camera.handle.urls.http}/axis-cgi/basicdeviceinfo.cgi", timeout=5
        )  # no method: a challenge
        offers = challenge.headers.get_list("www-authenticate")
        assert challenge.status_code == 401 and offers and all("algorithm=SHA-256" in o for o in offers), offers
    finally:
        hosting.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peer-address", "nope"], "--peer-address: expected an IP address"),
        (["--peer-ports", "554,322"], "--peer-ports: expected four ports"),
        (["--device-trusts-peer-ca"], "--device-trusts-peer-ca needs --peer-ca-dir"),
        (["--peer-address", "127.0.0.2", "--radar-peer-address", "127.0.0.2"], "needs an address of its own"),
    ],
)
def test_bad_peer_options_are_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("paircert: error: ") and message in lines[0], result.stderr
