"""The paircert pytest plugin: target options, fixtures, markers and verdicts for the suites.

Load it with ``pytest_plugins = ["paircert.plugin"]`` in a top conftest or ``-p paircert.plugin``;
both at once configure it once. Suites use the fixtures, :mod:`paircert.plugin.expect` and
:mod:`paircert.plugin.verdicts`.
"""

from __future__ import annotations

from paircert.plugin.fixtures import (
    camera,
    camera_api,
    camera_as,
    dca,
    deviceinfo,
    discovery,
    empty_camera,
    empty_radar,
    http_admin,
    http_anonymous,
    http_operator,
    http_viewer,
    http_wrong_password,
    observe,
    paircert_state,
    peer_ca_trusted,
    peer_camera,
    peer_radar,
    radar,
    radar_as,
    radar_path,
    self_address,
    target,
    transcript,
    unreachable_address,
    wait_for_state,
    wait_for_status,
)
from paircert.plugin.generation import generation
from paircert.plugin.hooks import (
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_runtest_makereport,
    pytest_runtest_protocol,
    pytest_runtest_setup,
    pytest_runtestloop,
    pytest_unconfigure,
)
from paircert.plugin.options import pytest_addoption
from paircert.plugin.target import TargetConfig

__all__ = [
    "TargetConfig",
    "camera",
    "camera_api",
    "camera_as",
    "dca",
    "deviceinfo",
    "discovery",
    "empty_camera",
    "empty_radar",
    "generation",
    "http_admin",
    "http_anonymous",
    "http_operator",
    "http_viewer",
    "http_wrong_password",
    "observe",
    "paircert_state",
    "peer_ca_trusted",
    "peer_camera",
    "peer_radar",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_makereport",
    "pytest_runtest_protocol",
    "pytest_runtest_setup",
    "pytest_runtestloop",
    "pytest_unconfigure",
    "radar",
    "radar_as",
    "radar_path",
    "self_address",
    "target",
    "transcript",
    "unreachable_address",
    "wait_for_state",
    "wait_for_status",
]
