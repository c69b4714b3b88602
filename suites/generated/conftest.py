"""Fixtures of the generated suites: schemathesis schemas, requests sessions, example counters.

Two labelled layers sit over the documented OpenAPI document (``paircert.schemas.openapi_document``),
applied to a fresh copy every time because schemathesis changes the dict it is given:

* STRICT ADDRESS LAYER (generation only): the documented Address type is "a string of at most 64
  characters", yet error 102 rejects what is not an IPv4/IPv6 address or DNS name. Address fields
  get the custom format ``paircert-strict-address``, whose values come from
  :func:`strategies.addresses.valid_addresses` (documentation ranges and reserved names, so a real
  device never dials a real host) and each of which is checked against
  ``camera-pairing/strict/address``.
* PROTOCOL-NOTES ALLOWANCE (statuses): the documents say a failure is "an HTTP error status plus the
  error envelope" and name no status per failure, so every operation also declares ``4XX`` with the
  DCA error envelope; which statuses the device chose is recorded as observed behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode

from paircert import schemas
from paircert.clients.camera_pairing import CameraPairingClient
from paircert.plugin.fixtures import read_collection
from paircert.plugin.generation import Generation
from paircert.plugin.identities import Identity
from paircert.plugin.oracle import judge_radar
from paircert.plugin.session import ANONYMOUS, SessionState
from paircert.plugin.target import TargetConfig
from paircert.plugin.verdicts import blocked, device_broke, step_success

STRICT_ADDRESS_FORMAT = "paircert-strict-address"
STRICT_ADDRESS: dict[str, Any] = {
    "type": "string",
    "maxLength": 64,
    "format": STRICT_ADDRESS_FORMAT,
    "description": "STRICT ADDRESS LAYER (paircert, generation only): camera-pairing/strict/address, "
    "drawn from documentation ranges and reserved names",
}


def _strict(address: str) -> bool:
    return not schemas.validate("camera-pairing/strict/address", address)


def _register_strict_format() -> None:
    """Registered on first use, not at import: building strategies while pytest loads conftests is
    slow (hypothesis warns about it)."""
    from strategies.addresses import valid_addresses

    schemathesis.openapi.format(STRICT_ADDRESS_FORMAT, valid_addresses().filter(_strict))


def camera_openapi() -> dict[str, Any]:
    """A fresh OpenAPI dict with the two labelled layers applied (see the module docstring)."""
    document = schemas.openapi_document()
    components = document["components"]["schemas"]
    components["camera-pairing.add-request"]["properties"]["data"]["properties"]["address"] = dict(STRICT_ADDRESS)
    components["camera-pairing.set-request.address"]["properties"]["data"] = dict(STRICT_ADDRESS)
    error = {
        "description": "PROTOCOL-NOTES §1: any HTTP error status with the DCA error envelope",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/dca.error"}}},
    }
    for path_item in document["paths"].values():
        for method, operation in path_item.items():
            if method in ("get", "post", "patch", "delete", "put"):
                operation["responses"].setdefault("4XX", dict(error))
    return document


def schemathesis_database(generation: Generation) -> str:
    path = getattr(generation.database, "path", None)
    return str(path) if path is not None else "none"


def build_camera_schema(
    target: TargetConfig, generation: Generation, *, modes: list[GenerationMode], max_examples: int
) -> Any:
    _register_strict_format()
    schema = schemathesis.openapi.from_dict(camera_openapi())
    schema.config.update(base_url=target.base_url)
    schema.config.seed = generation.seed
    schema.config.generation.update(modes=modes, max_examples=max_examples, database=schemathesis_database(generation))
    schema.config.phases.stateful.max_steps = generation.budget.links_steps
    schema.config.phases.coverage.enabled = generation.budget.coverage_phase
    return schema


@pytest.fixture
def camera_schema(target: TargetConfig, generation: Generation, camera_api: bool) -> Any:
    """The camera pairing API for per-operation tests: positive and negative generation."""
    return build_camera_schema(
        target,
        generation,
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=generation.budget.operation_examples,
    )


@pytest.fixture
def camera_links_schema(target: TargetConfig, generation: Generation, camera_api: bool) -> Any:
    """The camera pairing API for the stateful run over the OpenAPI links (positive data)."""
    return build_camera_schema(
        target, generation, modes=[GenerationMode.POSITIVE], max_examples=generation.budget.links_scenarios
    )


def _session(paircert_state: SessionState, role: Identity) -> Any:
    session = paircert_state.requests_session(role)
    if session is None:
        blocked(f"no {role} credentials (pass --{role} NAME:SECRET)")
    return session


@pytest.fixture
def st_session(paircert_state: SessionState, target: TargetConfig) -> Any:
    """The admin ``requests.Session`` schemathesis sends with (Digest from paircert.auth)."""
    return _session(paircert_state, "admin")


@pytest.fixture
def st_anonymous(paircert_state: SessionState, target: TargetConfig) -> Any:
    return _session(paircert_state, ANONYMOUS)


@pytest.fixture
def examples(generation: Generation) -> Iterator[Any]:
    """Counts this test's examples or steps (``examples.count += 1``) for the examples/s table."""
    with generation.measure() as measured:
        yield measured


