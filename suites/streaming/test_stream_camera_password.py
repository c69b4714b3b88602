"""No GET returns the password, on every path where the law applies, while the pairing plays.

A pairing to an address nobody answers sits in Error, and there the item GET may answer the
106/107/108 envelope instead of the entity: a device that returns the password only in the entity
of a pairing that plays would pass every test that pairs with nothing. Here the pairing is Paired
to the suite-hosted peer camera, whose account is the run's secret, and each path is read while
it plays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.response import ApiResponse
from paircert.plugin.expect import failure_message
from paircert.plugin.verdicts import step_success
from paircert.vapix.passwords import has_password_field

pytestmark = [pytest.mark.changes_state, pytest.mark.requirement("CP-PASSWORD-NOT-RETURNED")]

PROPERTIES = (
    "id",
    "address",
    "username",
    "status",
    "streamingprotocol",
    "verifycertificate",
    "productmodel",
    "productname",
    "description",
)
Read = Callable[[CameraPairingClient, str], list[ApiResponse]]
# Each path, how to read it, and the requirement that the read succeeds (a read the device
# refuses breaks that one, and the password law is then blocked by it rather than judged).
PATHS: dict[str, tuple[Read, str]] = {
    "root GET": (lambda camera, pairing_id: [camera.root()], "CP-ROOT-GET"),
    "collection GET": (lambda camera, pairing_id: [camera.list()], "CP-LIST-GET"),
    "item GET": (lambda camera, pairing_id: [camera.get(pairing_id)], "CP-GET-ITEM"),
    "property GETs": (
        lambda camera, pairing_id: [camera.get_property(pairing_id, name) for name in PROPERTIES],
        "CP-GET-PROPERTY",
    ),
}


def _check_no_password(resp: ApiResponse, password: str) -> None:
    problems = []
    if has_password_field(resp.json):
        problems.append("the answer carries a member named password")
    if password in resp.text:
        problems.append("the answer carries the pairing's password")
    if problems:
        pytest.fail(
            failure_message(
                "a GET of a pairing that plays answered its password",
                resp=resp,
                expected="no password in any answer (it is SET-only)",
                problems=problems,
            )
        )


@pytest.mark.parametrize("path", PATHS)
def test_stream_no_get_of_a_playing_pairing_returns_the_password(
    path: str,
    request: pytest.FixtureRequest,
    peer_camera: Any,
    playing_pairing: str,
    empty_camera: CameraPairingClient,
    law_paths: Any,
) -> None:
    read, readable = PATHS[path]
    answers = read(empty_camera, playing_pairing)
    for resp in answers:
        step_success(request, readable, resp, step=f"{path} of a pairing that plays")
    law_paths.taken("CP-PASSWORD-NOT-RETURNED", f"{path} of a pairing that plays")
    if path == "item GET":
        law_paths.taken("CP-PASSWORD-NOT-RETURNED", law_paths.ITEM_ENTITY)
    for resp in answers:
        _check_no_password(resp, peer_camera.password)
