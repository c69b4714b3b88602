"""VAPIX API discovery (apidiscovery.cgi), basic device information, and the radar CGI path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from paircert.clients.discovery import DeviceInfoClient, DiscoveryClient
from paircert.clients.radar import RADAR_PATHS, RadarClient
from paircert.clients.transcript import Transcript
from paircert.plugin.expect import expect_success
from paircert.plugin.verdicts import not_applicable

Observe = Callable[[str, Any], None]
RADAR_API_ID = "network-radar-pairing"
DEVICE_PROPERTIES = (
    "Architecture",
    "Brand",
    "BuildDate",
    "HardwareID",
    "ProdFullName",
    "ProdNbr",
    "ProdShortName",
    "ProdType",
    "ProdVariant",
    "SerialNumber",
    "Soc",
    "SocSerialNumber",
    "Version",
    "WebURL",
)


def _api_list(discovery: DiscoveryClient) -> list[dict[str, Any]]:
    resp = discovery.api_list()
    if resp.status_code == 404:
        not_applicable("the device has no /axis-cgi/apidiscovery.cgi")
    data = expect_success(resp)
    entries = data.get("apiList") if isinstance(data, dict) else None
    assert isinstance(entries, list), "getApiList data carries no apiList array"
    return entries


@pytest.mark.requirement("DISC-APIDISCOVERY-SHAPE")
def test_get_api_list_answers_entries_with_id_version_and_name(discovery: DiscoveryClient, observe: Observe) -> None:
    entries = _api_list(discovery)
    for entry in entries:
        assert isinstance(entry, dict), f"apiList entry {entry!r} is not an object"
        assert isinstance(entry.get("id"), str) and entry["id"], f"apiList entry {entry!r} has no id"
        for member in ("version", "name"):
            assert isinstance(entry.get(member), str), f"entry {entry['id']!r} has no string {member}"
    observe("apidiscovery.ids", sorted(e["id"] for e in entries))
    # Nothing says version and name are non-empty: empty ones are recorded, not failed.
    observe(
        "apidiscovery.empty_members", sorted(f"{e['id']}.{k}" for e in entries for k in ("version", "name") if not e[k])
    )
    observe("apidiscovery.lists_camera_pairing", any(e["id"] == "camera-pairing" for e in entries))


@pytest.mark.requirement("DISC-RADAR-LISTED")
def test_network_radar_pairing_is_listed_with_the_documented_fields(
    discovery: DiscoveryClient, http_admin: httpx.Client, transcript: Transcript, observe: Observe
) -> None:
    entry = next((e for e in _api_list(discovery) if e.get("id") == RADAR_API_ID), None)
    if entry is None:
        path = RadarClient(http_admin, transcript).probe()
        assert path is None, f"the radar pairing API answers at {path} but apidiscovery does not list {RADAR_API_ID}"
        not_applicable(f"the device neither lists nor serves {RADAR_API_ID}")
    for member in ("id", "version", "name"):
        assert isinstance(entry.get(member), str) and entry[member], f"{RADAR_API_ID} entry lacks {member}"
    # status and docLink are listed members, but nothing says they are non-empty (firmware sends
    # "docLink": ""), so only their presence as strings is required and their values recorded.
    for member in ("status", "docLink"):
        assert isinstance(entry.get(member), str), f"{RADAR_API_ID} entry has no string {member}"
    observe("apidiscovery.radar", {k: entry[k] for k in ("version", "status", "name", "docLink")})


@pytest.mark.requirement("VAPIX-CGI-PATH", "DISC-RADAR-LISTED")
def test_the_radar_probe_reports_which_path_answered(radar: RadarClient, observe: Observe) -> None:
    assert radar.path in RADAR_PATHS
    resp = radar.get_supported_versions()
    expect_success(resp, schema="radar-pairing/response/getSupportedVersions")
    observe("radar.path", radar.path)


@pytest.mark.requirement("DISC-BASICDEVICEINFO")
def test_basic_device_info_answers_every_property(deviceinfo: DeviceInfoClient, observe: Observe) -> None:
    resp = deviceinfo.get_all_properties()
    if resp.status_code == 404:
        not_applicable("the device has no /axis-cgi/basicdeviceinfo.cgi")
    data = expect_success(resp)
    properties = data.get("propertyList") if isinstance(data, dict) else None
    assert isinstance(properties, dict), "getAllProperties data carries no propertyList object"
    missing = [name for name in DEVICE_PROPERTIES if not isinstance(properties.get(name), str)]
    assert not missing, f"propertyList lacks (or has non-string) {missing}"
    observe("deviceinfo.identity", {k: properties[k] for k in ("Brand", "ProdNbr", "Version")})


@pytest.mark.requirement("DISC-BASICDEVICEINFO-UNRESTRICTED")
def test_unrestricted_properties_answer_without_credentials(
    http_anonymous: httpx.Client, transcript: Transcript, observe: Observe
) -> None:
    resp = DeviceInfoClient(http_anonymous, transcript).get_all_unrestricted_properties()
    if resp.status_code == 404:
        not_applicable("the device has no /axis-cgi/basicdeviceinfo.cgi")
    data = expect_success(resp)
    properties = data.get("propertyList") if isinstance(data, dict) else None
    assert isinstance(properties, dict) and properties, "getAllUnrestrictedProperties carries no propertyList"
    observe("deviceinfo.unrestricted_keys", sorted(properties))
