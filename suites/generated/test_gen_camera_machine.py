"""A model-based state machine for camera pairing, written from the documents (not the emulator).

The model: zero or one pairing and its settable fields. Random sequences of every operation, valid
and invalid, are checked answer by answer: never two pairings (a second ADD fails with 104 and the
first stays), ADD after DELETE works again, the password is never returned, a SET is visible in the
next GET, invalid values are rejected and change nothing, a removed id is gone. Every run ends by
removing what it added. On failure hypothesis prints the shrunk sequence, with a curl per request.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import note
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from paircert import schemas
from paircert.clients.camera_pairing import CameraPairingClient
from paircert.clients.response import ApiResponse
from paircert.plugin.expect import failure_message
from paircert.vapix.passwords import has_password_field
from strategies import camera_pairing as cps

CLIENT_ERROR = range(400, 500)
READ_ONLY = ("id", "status", "productmodel", "productname")
STREAMING_ERRORS = (106, 107, 108)


class _Secret(str):
    """A generated password whose repr in the printed sequence is its length, not its value."""

    def __repr__(self) -> str:
        return f"<password: {len(self)} characters>"


def _hide_password(body: dict[str, Any]) -> dict[str, Any]:
    data = dict(body["data"])
    data["password"] = _Secret(data["password"])
    return {"data": data}


def make_machine(
    camera: CameraPairingClient, examples: Any, observe: Any, same_address: Any
) -> type[RuleBasedStateMachine]:
    def same(prop: str, read: Any, model: Any) -> bool:
        """GET shows the model's value; an address may come back in its canonical text."""
        return bool(same_address(model, read)) if prop == "address" else bool(read == model)

    class CameraPairingMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.pairing: dict[str, Any] | None = None  # what GET must show (no password)
            self.removed: list[str] = []

        # --- helpers -------------------------------------------------------------------------

        def send(self, resp: ApiResponse) -> ApiResponse:
            examples.count += 1
            note(f"  -> HTTP {resp.status_code} {resp.exchange.response_body[:200]}\n  curl: {resp.exchange.to_curl()}")
            if has_password_field(resp.json):
                pytest.fail(
                    failure_message(
                        "a response carries a password member",
                        resp=resp,
                        expected="[CP-PASSWORD-NOT-RETURNED] no password in any answer",
                    )
                )
            return resp

        def check(self, ok: bool, summary: str, resp: ApiResponse, expected: str) -> None:
            if not ok:
                pytest.fail(failure_message(summary, resp=resp, expected=expected))

        def expect_error(self, resp: ApiResponse, summary: str, codes: tuple[int, ...] | None = None) -> None:
            good = not resp.ok and resp.status_code in CLIENT_ERROR and not schemas.validate("dca/error", resp.json)
            if codes is not None:
                good = good and resp.error_code in codes
            wanted = f"an error envelope with a 4xx status{f' and code {codes}' if codes else ''}"
            self.check(good, summary, resp, wanted)

        def adopt(self, resp: ApiResponse, fields: dict[str, Any]) -> None:
            data = resp.data
            pairing_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(pairing_id, str):
                listing = camera.list()
                pairing_id = listing.data[0]["id"] if listing.ok and listing.data else None
            self.check(
                isinstance(pairing_id, str),
                "an acknowledged ADD left no pairing with an id",
                resp,
                "[CP-ID-GENERATED] the new pairing has a generated id",
            )
            kept = {k: v for k, v in fields.items() if k in cps.ADD_REQUIRED and k != "password"}
            self.pairing = kept | {"id": pairing_id}

        # --- ADD ---------------------------------------------------------------------------------

        @rule(body=cps.valid_add_bodies().map(_hide_password))
        def add_valid(self, body: dict[str, Any]) -> None:
            note(f"ADD {body!r}")
            resp = self.send(camera.add({k: str(v) if isinstance(v, _Secret) else v for k, v in body["data"].items()}))
            if self.pairing is None:
                self.check(
                    resp.ok and resp.status_code in (200, 201),
                    "ADD of a valid pairing on an empty device failed",
                    resp,
                    "[CP-ADD-REQUIRED] success, HTTP 200 or 201",
                )
                self.adopt(resp, body["data"])
            else:
                self.expect_error(resp, "[CP-ONE-PAIRING] a second ADD was not refused with 104", codes=(104,))

        @rule(case=cps.invalid_add_bodies())
        def add_invalid(self, case: Any) -> None:
            note(f"ADD invalid {case!r}")
            resp = self.send(camera.add_raw(case.body))
            if resp.ok:
                self.check(
                    not case.enforced,
                    f"an invalid ADD ({case.kind}) was accepted",
                    resp,
                    f"[{case.rule}] an error",
                )
                self.check(
                    self.pairing is None,
                    "[CP-ONE-PAIRING] a second pairing was accepted",
                    resp,
                    "error 104 while a pairing exists",
                )
                self.adopt(resp, case.value["data"])
                observe(f"camera.accepts.{case.kind.split(':')[0]}", True)
                return
            if case.enforced:
                codes = (case.code, 104) if case.code and self.pairing else ((case.code,) if case.code else None)
                self.expect_error(
                    resp, f"[{case.rule}] an invalid ADD ({case.kind}) was not rejected as documented", codes
                )

        # --- REMOVE ------------------------------------------------------------------------------

        @precondition(lambda self: self.pairing is not None)
        @rule()
        def remove(self) -> None:
            assert self.pairing is not None
            pairing_id = self.pairing["id"]
            note(f"DELETE {pairing_id}")
            resp = self.send(camera.remove(pairing_id))
            self.check(resp.ok, "[CP-REMOVE] DELETE of the pairing failed", resp, "success")
            self.pairing = None
            self.removed.append(pairing_id)

        @precondition(lambda self: bool(self.removed))
        @rule()
        def use_removed_id(self) -> None:
            pairing_id = self.removed[-1]
            note(f"GET removed {pairing_id}")
            self.expect_error(self.send(camera.get(pairing_id)), "[CP-REMOVE-GONE] a removed pairing still answers")

        # --- GET ---------------------------------------------------------------------------------

        @precondition(lambda self: self.pairing is not None)
        @rule(prop=st.sampled_from(schemas.GETTABLE))
        def get_property(self, prop: str) -> None:
            assert self.pairing is not None
            note(f"GET {prop}")
            resp = self.send(camera.get_property(self.pairing["id"], prop))
            self.check(resp.ok, f"[CP-GET-PROPERTY] GET {prop} failed", resp, "success")
            if prop in self.pairing:
                self.check(
                    same(prop, resp.data, self.pairing[prop]),
                    f"[CP-GET-PROPERTY] GET {prop} does not show the model's value {self.pairing[prop]!r}",
                    resp,
                    f"{self.pairing[prop]!r}",
                )

        @precondition(lambda self: self.pairing is not None)
        @rule()
        def get_password(self) -> None:
            assert self.pairing is not None
            note("GET password")
            self.expect_error(
                self.send(camera.get_property(self.pairing["id"], "password")),
                "[CP-PASSWORD-WRITE-ONLY] GET of password did not fail",
            )

        @precondition(lambda self: self.pairing is not None)
        @rule()
        def get_item(self) -> None:
            assert self.pairing is not None
            note("GET item")
            resp = self.send(camera.get(self.pairing["id"]))
            if not resp.ok and resp.error_code in STREAMING_ERRORS:
                return  # PROTOCOL-NOTES §1: a pairing in status Error may answer 106/107/108
            self.check(
                resp.ok and isinstance(resp.data, dict), "[CP-GET-ITEM] GET of the pairing failed", resp, "the entity"
            )
            differing = [k for k in self.pairing if not same(k, resp.data.get(k), self.pairing[k])]
            self.check(
                not differing,
                f"[CP-GET-ITEM] the entity differs from what was set in {differing}",
                resp,
                repr(self.pairing),
            )

        @invariant()
        def at_most_what_the_model_holds(self) -> None:
            resp = self.send(camera.list())
            self.check(
                resp.ok and isinstance(resp.data, list),
                "[CP-LIST-GET] the collection cannot be read",
                resp,
                "a success envelope with a list",
            )
            ids = [p.get("id") for p in resp.data if isinstance(p, dict)]
            expected = [self.pairing["id"]] if self.pairing else []
            self.check(
                ids == expected,
                f"[CP-ONE-PAIRING] the collection holds {ids}, the model {expected}",
                resp,
                repr(expected),
            )

        # --- SET ---------------------------------------------------------------------------------

        @precondition(lambda self: self.pairing is not None)
        @rule(request=cps.valid_set_requests())
        def set_valid(self, request: tuple[str, dict[str, Any]]) -> None:
            assert self.pairing is not None
            prop, body = request
            note(f"SET {prop} " + ("<password>" if prop == "password" else repr(body["data"])))
            resp = self.send(camera.set_property(self.pairing["id"], prop, body["data"]))
            self.check(resp.ok, f"[CP-SET-{prop.upper()}] SET {prop} of a valid value failed", resp, "success")
            if prop == "password":
                return
            self.pairing[prop] = body["data"]
            read = self.send(camera.get_property(self.pairing["id"], prop))
            self.check(
                read.ok and same(prop, read.data, body["data"]),
                f"[CP-SET-{prop.upper()}] an acknowledged SET of {prop} is not visible in the next GET",
                read,
                repr(body["data"]),
            )

        @precondition(lambda self: self.pairing is not None)
        @rule(request=cps.invalid_set_requests())
        def set_invalid(self, request: tuple[str, Any]) -> None:
            assert self.pairing is not None
            prop, case = request
            note(f"SET {prop} invalid {case!r}")
            resp = self.send(camera.set_property_raw(self.pairing["id"], prop, case.body))
            if resp.ok:
                self.check(
                    not case.enforced,
                    f"[{case.rule}] an invalid SET ({case.kind}) was accepted",
                    resp,
                    "an error",
                )
                observe(f"camera.accepts.set.{case.kind.split(':')[2]}", True)
                if prop != "password" and isinstance(case.value, dict) and "data" in case.value:
                    self.pairing[prop] = case.value["data"]
                return
            if case.enforced:
                self.expect_error(
                    resp,
                    f"[{case.rule}] an invalid SET ({case.kind}) was not rejected",
                    (case.code,) if case.code else None,
                )

        @precondition(lambda self: self.pairing is not None)
        @rule(prop=st.sampled_from(READ_ONLY), value=st.text(max_size=8))
        def set_read_only(self, prop: str, value: str) -> None:
            assert self.pairing is not None
            note(f"SET read-only {prop}")
            self.expect_error(
                self.send(camera.set_property(self.pairing["id"], prop, value)),
                f"[CP-READONLY-{prop.upper()}] SET of the GET-only {prop} did not fail",
            )

        def teardown(self) -> None:
            listing = camera.list()
            for pairing in listing.data if listing.ok and isinstance(listing.data, list) else []:
                if isinstance(pairing, dict) and isinstance(pairing.get("id"), str):
                    camera.remove(pairing["id"])

    return CameraPairingMachine


