"""schemathesis' stateful run over the OpenAPI links: ADD feeds GET, SET and DELETE of the new id.

Sequences come from ``schema.as_state_machine()``; every answer goes through schemathesis' checks,
including use after free (a removed pairing must not answer 2xx) and resource availability (a
created pairing must be readable). Positive data only (the strict address layer); a second ADD is
refused with a documented 104, so positive acceptance is judged as in the per-operation suite. Each
scenario ends by removing every pairing, leaving the device as the fixture found it.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import note
from hypothesis.stateful import run_state_machine_as_test

from paircert.clients.camera_pairing import CameraPairingClient

EXCLUDED_CHECKS = [
    schemathesis.checks.positive_data_acceptance,  # a second ADD answers 104: documented, judged below
    schemathesis.checks.ignored_auth,  # no security scheme is declared (PROTOCOL-NOTES §5)
    schemathesis.checks.allow_header_conformance,
    schemathesis.checks.unsupported_method,
]


@pytest.mark.requirement(
    "CP-ONE-PAIRING", "CP-REMOVE-GONE", "CP-GET-ITEM", "CP-ADD-RESPONSE", "DCA-ENVELOPE-SUCCESS", "DCA-ENVELOPE-ERROR"
)
@pytest.mark.changes_state
def test_link_sequences_from_add_conform(
    camera_links_schema: Any, empty_camera: CameraPairingClient, st_session: Any, generation: Any, examples: Any
) -> None:
    base = camera_links_schema.as_state_machine()

    class LinkMachine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"session": st_session}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            examples.count += 1
            note(f"{case.method} {case.formatted_path} -> HTTP {response.status_code}")
            positive_rejected = not 200 <= response.status_code < 300
            code = None
            try:
                body = response.json()
                code = body.get("error", {}).get("code") if isinstance(body, dict) else None
            except ValueError:
                pass
            if positive_rejected and not (
                code in (101, 104) or (response.status_code == 404 and case.method != "POST")
            ):
                pytest.fail(
                    f"[CP-ADD-REQUIRED] {case.method} {case.formatted_path} with valid data answered "
                    f"HTTP {response.status_code}, error {code}"
                )
            case.validate_response(
                response, excluded_checks=EXCLUDED_CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
            )

        def teardown(self) -> None:
            listing = empty_camera.list()
            for pairing in listing.data if listing.ok and isinstance(listing.data, list) else []:
                empty_camera.remove(pairing["id"])

    settings = generation.settings(max_examples=generation.budget.links_scenarios, steps=generation.budget.links_steps)
    run_state_machine_as_test(generation.seeded(LinkMachine), settings=settings)
