"""A read-only run is proven read-only from its own transcript, by one classifier of requests.

``paircert.clients.effects.changes_state`` decides, from method, path and body alone, whether a
request could change a device's state; the plugin runs every request a run records through it. A
``--profile read-only`` run against the embedded emulator must end with "none changes state", and
a suite test that sends a state-changing request without saying so must make such a run fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paircert.clients.effects import StateAudit, cgi_methods, changes_state, describe
from paircert.vapix.paths import APIDISCOVERY_PATH, CAMERA_API_ROOT, CAMERA_COLLECTION, DEVICEINFO_PATH, RADAR_PATHS

REPO = Path(__file__).resolve().parents[1]
RADAR = RADAR_PATHS[0]
ITEM = f"{CAMERA_COLLECTION}/CameraPairing-1700000000-000001"


def envelope(method: object, **params: object) -> bytes:
    return json.dumps({"apiVersion": "1.0", "method": method, "params": params}).encode()


READS = [
    ("GET", "/config/discover", None),
    ("GET", CAMERA_API_ROOT, None),
    ("HEAD", CAMERA_COLLECTION, None),
    ("OPTIONS", ITEM, None),
    ("GET", f"{ITEM}/status", None),
    ("POST", RADAR, envelope("getRadarConnection")),
    ("POST", RADAR, envelope("getActive")),
    ("POST", RADAR, envelope("getSupportedVersions")),
    ("POST", RADAR_PATHS[1], envelope("getSupportedVersions")),
    ("PUT", RADAR, envelope("getSupportedVersions")),  # a wrong HTTP method; the body still only reads
    ("POST", DEVICEINFO_PATH, envelope("getAllProperties")),
    ("POST", APIDISCOVERY_PATH, envelope("getApiList")),
    ("GET", RADAR, None),
    ("POST", RADAR, b'{"apiVersion": "1.0", "method": '),  # names no method: nothing to act on
    ("POST", RADAR, b"method=getActive"),
    ("POST", RADAR, b"\xff\xfe{}"),
]
CHANGES = [
    ("POST", CAMERA_COLLECTION, b'{"data": {}}'),
    ("PATCH", f"{ITEM}/description", b'{"data": "x"}'),
    ("PUT", f"{ITEM}/description", b'{"data": "x"}'),
    ("DELETE", ITEM, None),
    ("POST", "/config/discover", None),
    ("TRACE", CAMERA_COLLECTION, None),
    ("POST", RADAR, envelope("setRadarConnection", address="192.0.2.10", user="u", password="p")),
    ("POST", RADAR, envelope("setActive", active=True)),
    ("POST", RADAR, envelope("clearConfiguration")),
    ("POST", RADAR, envelope("rebootRadar")),  # unknown: a device might implement it
    ("DELETE", RADAR, envelope("clearConfiguration")),
    ("POST", RADAR, b"{'method': 'setActive'}"),  # not JSON, yet a lenient parser reads setActive
    ("POST", RADAR, b"method=clearConfiguration"),
    ("POST", RADAR, b'{"method": ["setActive"]}'),
    ("GET", "/axis-cgi/param.cgi?action=update&Network.HostName=x", None),  # VAPIX CGIs act on GET
]


@pytest.mark.parametrize(("method", "path", "body"), READS, ids=[f"{m} {p} {b!r:.40}" for m, p, b in READS])
def test_reads_are_classified_as_leaving_state_alone(method: str, path: str, body: bytes | None) -> None:
    assert changes_state(method, path, body) is False


@pytest.mark.parametrize(("method", "path", "body"), CHANGES, ids=[f"{m} {p} {b!r:.40}" for m, p, b in CHANGES])
def test_writes_and_anything_unknown_are_classified_as_changing_state(
    method: str, path: str, body: bytes | None
) -> None:
    assert changes_state(method, path, body) is True


def test_a_full_url_is_classified_by_its_path_and_query() -> None:
    assert changes_state("GET", f"http://192.0.2.10{CAMERA_COLLECTION}") is False
    assert changes_state("POST", f"https://192.0.2.10:8443{RADAR}", envelope("setActive")) is True
    assert changes_state("GET", f"http://192.0.2.10{RADAR}?method=setActive") is True


def test_a_request_is_described_by_method_path_and_the_cgi_methods_it_names() -> None:
    assert describe("post", f"http://192.0.2.10{RADAR}?x=1", envelope("setActive")) == f"POST {RADAR} (setActive)"
    assert describe("DELETE", ITEM) == f"DELETE {ITEM}"
    assert cgi_methods(b'{"method": "getActive", "params": {"method": "setActive"}}') == ["getActive", "setActive"]


def test_an_audit_counts_every_request_and_names_the_changing_ones_with_their_sender() -> None:
    audit = StateAudit()
    audit.note("GET", CAMERA_COLLECTION, b"", sender="t::a")
    assert audit.clean and audit.statement() == "read-only: 1 request, none changes state"
    audit.note("POST", RADAR, envelope("setActive"), sender="t::b")
    audit.note("DELETE", ITEM, b"", sender=None)
    assert (audit.requests, audit.changing_count, audit.clean) == (3, 2, False)
    assert audit.changing == [f"POST {RADAR} (setActive) in t::b", f"DELETE {ITEM}"]
    assert audit.statement().startswith("read-only run sent 2 state-changing requests of 3: ")


def _environment() -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAIRCERT_")}
    environment["PYTHONPATH"] = str(REPO)
    return environment


def _results(folder: Path) -> dict[str, object]:
    (path,) = folder.rglob("results.json")
    document: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_a_read_only_run_on_the_emulator_sends_no_state_changing_request_by_its_transcript(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "paircert", "run", "--profile", "read-only", "--report-dir", str(tmp_path / "out")],
        cwd=tmp_path,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    document = _results(tmp_path / "out")
    profile, traffic = document["profile"], document["traffic"]
    assert isinstance(profile, dict) and isinstance(traffic, dict)
    proof = profile["read_only"]
    assert traffic["requests"] > 20 and traffic["state_changing"] == 0
    assert proof == {
        "holds": True,
        "statement": f"read-only: {traffic['requests']} requests, none changes state",
        "changing": [],
    }
    assert profile["left_out"] and all(
        entry["reason"] == "read-only profile: the test changes device state" for entry in profile["left_out"]
    )
    assert proof["statement"] in result.stdout


SUITE_BUG = f'''
import httpx

def test_adds_without_saying_it_changes_state(http_admin: httpx.Client) -> None:
    http_admin.post("{CAMERA_COLLECTION}", json={{"data": {{"description": "x"}}}})
'''


def test_a_read_only_run_whose_suite_sends_a_state_changing_request_fails_and_names_it(tmp_path: Path) -> None:
    (tmp_path / "test_sample.py").write_text(SUITE_BUG)
    environment = _environment()
    environment["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "paircert.plugin", "-p", "no:cacheprovider", "-q", "test_sample.py"]
        + ["--profile", "read-only", "--report-dir", "out"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    document = _results(tmp_path / "out")
    profile = document["profile"]
    assert isinstance(profile, dict)
    assert profile["read_only"]["holds"] is False
    # twice on the wire: the Digest challenge leg, then the answer to it
    assert profile["read_only"]["changing"] == 2 * [
        f"POST {CAMERA_COLLECTION} in test_sample.py::test_adds_without_saying_it_changes_state"
    ]
    assert "read-only run sent 2 state-changing requests" in result.stdout
