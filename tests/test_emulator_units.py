"""The emulator's pure parts: address rules, the loopback-only dialer, the state file, links,
redaction, and the catch-all that turns crashes into envelopes."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from paircert.emulator import links
from paircert.emulator.choices import ALTERNATE, REFERENCE, Choices
from paircert.emulator.config import EmulatorConfig, User
from paircert.emulator.device import Device
from paircert.emulator.dialer import Dialer, DialRefused, Unreachable
from paircert.emulator.guard import CatchAllMiddleware
from paircert.emulator.links import LinkFailure, LinkManager, LinkTarget
from paircert.emulator.store import StateStore
from paircert.emulator.validation import Invalid, check_add, classify_address


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("192.0.2.1", "ipv4"),
        ("2001:db8::1", "ipv6"),
        ("::1", "ipv6"),
        ("camera.example", "dns"),
        ("camera.example.", "dns"),
        ("cam-1", "dns"),
        ("1.2.3.256", None),
        ("1.2.3", None),
        ("01.2.3.4", None),
        ("", None),
        (" 192.0.2.1", None),
        ("under_score.example", None),
        ("-x.example", None),
        ("x-.example", None),
        ("a" * 64 + ".example", None),
        ("[::1]", None),
        ("host:554", None),
    ],
)
def test_addresses_are_classified_as_error_102_describes(text: str, kind: str | None) -> None:
    assert classify_address(text) == kind


def test_add_reports_shape_faults_before_address_faults() -> None:
    data = {"address": "bad address", "username": 1, "password": "", "streamingprotocol": "RTSP",
            "verifycertificate": False, "description": ""}  # fmt: skip
    with pytest.raises(Invalid) as caught:
        check_add(data)
    assert caught.value.code is None
    data["username"] = "u"
    with pytest.raises(Invalid) as caught:
        check_add(data)
    assert caught.value.code == 102


class _NoNetwork:
    """Patches name lookup and socket creation so that any use fails the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []

        def forbidden(name: str) -> Any:
            def fail(*args: Any, **kwargs: Any) -> Any:
                self.calls.append(name)
                raise AssertionError(f"{name} called by the dialer")

            return fail

        monkeypatch.setattr(socket, "getaddrinfo", forbidden("getaddrinfo"))
        monkeypatch.setattr(socket, "gethostbyname", forbidden("gethostbyname"))
        monkeypatch.setattr(socket, "socket", forbidden("socket"))
        monkeypatch.setattr(socket, "create_connection", forbidden("create_connection"))


async def _dial_without_network(monkeypatch: pytest.MonkeyPatch, dialer: Dialer, host: str) -> list[str]:
    """Dial with lookups and sockets forbidden (patched inside the loop, which needs a socketpair)."""
    guard = _NoNetwork(monkeypatch)
    try:
        with pytest.raises(DialRefused):
            await dialer.connect(host, 554)
    finally:
        monkeypatch.undo()
    return guard.calls


