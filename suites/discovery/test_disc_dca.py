"""DCA discovery: /config/discover and the camera pairing API's entry and linked documents.

No schema covers these documents (PROTOCOL-NOTES §1 names their members, not their types), so the
shape is checked member by member. The framework wraps answers in its success envelope or sends
the document bare (the public page shows it bare); both are read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from paircert.clients.camera_pairing import API_ROOT
from paircert.clients.discovery import DiscoveryClient
from paircert.clients.response import ApiResponse, perform
from paircert.plugin.expect import expect_success
from paircert.plugin.verdicts import not_applicable

Observe = Callable[[str, Any], None]
API_ID = "camera-pairing"
SEMVER = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$")


def _document(resp: ApiResponse, observe: Observe, key: str) -> dict[str, Any]:
    """The discovery document, from the success envelope's data or the bare body."""
    assert resp.status_code == 200, f"HTTP {resp.status_code}\n{resp.exchange.to_curl()}"
    assert isinstance(resp.json, dict), f"not a JSON object: {resp.text[:200]!r}"
    if resp.json.get("status") == "success" and isinstance(resp.json.get("data"), dict):
        observe(key, "success envelope")
        return dict(expect_success(resp, schema="dca/success"))
    observe(key, "bare document")
    return resp.json


def _camera_entry(discovery: DiscoveryClient, observe: Observe) -> dict[str, Any]:
    apis = _document(discovery.dca_discover(), observe, "discover.form")["apis"]
    if API_ID not in apis:
        not_applicable(f"/config/discover does not list {API_ID}")
    return _document(discovery.dca_api(API_ID, 1), observe, "discover.api_entry.form")


@pytest.mark.requirement("DISC-DCA-DISCOVER")
def test_discover_answers_the_framework_version_and_apis_by_id(discovery: DiscoveryClient, observe: Observe) -> None:
    document = _document(discovery.dca_discover(), observe, "discover.form")
    assert isinstance(document.get("framework_version"), str) and SEMVER.match(document["framework_version"]), (
        f"framework_version {document.get('framework_version')!r} is not a version string"
    )
    apis = document.get("apis")
    assert isinstance(apis, dict), f"apis is {type(apis).__name__}, not an object keyed by API id"
    observe("discover.framework_version", document["framework_version"])
    observe("discover.api_ids", sorted(apis))


@pytest.mark.requirement("DISC-DCA-API-LINKS", "DCA-API-ROOT")
def test_camera_pairing_entry_links_its_documents_and_rest_root(discovery: DiscoveryClient, observe: Observe) -> None:
    entry = _camera_entry(discovery, observe)
    links = [value for value in entry.values() if isinstance(value, str)]
    for suffix in ("model.json", "openapi.json", "doc.md"):
        assert any(link.endswith(suffix) for link in links), f"no link to {suffix} in {sorted(entry)}"
    assert entry.get("rest_api") == API_ROOT, f"rest_api is {entry.get('rest_api')!r}"
    assert isinstance(entry.get("state"), str) and entry["state"], "state is missing"
    version = entry.get("version")
    assert isinstance(version, str) and SEMVER.match(version) and version.startswith("1."), f"version {version!r}"
    observe("discover.camera_pairing", {"state": entry["state"], "version": version, "keys": sorted(entry)})


@pytest.mark.parametrize("suffix", ["model.json", "openapi.json"])
@pytest.mark.requirement("DISC-DCA-LINKS-RESOLVE")
def test_linked_json_documents_answer_json(discovery: DiscoveryClient, suffix: str, observe: Observe) -> None:
    entry = _camera_entry(discovery, observe)
    link = next((v for v in entry.values() if isinstance(v, str) and v.endswith(suffix)), None)
    assert link is not None, f"no link to {suffix}"
    resp = perform(discovery.http, discovery.transcript, "dca", "GET", link)
    assert resp.status_code == 200 and isinstance(resp.json, dict), (
        f"{link}: HTTP {resp.status_code}\n{resp.exchange.to_curl()}"
    )
    if suffix == "openapi.json":
        assert str(resp.json.get("openapi", "")).startswith("3."), "openapi.json does not name an OpenAPI 3 version"
