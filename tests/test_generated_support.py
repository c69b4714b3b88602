"""The pieces the generated suites stand on: budgets and seeds, coverage accounting, the requests
session over the one Digest implementation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paircert.clients.http import Credentials
from paircert.clients.requests_session import open_requests_session
from paircert.clients.transcript import Exchange, Transcript
from paircert.plugin.generation import BUDGETS, Generation
from paircert.plugin.options import DEFAULT_SEED
from paircert.report.coverage import Coverage, classify_exchange
from paircert.report.html import coverage_sections

PASSWORD = "Generated-support-secret-99"


def _exchange(method: str, path: str, status: int, request: str = "", response: str = "") -> Exchange:
    transcript = Transcript()
    req = httpx.Request(method, f"http://device.test{path}", content=request.encode())
    return transcript.record(httpx.Response(status, content=response.encode(), request=req))


def test_gate_budgets_are_smaller_than_full_ones_in_every_dimension() -> None:
    gate, full = BUDGETS["gate"], BUDGETS["full"]
    for name in ("operation_examples", "links_scenarios", "machine_runs", "machine_steps", "property_examples"):
        assert getattr(gate, name) < getattr(full, name), name
    assert BUDGETS["read-only"] == gate


def test_each_test_gets_a_stable_seed_of_its_own_from_the_run_seed() -> None:
    def seed(nodeid: str, run_seed: int = DEFAULT_SEED) -> int:
        return Generation(nodeid, run_seed, "gate", BUDGETS["gate"], None, lambda *a: None).seed

    assert seed("a::t") == seed("a::t")
    assert seed("a::t") != seed("a::u")
    assert seed("a::t", 1) != seed("a::t", 2)


def test_exchanges_are_classified_per_api_operation_and_code() -> None:
    camera = _exchange(
        "PATCH",
        "/config/rest/camera-pairing/v1beta/camerapairings/X/address",
        400,
        '{"data": "bad"}',
        '{"status":"error","error":{"code":102,"message":"m"}}',
    )
    radar = _exchange(
        "POST",
        "/axis-cgi/networkradarpairing.cgi",
        200,
        '{"apiVersion":"1.0","method":"getActive"}',
        '{"apiVersion":"1.0","method":"getActive","error":{"code":2201,"message":"m"}}',
    )
    assert classify_exchange(camera) == ("camera-pairing", "PATCH camerapairings/{id}/address", 102)
    assert classify_exchange(radar) == ("radar-pairing", "getActive", 2201)
    assert classify_exchange(_exchange("GET", "/config/discover", 200)) is None


def test_coverage_lists_the_documented_codes_never_provoked_and_examples_per_second() -> None:
    coverage = Coverage(documented={"radar-pairing": (2200, 2201)})
    coverage.record(
        _exchange(
            "POST",
            "/axis-cgi/networkradarpairing.cgi",
            200,
            '{"method":"getActive"}',
            '{"error":{"code":2201,"message":"m"}}',
        )
    )
    coverage.add_examples("t", 10, 2.0)
    data = coverage.to_dict()
    assert data["apis"]["radar-pairing"]["documented_codes_never_provoked"] == [2200]
    assert data["generated"]["t"]["examples_per_second"] == 5.0
    html = "".join(coverage_sections(data))
    assert "2200" in html and "Generated tests" in html


@pytest.fixture
def emulator_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from paircert.emulator.config import EmulatorConfig, User
    from paircert.emulator.embedded import EmbeddedEmulator

    with EmbeddedEmulator(EmulatorConfig(state_dir=tmp_path, users=[User("root", PASSWORD, "admin")])) as emulator:
        yield emulator.http_url, str(emulator.ca_file)


def test_requests_session_answers_digest_with_paircert_auth_and_records_redacted_exchanges(
    emulator_url: tuple[str, str],
) -> None:
    url, ca_file = emulator_url
    transcript = Transcript()
    with open_requests_session(Credentials("root", PASSWORD), verify=ca_file, transcript=transcript) as session:
        for _ in range(2):
            assert session.get(f"{url}/config/rest/camera-pairing/v1beta/camerapairings").status_code == 200
    statuses = [x.status_code for x in transcript.exchanges]
    assert statuses == [401, 200, 200]  # one challenge, then the kept Digest parameters
    assert transcript.exchanges[1].auth_scheme == "digest"
    assert PASSWORD not in transcript.render()
    assert all(PASSWORD not in x.to_curl() for x in transcript.exchanges)


def test_requests_session_with_a_wrong_password_gets_401(emulator_url: tuple[str, str]) -> None:
    url, ca_file = emulator_url
    with open_requests_session(Credentials("root", "not-the-password"), verify=ca_file) as session:
        assert session.get(f"{url}/config/rest/camera-pairing/v1beta/camerapairings").status_code == 401