@pytest.mark.parametrize("host", ["192.0.2.10", "2001:db8::1", "camera.example", "unknown.invalid", "10.0.0.1"])
def test_dialer_refuses_outside_loopback_without_any_lookup_or_socket(
    monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    dialer = Dialer(["127.0.0.0/8", "::1/128"], {"localhost": ["127.0.0.1"]}, timeout=0.5)
    assert asyncio.run(_dial_without_network(monkeypatch, dialer, host)) == []


def test_name_table_entry_pointing_outside_the_allow_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    dialer = Dialer(["127.0.0.0/8"], {"evil.test": ["192.0.2.5"]})
    assert asyncio.run(_dial_without_network(monkeypatch, dialer, "evil.test")) == []


def test_dialer_connects_on_loopback_and_reports_refusal() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    dialer = Dialer(["127.0.0.0/8"], {"peer.test": ["127.0.0.1"]}, timeout=2)

    async def dial(host: str, port: int) -> None:
        _, writer = await dialer.connect(host, port)
        writer.close()
        await writer.wait_closed()

    try:
        asyncio.run(dial("peer.test", port))
        asyncio.run(dial("127.0.0.1", port))
    finally:
        listener.close()
    with pytest.raises(Unreachable):
        asyncio.run(dial("127.0.0.1", port))


def test_store_round_trips_and_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = StateStore(tmp_path)
    assert store.load() is None
    store.save({"format": 1, "n": 1})
    assert store.load() == {"format": 1, "n": 1}
    assert store.path.stat().st_mode & 0o077 == 0

    def crash(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.save({"format": 1, "n": 2})
    monkeypatch.undo()
    assert json.loads(store.path.read_text()) == {"format": 1, "n": 1}
    assert not list(tmp_path.glob(".state-*.tmp"))
    (tmp_path / ".state-leftover.tmp").write_text("{")
    assert store.load() == {"format": 1, "n": 1}
    assert not list(tmp_path.glob(".state-*.tmp"))


def test_a_failed_save_leaves_the_model_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    device = Device(EmulatorConfig(state_dir=tmp_path, users=[]))

    def fail(record: dict[str, Any]) -> None:
        raise OSError("read-only file system")

    monkeypatch.setattr(device.store, "save", fail)
    with pytest.raises(OSError):
        asyncio.run(_add(device))
    assert device.model.pairings == {}


async def _add(device: Device) -> None:
    device.add_pairing({"address": "192.0.2.1", "username": "u", "password": "p", "streamingprotocol": "RTSP",
                        "verifycertificate": False, "description": ""})  # fmt: skip
    await device.stop()


def test_passwords_never_appear_in_reprs(tmp_path: Path) -> None:
    user = User("admin", "hunter2-secret", "admin")
    config = EmulatorConfig(state_dir=tmp_path, users=[user])
    target = LinkTarget("127.0.0.1", 554, "u", "peer-secret")
    for text in (repr(user), repr(config), repr(target)):
        assert "hunter2-secret" not in text and "peer-secret" not in text


def test_links_retry_with_bounded_backoff_and_stop_when_cancelled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(links, "BACKOFF_FIRST", 0.01)
    monkeypatch.setattr(links, "BACKOFF_MAX", 0.02)
    outcomes: list[str] = []

    async def step(target: LinkTarget, established: Any) -> None:
        if len(outcomes) < 3:
            raise LinkFailure("connect")
        established(None)
        await asyncio.Event().wait()

    async def scenario() -> list[str]:
        manager = LinkManager(step)
        manager.start("a", LinkTarget("127.0.0.1", 1, "u", "p"), lambda outcome, peer: outcomes.append(outcome))
        for _ in range(200):
            if "up" in outcomes:
                break
            await asyncio.sleep(0.01)
        running = manager.running()
        await manager.stop_all()
        assert manager.running() == []
        return running

    assert asyncio.run(scenario()) == ["a"]
    assert outcomes == ["connect", "connect", "connect", "up"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/config/rest/camera-pairing/v1beta",
            {"status": "error", "error": {"code": 500, "message": "Internal Server Error"}},
        ),
        (
            "/axis-cgi/networkradarpairing.cgi",
            {"apiVersion": "1.0", "error": {"code": 1100, "message": "Internal error."}},
        ),
    ],
)
def test_an_unexpected_exception_becomes_a_500_envelope(path: str, expected: dict[str, Any]) -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("bug with password=hunter2 in its text")

    async def request() -> httpx.Response:
        transport = httpx.ASGITransport(app=CatchAllMiddleware(broken, radar_version="1.0"))
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return await client.post(path, json={})

    response = asyncio.run(request())
    assert response.status_code == 500
    assert response.json() == expected


ZONED = {"address": "fe80::1%eth0", "username": "u", "password": "p", "streamingprotocol": "RTSP",
         "verifycertificate": False, "description": ""}  # fmt: skip


def test_a_zone_index_is_error_102_for_the_reference_and_an_address_as_sent_for_the_alternate() -> None:
    with pytest.raises(Invalid) as caught:
        check_add(ZONED, zone_index=REFERENCE.accepts_zone_index)
    assert caught.value.code == 102
    assert check_add(ZONED, zone_index=ALTERNATE.accepts_zone_index)["address"] == "fe80::1%eth0"


@pytest.mark.parametrize(("choices", "status", "code"), [(REFERENCE, 401, None), (ALTERNATE, 400, 2101)])
def test_an_anonymous_empty_post_to_device_info_is_challenged_or_answered_by_the_cgi(
    choices: Choices, status: int, code: int | None
) -> None:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from paircert.emulator.auth import AuthMiddleware
    from paircert.emulator.deviceinfo import DEVICEINFO_PATH, DeviceInfoApi

    app = AuthMiddleware(
        Starlette(routes=[Route(DEVICEINFO_PATH, DeviceInfoApi(), methods=["POST"])]),
        users=[User("root", "pw-units-1", "admin")],
        auth_http="digest",
        auth_https="basic",
        radar_version="1.0",
        open_paths=(DEVICEINFO_PATH,),
        challenge_empty_posts=choices.challenge_empty_posts,
    )

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://device.test") as client:
            return await client.post(DEVICEINFO_PATH, content=b"", headers={"Content-Length": "0"})

    response = asyncio.run(post())
    assert response.status_code == status
    assert ("www-authenticate" in response.headers) == (status == 401)
    if code is not None:
        assert response.json()["error"]["code"] == code