@dataclass
class PairingPool:
    """Keeps the empty device holding one pairing (for per-operation tests) or none (for ADD).

    ``known_empty`` saves the listing when the pool knows the device holds no pairing: the
    ``empty_camera`` fixture found none, or the pool removed every listed one, and nothing that
    could add one happened since (an ADD of its own, or a test's ADD that was not refused).
    """

    request: pytest.FixtureRequest
    camera: CameraPairingClient
    body: dict[str, Any]
    current: str | None = None
    known_empty: bool = True

    def _ids(self) -> list[str]:
        listing = read_collection(self.request, self.camera)
        return [str(p["id"]) for p in listing if isinstance(p, dict) and "id" in p]

    def ensure(self) -> str:
        if self.current is None:
            self.known_empty = False
            resp = self.camera.add(self.body)
            if not resp.ok or not isinstance(resp.data, dict):
                ids = self._ids()
                if not ids:
                    device_broke(
                        self.request,
                        "CP-ADD-REQUIRED",
                        f"ADD of a pairing with every required field, each valid, was refused "
                        f"(HTTP {resp.status_code}, code {resp.error_code})",
                        expected="success: the device holds no pairing and the ADD carries all six fields",
                        resp=resp,
                    )
                self.current = ids[0]
            else:
                self.current = str(resp.data["id"])
        return self.current

    def empty(self) -> None:
        if not self.known_empty:
            for pairing_id in self._ids():
                self.camera.remove(pairing_id)
            self.known_empty = True
        self.current = None

    def after(self, method: str, status: int) -> None:
        """Upkeep after a test's own request: an ADD that succeeded is removed again, one that was
        neither a success nor refused (4xx) may have added a pairing, and a REMOVE that succeeded
        took the pool's pairing."""
        if method == "POST" and not 400 <= status < 500:
            self.current, self.known_empty = None, False
            if 200 <= status < 300:
                self.empty()
        elif method == "DELETE" and 200 <= status < 300:
            self.current, self.known_empty = None, False


@pytest.fixture
def pairing_pool(
    request: pytest.FixtureRequest, empty_camera: CameraPairingClient, unreachable_address: str
) -> PairingPool:
    body = {
        "address": unreachable_address,
        "username": "paircert",
        "password": "paircert-Gen-1",
        "streamingprotocol": "RTSP",
        "verifycertificate": False,
        "description": "paircert generated",
    }
    return PairingPool(request, empty_camera, body)


Observe = Callable[[str, Any], None]


# --------------------------------------------------------------------------- radar error-envelope oracle


@pytest.fixture
def radar_oracle(observe: Observe) -> Callable[[Any, Any], None]:
    """``radar_oracle(request_body, resp)`` fails the test on any documented envelope rule broken;
    an error message other than the table's is recorded as observed (the ledger leaves messages untested)."""
    from paircert.plugin.expect import failure_message

    def judge(request_body: Any, resp: Any) -> None:
        failures = judge_radar(request_body, resp)
        if failures:
            pytest.fail(
                failure_message(
                    "the radar answer breaks the documented envelope",
                    resp=resp,
                    expected="an answer as the radar error table and envelope rules say",
                    problems=[str(failure) for failure in failures],
                )
            )
        entry = schemas.catalogue("radar-pairing").get(resp.error_code) if resp.error_code is not None else None
        if entry is not None and resp.error_message != entry.message:
            observe(f"radar.error_message.{resp.error_code}", resp.error_message)

    return judge


@pytest.fixture(autouse=True)
def _generated_passwords_are_not_secrets(paircert_state: SessionState) -> Iterator[None]:
    """Made-up passwords are test data: password fields stay redacted, but the values are not learned
    as secrets to scrub from every report text (see ``paircert.plugin.redaction``)."""
    with paircert_state.transcript.passwords_are_test_data():
        yield
