"""Builders shared by every suite.

Suites have no ``__init__.py`` and run with ``--import-mode=importlib``, so shared request bodies
are fixtures here rather than importable modules. Each builder returns a fresh object, so a test
may change its copy freely.

Every address is from a documentation range (RFC 5737 / RFC 3849) or a ``.example`` /
``.invalid`` name, so a real device never dials a real host.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.radar import RadarClient
from paircert.plugin.fixtures import read_collection
from paircert.plugin.session import SessionState
from paircert.plugin.target import NO_RESTART, RestartFailed, RestartUnavailable
from paircert.plugin.verdicts import blocked, device_broke, step_success
from paircert.report.records import PATH_PREFIX

# DCA framework page: 201; camera pairing example: 200.
ADD_STATUSES = (200, 201)


@pytest.fixture
def valid_pairing(unreachable_address: str) -> dict[str, Any]:
    """The six fields ADD requires, all valid; RTSP so verifycertificate does not matter."""
    return {
        "address": unreachable_address,
        "username": "paircert",
        "password": "paircert-Peer-1",
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": "paircert conformance pairing",
    }


@pytest.fixture
def add_fields(request: pytest.FixtureRequest, empty_camera: CameraPairingClient) -> Callable[[dict[str, Any]], str]:
    """``add_fields(fields)``: ADD these fields to the empty device and return the new pairing's id.

    Callers pass the six required fields, each valid, so a refused ADD is the device breaking
    CP-ADD-REQUIRED: the first test that needs a pairing fails for it and the later ones are
    blocked by that failure (ADD has tests of its own, which fail on their own). A device that
    answers ADD without data is asked for its collection instead.
    """

    def add(fields: dict[str, Any]) -> str:
        resp = empty_camera.add(fields)
        if not resp.ok:
            device_broke(
                request,
                "CP-ADD-REQUIRED",
                f"ADD of a pairing with every required field, each valid, was refused (HTTP {resp.status_code}, "
                f"error code {resp.error_code})",
                expected="success: the device holds no pairing and the ADD carries all six fields",
                resp=resp,
            )
        if resp.status_code not in ADD_STATUSES:
            device_broke(
                request,
                "DCA-ADD-STATUS",
                f"ADD answered success with HTTP {resp.status_code}",
                expected=f"HTTP {' or '.join(map(str, ADD_STATUSES))}",
                resp=resp,
            )
        data = step_success(
            request, "CP-ADD-RESPONSE", resp, step="ADD", schema="camera-pairing/response/add", statuses=ADD_STATUSES
        )
        if isinstance(data, dict):
            return str(data["id"])
        listing = read_collection(request, empty_camera)
        if len(listing) != 1 or not isinstance(listing[0], dict) or not isinstance(listing[0].get("id"), str):
            device_broke(
                request,
                "CP-LIST-GET",
                f"after one ADD answered without data, the collection of the empty device lists {len(listing)} "
                "item(s) and not the one pairing with its id",
                expected="the collection lists exactly the pairing just added",
                resp=resp,
            )
        pairing_id = str(listing[0]["id"])
        empty_camera.created.append(pairing_id)
        return pairing_id

    return add


@pytest.fixture
def radar_revision(request: pytest.FixtureRequest, radar: RadarClient, observe: Callable[[str, Any], None]) -> str:
    """Which revision's TLS fields the device answers: "2025-08" (tls, tls-verify) or "2026-01"
    (tls-certificate-cn). A getRadarConnection that carries neither follows no revision, which
    breaks RP-GET-CONNECTION (one failure; the tests that need the revision are blocked by it)."""
    resp = radar.get_radar_connection()
    data = step_success(
        request,
        "RP-GET-CONNECTION",
        resp,
        step="getRadarConnection (admin)",
        schema="radar-pairing/response/getRadarConnection",
    )
    if "tls-certificate-cn" in data:
        revision = "2026-01"
    elif "tls" in data or "tls-verify" in data:
        revision = "2025-08"
    else:
        device_broke(
            request,
            "RP-GET-CONNECTION",
            "getRadarConnection carries neither tls/tls-verify (2025-08) nor tls-certificate-cn (2026-01)",
            expected="the TLS fields of one documented revision",
            resp=resp,
        )
    observe("radar.revision", revision)
    return revision


@dataclass(frozen=True)
class LawPaths:
    """Which paths where a law applies a test met, for the report's "never exercised" list.

    A test that returns early on a path the device may take instead (the item GET of a pairing in
    Error answers an error envelope, not the entity) records that path as not taken; a test built
    to meet the path records it as taken. A path some test did not take and no test took is
    listed in results.json (``unexercised_paths``) and the HTML report.
    """

    node: pytest.Item
    scrub: Callable[[str], str]

    ITEM_ENTITY: ClassVar[str] = "item GET answering the entity (a pairing not in Error)"

    def taken(self, requirement: str, path: str) -> None:
        self._record(requirement, {"path": path, "taken": True, "why": None})

    def not_taken(self, requirement: str, path: str, why: str) -> None:
        self._record(requirement, {"path": path, "taken": False, "why": self.scrub(why)})

    def _record(self, requirement: str, met: dict[str, Any]) -> None:
        self.node.user_properties.append((f"{PATH_PREFIX}{requirement}", json.dumps(met, sort_keys=True)))


@pytest.fixture
def law_paths(request: pytest.FixtureRequest, paircert_state: SessionState) -> LawPaths:
    """``law_paths.taken(rid, path)`` and ``law_paths.not_taken(rid, path, why)`` (see :class:`LawPaths`)."""
    return LawPaths(request.node, paircert_state.transcript.scrub)


def _same_address(sent: Any, read: Any) -> bool:
    if not isinstance(sent, str) or not isinstance(read, str):
        return bool(sent == read)
    try:
        return ipaddress.ip_address(sent) == ipaddress.ip_address(read)
    except ValueError:
        return sent.lower().rstrip(".") == read.lower().rstrip(".")


@pytest.fixture
def same_address() -> Callable[[Any, Any], bool]:
    """``same_address(sent, read)``: the address read back is the one sent. A device may keep the
    canonical text (RFC 5952 IPv6, a name in lower case): the documents say only that GET answers
    the value set, and these texts name the same address."""
    return _same_address


@pytest.fixture
def restart_device(paircert_state: SessionState, target: Any) -> Callable[[], None]:
    """``restart_device()``: restart the device and return once it answers again.

    Blocked at setup when the run has no way to restart the target (the embedded emulator restarts
    itself; a device needs ``--restart-command``), so no state is changed for nothing; blocked
    when a restart was asked for and did not complete, because nothing was then read back.
    """
    if not paircert_state.target.can_restart:
        blocked(NO_RESTART)

    def restart() -> None:
        __tracebackhide__ = True
        try:
            paircert_state.target.restart()
        except (RestartFailed, RestartUnavailable) as exc:
            blocked(str(exc))

    return restart