@pytest.mark.requirement(
    "CP-ONE-PAIRING",
    "CP-REMOVE",
    "CP-REMOVE-GONE",
    "CP-PASSWORD-NOT-RETURNED",
    "CP-PASSWORD-WRITE-ONLY",
    "CP-GET-ITEM",
    "CP-GET-PROPERTY",
    "CP-SET-ADDRESS",
    "CP-SET-USERNAME",
    "CP-SET-PASSWORD",
    "CP-SET-DESCRIPTION",
    "CP-SET-STREAMINGPROTOCOL",
    "CP-SET-VERIFYCERTIFICATE",
    "CP-READONLY-ID",
    "CP-READONLY-STATUS",
    "CP-ADD-REQUIRED",
    "DCA-ADD-BODY",
    "CP-INVALID-ADDRESS",
    "CP-DESCRIPTION-MAXLEN",
)
@pytest.mark.changes_state
def test_camera_pairing_answers_every_sequence_as_the_model_says(
    empty_camera: CameraPairingClient, generation: Any, examples: Any, observe: Any, same_address: Any
) -> None:
    machine = generation.seeded(make_machine(empty_camera, examples, observe, same_address))
    run_state_machine_as_test(
        machine,
        settings=generation.settings(
            max_examples=generation.budget.machine_runs, steps=generation.budget.machine_steps
        ),
    )
